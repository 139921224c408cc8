// The power transforms of sklearn's PowerTransformer (FORMAT.md §7), per
// input j with lambda a[j], in the form scipy computes them (log1p / expm1,
// which scikit-learn >= 1.8 calls; older releases' pow form agrees within a
// few ulp):
//   YeoJohnson  x >= 0: |l| < eps ? log1p(x) : expm1(l * log1p(x)) / l
//               x <  0: |l - 2| > eps ? -expm1((2 - l) * log1p(-x)) / (2 - l)
//                                     : -log1p(-x)
//   BoxCox      |l| < 1e-19 ? log(x) : expm1(l * log(x)) / l; x <= 0 fails the
//               row (sklearn refuses non-positive data), NaN passes as NaN.
// eps is 2^-52 (numpy's spacing(1.0)).  PowerTransformer's standardize is a
// Standardize step after it.
#include <cmath>
#include <limits>
#include <string>

#include "model/preprocessing/categories.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

constexpr double eps = std::numeric_limits<double>::epsilon();

double yeo_johnson(double x, double l) noexcept {
  if (x >= 0) return std::fabs(l) < eps ? std::log1p(x) : std::expm1(l * std::log1p(x)) / l;
  return std::fabs(l - 2) > eps ? -std::expm1((2 - l) * std::log1p(-x)) / (2 - l) : -std::log1p(-x);  // NaN too
}

double box_cox(double x, double l) noexcept {
  return std::fabs(l) < 1e-19 ? std::log(x) : std::expm1(l * std::log(x)) / l;
}

class PowerStep final : public Step {
 public:
  PowerStep(Slots s, const double* lambdas, bool box_cox) noexcept : Step(s), lambdas_(lambdas), box_cox_(box_cox) {}

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      const double l = lambdas_[j];
      if (!box_cox_) {
        for (size_t i = 0; i < n; ++i) y[i] = yeo_johnson(x[i], l);
        continue;
      }
      for (size_t i = 0; i < n; ++i) {
        if (x[i] <= 0) {
          try {
            f->fail(i, slots_.in[j], false, error_code::invalid_argument,
                    "is " + number_text(x[i]) + "; box-cox needs strictly positive values, as sklearn's "
                    "PowerTransformer does");
          } catch (const std::bad_alloc&) {
            f->fail(i, slots_.in[j], false, error_code::out_of_memory, "out of memory describing a value");
          }
          break;
        }
        y[i] = box_cox(x[i], l);
      }
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }

 private:
  const double* lambdas_;
  bool box_cox_;
};

Result<std::unique_ptr<Step>> check(const OpCheck& c, bool box_cox) {
  if (auto st = c.count(size_of(c.op.a()), c.slots.n_in, "lambdas"); !st) return st.error();
  for (double l : *c.op.a())
    if (!std::isfinite(l)) return c.bad("a lambda is not finite");
  return std::unique_ptr<Step>(new PowerStep(per_input(c.slots), c.op.a()->data(), box_cox));
}

Result<std::unique_ptr<Step>> check_yeo_johnson(const OpCheck& c) { return check(c, false); }
Result<std::unique_ptr<Step>> check_box_cox(const OpCheck& c) { return check(c, true); }

}  // namespace

extern const OpKind yeo_johnson_kind{::mlmap::OpKind::yeo_johnson, /*reads_strings=*/never, /*writes_strings=*/false,
                                     /*one_to_one=*/true, /*n_columns=*/0, check_yeo_johnson};
extern const OpKind box_cox_kind{::mlmap::OpKind::box_cox, /*reads_strings=*/never, /*writes_strings=*/false,
                                 /*one_to_one=*/true, /*n_columns=*/0, check_box_cox};

}  // namespace mlmap::model::prep
