// Polynomial features (FORMAT.md §7): output o is the product of the inputs
// raised to powers[o * n_inputs + j], multiplied in input order starting from
// 1, one factor at a time (so the same roundings as the per-row definition).
#include "format/limits.hpp"
#include "model/preprocessing/columns.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class PolynomialStep final : public Step {
 public:
  PolynomialStep(Slots s, const uint32_t* powers) noexcept : Step(s), powers_(powers) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t o = 0; o < slots_.n_out; ++o) {
      double* y = b.column(slots_.out + o);
      for (size_t i = 0; i < n; ++i) y[i] = 1.0;
      const uint32_t* p = powers_ + size_t{o} * slots_.n_in;
      for (uint32_t j = 0; j < slots_.n_in; ++j)
        for (uint32_t k = p[j]; k > 0; --k) update(b.column(slots_.in[j]), y, n, [](double x, double v) { return v * x; });
    }
  }

  // An input with a nonzero power in a sensitive output makes it NaN.
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t o = 0; o < slots_.n_out; ++o) {
      if (!m.numeric[slots_.out + o]) continue;
      const uint32_t* p = powers_ + size_t{o} * slots_.n_in;
      for (uint32_t j = 0; j < slots_.n_in; ++j)
        if (p[j] > 0) m.numeric[slots_.in[j]] = 1;
    }
  }

 private:
  const uint32_t* powers_;  // n_out x n_in
};

Result<std::unique_ptr<Step>> check_polynomial(const OpCheck& c) {
  const fb::Op& op = c.op;
  const size_t n_powers = size_of(op.powers());
  const uint32_t n_in = c.slots.n_in;
  if (op.n_out() == 0 || n_powers != uint64_t{op.n_out()} * n_in)
    return c.bad("powers has " + std::to_string(n_powers) + " values, expected n_out x " + std::to_string(n_in));
  for (uint32_t p : *op.powers())
    if (p > limits::max_polynomial_degree)
      return Error(error_code::limit_exceeded, c.where + ": power " + std::to_string(p) + " above " +
                                                   std::to_string(limits::max_polynomial_degree));
  Slots s = c.slots;
  s.n_out = op.n_out();
  return std::unique_ptr<Step>(new PolynomialStep(s, op.powers()->data()));
}

}  // namespace

extern const OpKind polynomial_kind{"polynomial", "products of the inputs raised to stored powers", never, false, false,
                                    0, check_polynomial};

}  // namespace mlmap::model::prep
