// WeightedMean (FORMAT.md §7.3): m groups of K inputs to K outputs,
// out_k = (sum_i a[i] * x[i*K + k]) / b[0], the sum in group order -- numpy's
// np.average(..., axis=0, weights=a) over stacked predictions (VotingClassifier's
// soft vote, its weighted hard-vote counts as a sum with b[0] = 1 ...).
#include <cmath>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class WeightedMeanStep final : public Step {
 public:
  WeightedMeanStep(Slots s, const double* weights, size_t groups, double divisor) noexcept
      : Step(s), weights_(weights), groups_(groups), divisor_(divisor) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t K = slots_.n_out, n = b.n_rows;
    for (size_t k = 0; k < K; ++k) {
      double* y = b.column(slots_.out + static_cast<uint32_t>(k));
      const double* x0 = b.column(slots_.in[k]);
      for (size_t r = 0; r < n; ++r) y[r] = x0[r] * weights_[0];
      for (size_t g = 1; g < groups_; ++g) {
        const double* x = b.column(slots_.in[g * K + k]);
        const double w = weights_[g];
        for (size_t r = 0; r < n; ++r) y[r] += x[r] * w;
      }
      for (size_t r = 0; r < n; ++r) y[r] /= divisor_;
    }
  }
  void flow_missing(MissingFlow& m) const override {
    const size_t K = slots_.n_out;
    for (size_t g = 0; g < groups_; ++g)
      for (size_t k = 0; k < K; ++k)
        if (m.numeric[slots_.out + k]) m.numeric[slots_.in[g * K + k]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    const size_t K = slots_.n_out;
    for (size_t k = 0; k < K; ++k) {
      char nan = 0;
      for (size_t g = 0; g < groups_; ++g) nan |= may_be_nan[slots_.in[g * K + k]];
      may_be_nan[slots_.out + k] = nan;  // finite weights: NaN only from NaN (or inf - inf: inputs are finite sums)
    }
  }

 private:
  const double* weights_;
  size_t groups_;
  double divisor_;
};

Result<std::unique_ptr<Step>> check_weighted_mean(const OpCheck& c) {
  const uint32_t K = c.slots.n_out;
  if (K == 0 || c.slots.n_in == 0 || c.slots.n_in % K != 0)
    return c.bad("reads " + std::to_string(c.slots.n_in) + " inputs for " + std::to_string(K) +
                 " outputs; it needs whole groups of n_out inputs");
  const size_t groups = c.slots.n_in / K;
  if (auto st = c.count(size_of(c.op.a()), groups, "weights (a)"); !st) return st.error();
  if (auto st = c.count(size_of(c.op.b()), 1, "divisor (b)"); !st) return st.error();
  for (double w : *c.op.a())
    if (!std::isfinite(w)) return c.bad("a weight is not finite");
  const double divisor = c.op.b()->Get(0);
  if (!std::isfinite(divisor) || divisor == 0) return c.bad("the divisor is zero or not finite");
  return std::unique_ptr<Step>(new WeightedMeanStep(c.slots, c.op.a()->data(), groups, divisor));
}

}  // namespace

extern const OpKind weighted_mean_kind{::mlmap::OpKind::weighted_mean, /*reads_strings=*/never,
                                       /*writes_strings=*/false, /*one_to_one=*/false, /*n_columns=*/0,
                                       check_weighted_mean};

}  // namespace mlmap::model::prep
