// The table of op kinds (FORMAT.md §7), indexed by fb::OpKind.
#pragma once

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

/// The kind `k` names, or null when this reader does not know it (a file
/// from a newer minor version: unsupported_model).
const OpKind* op_kind(fb::OpKind k) noexcept;

}  // namespace mlmap::model::prep
