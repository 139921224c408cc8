// A checked file turned into something that predicts: the header's model
// table read into ModelInfo, a Predictor over the columns, and the link.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "format/file_view.hpp"
#include "mlmap/info.hpp"
#include "mlmap/model.hpp"
#include "model/link.hpp"
#include "model/predictor.hpp"
#include "model/preprocessing.hpp"

namespace mlmap::model {

struct LoadedModel {
  format::FileView file;
  ModelInfo info;
  std::unique_ptr<Predictor> predictor;
  LinkSpec link;
  std::vector<double> base_score;  // empty, or n_raw values
  std::optional<Preprocessor> preprocessing;
  size_t predictor_width = 0;      // the predictor's input width (n_features without preprocessing)
  // The predictor's answers, asked once by load_model rather than by virtual
  // calls on every predict (a one-row call of a tree ensemble is ~0.6 us).
  bool refuses_missing = false;     // !predictor->accepts_missing()
  bool nan_scores_mark_nan = false; // refuses_missing && predictor->propagates_nan()
  size_t predictor_block_rows = 1;  // predictor->block_rows()
  size_t predictor_min_rows = 0;    // predictor->min_rows_per_call()

  /// Values per row of a prediction of `output`.
  size_t width(Output output) const noexcept {
    switch (output) {
      case Output::raw: return link.n_raw;
      case Output::decision: return link.decision_width();
      case Output::value: break;
    }
    return link.n_outputs;
  }
};

/// O(header + columns): model-level checks (counts, labels, link shape) and
/// the predictor's view.
[[nodiscard]] Result<std::shared_ptr<const LoadedModel>> load_model(format::FileView file) noexcept;

/// O(size): the predictor's semantic checks, then every column checksum.
[[nodiscard]] Status verify_model(const LoadedModel& m) noexcept;

}  // namespace mlmap::model
