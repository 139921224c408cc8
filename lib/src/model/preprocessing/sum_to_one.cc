// SumToOne (FORMAT.md §7): out_k = x_k / s with s = np.sum(x) over the row's
// inputs (numpy's pairwise order, model/numpy_sum.hpp); where s == 0 every
// output is 1 / n; then an output in (1, 1 + 1e-5] becomes 1.  scikit-learn's
// _CalibratedClassifier.predict_proba normalises its per-class calibrated
// probabilities this way (1.2 to 1.9 alike): np.divide(proba, denominator,
// out=uniform, where=denominator != 0), then the clamp of a value that
// "minimally exceeds 1".
#include <cstddef>

#include "model/numpy_sum.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

constexpr double over_one = 1.0 + 1e-5;  // scikit-learn's bound of a "minimal" excess over 1

class SumToOneStep final : public Step {
 public:
  explicit SumToOneStep(Slots s) noexcept : Step(s) {}

  size_t scratch_per_row() const noexcept override { return 1; }

  // Each row's sum straight from the input columns (numpy's order over the
  // row), then the outputs column by column.
  void run(const Block& b, Failure*) const noexcept override {
    const size_t K = slots_.n_in, n = b.n_rows;
    double* sums = b.scratch;
    for (size_t r = 0; r < n; ++r) sums[r] = numpy_sum_at([&](size_t k) { return b.column(slots_.in[k])[r]; }, K);
    const double uniform = 1.0 / static_cast<double>(K);
    for (size_t k = 0; k < K; ++k) {
      const double* x = b.column(slots_.in[k]);
      double* y = b.column(slots_.out + static_cast<uint32_t>(k));
      for (size_t r = 0; r < n; ++r) {
        double v = sums[r] != 0 ? x[r] / sums[r] : uniform;
        if (1.0 < v && v <= over_one) v = 1.0;
        y[r] = v;
      }
    }
  }
  // Every output depends on every input (the sum).
  void flow_missing(MissingFlow& m) const override {
    bool any = false;
    for (uint32_t k = 0; k < slots_.n_out; ++k) any = any || m.numeric[slots_.out + k];
    if (any)
      for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }
};

Result<std::unique_ptr<Step>> check_sum_to_one(const OpCheck& c) {
  if (c.slots.n_in == 0) return c.bad("reads no input");
  return std::unique_ptr<Step>(new SumToOneStep(per_input(c.slots)));
}

}  // namespace

extern const OpKind sum_to_one_kind{::mlmap::OpKind::sum_to_one, /*reads_strings=*/never, /*writes_strings=*/false,
                                    /*one_to_one=*/false, /*n_columns=*/0, check_sum_to_one};

}  // namespace mlmap::model::prep
