// One-vs-one classifiers (libsvm's SVC and NuSVC): K classes, one decision
// value per pair (i, j), i < j, in the order (0,1), (0,2) ... (0,K-1),
// (1,2) ...; positive favours i.  Written to give libsvm's and sklearn's
// numbers operation for operation (FORMAT.md §6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlmap::model {

/// K(K-1)/2.
constexpr size_t ovo_pairs(size_t k) noexcept { return k * (k - 1) / 2; }

/// libsvm's svm_predict_values: pair (i, j) votes for i iff dec > 0, else
/// for j; the class with the most votes, the first of equals.  `votes`:
/// scratch of k entries.
size_t ovo_vote(const double* dec, size_t k, uint32_t* votes) noexcept;

/// sklearn's _ovr_decision_function(dec < 0, -dec, k): votes (dec >= 0 for
/// i, dec < 0 for j) plus the summed confidences squashed into (-1/3, 1/3).
/// `votes`: scratch of k entries.
void ovo_to_ovr(const double* dec, size_t k, double* out, uint32_t* votes) noexcept;

/// libsvm's svm_predict_probability for one row: Platt's sigmoid of each
/// pair's decision value (clipped to [1e-7, 1 - 1e-7]), then the pairwise
/// coupling of Wu, Lin and Weng (multiclass_probability: at most max(100, k)
/// iterations, stopping when every |Qp - pQp| < 0.005 / k).
class PairwiseCoupler {
 public:
  /// Allocates O(k^2) scratch; may throw std::bad_alloc.
  explicit PairwiseCoupler(size_t k);
  void probabilities(const double* dec, const double* prob_a, const double* prob_b, double* p) noexcept;

 private:
  size_t k_;
  std::vector<double> r_, q_, qp_;  // pairwise probabilities and Q, k x k; Qp
};

}  // namespace mlmap::model
