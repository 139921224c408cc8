// WeightedMedian (FORMAT.md §7.3): AdaBoostRegressor's prediction.  Per row,
// the inputs (one prediction per estimator) sorted by value with their
// weights a[i], the cumulative weight, and the value of the first one whose
// cumulative weight reaches half the total (sklearn's _get_median_predict:
// argsort, stable_cumsum, `cdf >= 0.5 * cdf[-1]`, argmax).  Which of equal
// values comes first does not change the value chosen.  A row with a NaN
// input gives NaN.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class WeightedMedianStep final : public Step {
 public:
  WeightedMedianStep(Slots s, const double* weights) noexcept : Step(s), weights_(weights) {}

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t m = slots_.n_in;
    double* y = b.column(slots_.out);
    try {
      std::vector<double> value(m), cdf(m);
      std::vector<uint32_t> order(m);
      for (size_t r = 0; r < b.n_rows; ++r) {
        bool nan = false;
        for (size_t i = 0; i < m; ++i) {
          value[i] = b.column(slots_.in[i])[r];
          nan = nan || std::isnan(value[i]);
        }
        if (nan) {
          y[r] = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(), [&](uint32_t p, uint32_t q) { return value[p] < value[q]; });
        double sum = 0;
        for (size_t i = 0; i < m; ++i) cdf[i] = sum += weights_[order[i]];
        const double half = 0.5 * cdf[m - 1];
        size_t at = 0;
        while (at + 1 < m && !(cdf[at] >= half)) ++at;
        y[r] = value[order[at]];
      }
    } catch (const std::bad_alloc&) {
      f->fail(0, slots_.in[0], false, error_code::out_of_memory, "reaches a weighted median: out of memory");
    }
  }
  void flow_missing(MissingFlow& m) const override {
    if (!m.numeric[slots_.out]) return;
    for (uint32_t i = 0; i < slots_.n_in; ++i) m.numeric[slots_.in[i]] = 1;
  }

 private:
  const double* weights_;
};

Result<std::unique_ptr<Step>> check_weighted_median(const OpCheck& c) {
  if (c.slots.n_in == 0) return c.bad("reads no inputs");
  if (auto st = c.count(size_of(c.op.a()), c.slots.n_in, "weights (a)"); !st) return st.error();
  for (double w : *c.op.a())
    if (!std::isfinite(w) || w < 0) return c.bad("a weight is negative or not finite");
  Slots s = c.slots;
  s.n_out = 1;
  return std::unique_ptr<Step>(new WeightedMedianStep(s, c.op.a()->data()));
}

}  // namespace

extern const OpKind weighted_median_kind{::mlmap::OpKind::weighted_median, /*reads_strings=*/never,
                                         /*writes_strings=*/false, /*one_to_one=*/false, /*n_columns=*/0,
                                         check_weighted_median};

}  // namespace mlmap::model::prep
