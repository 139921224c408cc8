// Members of a zip archive held in memory (a Keras `.keras` file), over
// libzip, with a size limit on what is extracted.  Nothing here throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"

namespace mlmap::importers {

/// Whether `bytes` starts like a zip archive ("PK\3\4").
bool looks_like_zip(std::string_view bytes) noexcept;

/// The contents of the members `names` of the zip archive `bytes`, in that
/// order; each at most `limit` bytes once inflated.  import_failed names a
/// missing member, a damaged archive or a member over the limit.
[[nodiscard]] Result<std::vector<std::string>> read_zip_members(std::string_view bytes,
                                                                const std::vector<std::string>& names,
                                                                size_t limit) noexcept;

}  // namespace mlmap::importers
