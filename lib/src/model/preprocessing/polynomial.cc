// Polynomial features (FORMAT.md §7): output o is the product of the inputs
// raised to powers[o * n_inputs + j], multiplied in input order starting from
// 1, one factor at a time (so the same roundings as the per-row definition).
#include <algorithm>
#include <vector>

#include "format/limits.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

// Each output's factors, built at open: the input multiplied in, once per
// unit of its power, inputs in order (most powers are zero).
class PolynomialStep final : public Step {
 public:
  PolynomialStep(Slots s, const uint32_t* powers) : Step(s) {
    first_.push_back(0);
    for (uint32_t o = 0; o < s.n_out; ++o) {
      for (uint32_t j = 0; j < s.n_in; ++j)
        for (uint32_t k = powers[size_t{o} * s.n_in + j]; k > 0; --k) factors_.push_back(j);
      first_.push_back(factors_.size());
    }
  }

  // 1 * x is x exactly, so the product starts at the first factor: a copy,
  // or the first two factors' product (one pass instead of three).
  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t o = 0; o < slots_.n_out; ++o) {
      double* y = b.column(slots_.out + o);
      const size_t first = first_[o], end = first_[o + 1];
      const auto factor = [&](size_t f) -> const double* { return b.column(slots_.in[factors_[f]]); };
      if (end == first) {
        std::fill(y, y + n, 1.0);
        continue;
      }
      if (end - first == 1) {
        std::copy(factor(first), factor(first) + n, y);
        continue;
      }
      columns(ColumnOp::mul, factor(first), y, n, 0, 0, factor(first + 1));
      for (size_t f = first + 2; f < end; ++f) columns(ColumnOp::mul_into, factor(f), y, n);
    }
  }

  // An input with a nonzero power in a sensitive output makes it NaN.
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t o = 0; o < slots_.n_out; ++o)
      if (m.numeric[slots_.out + o])
        for (size_t f = first_[o]; f < first_[o + 1]; ++f) m.numeric[slots_.in[factors_[f]]] = 1;
  }

 private:
  std::vector<uint32_t> factors_;  // input indices
  std::vector<size_t> first_;      // output o's factors: [first_[o], first_[o + 1])
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
  return std::unique_ptr<Step>(new PolynomialStep(s, op.powers()->data()));  // bounded by the header
}

}  // namespace

extern const OpKind polynomial_kind{::mlmap::OpKind::polynomial, /*reads_strings=*/never, /*writes_strings=*/false,
                                    /*one_to_one=*/false, /*n_columns=*/0, check_polynomial};

}  // namespace mlmap::model::prep
