// Elementwise (FORMAT.md §7.3): out_j = f(x_j) for numpy's exp, expm1, log,
// log1p, square and sqrt -- TransformedTargetRegressor's inverse_func from
// mlmap's allow-list -- and scipy's expit (the sigmoid calibrators of
// CalibratedClassifierCV).  NaN passes through (and the functions give NaN out of
// their domain, as numpy does; the predictor after it refuses NaN).
#include <cmath>

#include "format/schema_enums.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class ElementwiseStep final : public Step {
 public:
  ElementwiseStep(Slots s, ElementFunction f) noexcept : Step(s), f_(f) {}

  void run(const Block& b, Failure*) const noexcept override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      for (size_t i = 0; i < b.n_rows; ++i) y[i] = apply(x[i]);
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }

 private:
  double apply(double v) const noexcept {
    switch (f_) {
      case ElementFunction::exp: return std::exp(v);
      case ElementFunction::expm1: return std::expm1(v);
      case ElementFunction::log: return std::log(v);
      case ElementFunction::log1p: return std::log1p(v);
      case ElementFunction::square: return v * v;
      case ElementFunction::sqrt: return std::sqrt(v);
      case ElementFunction::expit: return 1 / (1 + std::exp(-v));  // scipy.special.expit
    }
    return v;
  }
  ElementFunction f_;
};

Result<std::unique_ptr<Step>> check_elementwise(const OpCheck& c) {
  ElementFunction f{};
  if (!format::from_schema(c.op.function(), f))
    return Error(error_code::unsupported_model,
                 c.where + ": function " + std::to_string(static_cast<unsigned>(c.op.function())) +
                     " is unknown to this reader");
  return std::unique_ptr<Step>(new ElementwiseStep(per_input(c.slots), f));
}

}  // namespace

extern const OpKind elementwise_kind{::mlmap::OpKind::elementwise, /*reads_strings=*/never, /*writes_strings=*/false,
                                     /*one_to_one=*/true, /*n_columns=*/0, check_elementwise};

}  // namespace mlmap::model::prep
