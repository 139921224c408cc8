// The interface every kind of predictor implements: tree ensembles
// (tree_ensemble.cc), dense networks, linear models included
// (dense_network.cc), k-nearest neighbours (neighbors.cc), kernel machines
// (kernel_machine.cc) and naive Bayes (naive_bayes.cc).  A predictor maps the
// rows of its input features to raw scores; preprocessing runs before it, base
// scores and the link after it, all in the caller (api/predict.cc).
#pragma once

#include <cstddef>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"

namespace mlmap::model {

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual PredictorKind kind() const noexcept = 0;
  virtual size_t n_raw() const noexcept = 0;
  /// Whether NaN inputs are routed (true) or must be refused by the caller.
  virtual bool accepts_missing() const noexcept = 0;
  /// Whether a NaN input makes every raw score of its row NaN, as in a linear
  /// model (NaN times any weight is NaN).  A caller that must refuse NaN can
  /// then look for it only in rows whose scores came out NaN, instead of
  /// reading every input twice.
  virtual bool propagates_nan() const noexcept { return false; }
  /// Rows per raw_scores() call that suit this predictor.  By default few
  /// enough that the scores stay in cache until the link reads them
  /// (logistic regression: +4% over 10,000-row calls).
  virtual size_t block_rows() const noexcept { return 1024; }
  /// raw[i * n_raw() + j] for rows [0, n_rows) of row-major X; overwrites
  /// raw.  X holds no NaN unless accepts_missing() or propagates_nan().
  /// Fails only with out_of_memory (for scratch space).
  [[nodiscard]] virtual Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept = 0;
  [[nodiscard]] virtual Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept = 0;
  /// Refuses inputs the predictor has no answer for (beyond NaN, which the
  /// caller handles): CategoricalNB's unseen categories.  `first_row` numbers
  /// the rows in the message.  Called before raw_scores() on the same rows;
  /// raw_scores() must stay memory-safe without it.
  [[nodiscard]] virtual Status check_rows(const float*, size_t, size_t) const noexcept { return {}; }
  [[nodiscard]] virtual Status check_rows(const double*, size_t, size_t) const noexcept { return {}; }
  /// Semantic checks of the predictor's columns (tier b, O(size)).
  [[nodiscard]] virtual Status verify() const noexcept = 0;
};

}  // namespace mlmap::model
