// The interface every kind of predictor implements: tree ensembles
// (tree_ensemble.cc), dense networks, linear models included
// (dense_network.cc), k-nearest neighbours (neighbors.cc), kernel machines
// (kernel_machine.cc) and naive Bayes (naive_bayes.cc).  A predictor maps the
// rows of its input features to raw scores; preprocessing runs before it, base
// scores and the link after it, all in the caller (api/predict.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "mlmap/error.hpp"
#include "mlmap/info.hpp"

namespace mlmap::model {

/// Rows of features as (position, value) lists (compressed sparse rows):
/// row i's nonzero features are entries [begin[i], begin[i + 1]), each
/// position < the predictor's width and appearing once per row, in no
/// particular order.  Features not listed are 0.
struct SparseRows {
  const size_t* begin = nullptr;  // n_rows + 1
  const uint32_t* position = nullptr;
  const double* value = nullptr;
};

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
  /// Rows a call should bring at least, where each call does work of its
  /// own that fewer rows would not repay (threads then share a batch in
  /// chunks this large while enough rows are left).  0: none.
  virtual size_t min_rows_per_call() const noexcept { return 0; }
  /// raw[i * n_raw() + j] for rows [0, n_rows) of row-major X; overwrites
  /// raw.  X holds no NaN unless accepts_missing() or propagates_nan().
  /// Fails only with out_of_memory (for scratch space).
  [[nodiscard]] virtual Status raw_scores(const float* X, size_t n_rows, double* raw) const noexcept = 0;
  [[nodiscard]] virtual Status raw_scores(const double* X, size_t n_rows, double* raw) const noexcept = 0;
  /// Whether raw_scores_sparse() is implemented: the work is then
  /// proportional to the nonzero features (linear models, naive Bayes over
  /// counts), not to the width.
  virtual bool takes_sparse() const noexcept { return false; }
  /// raw_scores() of rows given sparsely (X holds no NaN, as for raw_scores).
  [[nodiscard]] virtual Status raw_scores_sparse(const SparseRows& /*X*/, size_t /*n_rows*/, double* /*raw*/) const noexcept {
    return Error(error_code::invalid_argument, "this predictor takes no sparse rows");
  }
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
