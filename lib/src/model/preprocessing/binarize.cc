// Binarize (FORMAT.md §7): 1 where the input is above its threshold, else 0
// (sklearn's Binarizer: `X > threshold`).  sklearn refuses NaN here, so the
// step does too: a NaN input fails the row with missing_value.
#include <cmath>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class BinarizeStep final : public Step {
 public:
  BinarizeStep(Slots s, const double* threshold) noexcept : Step(s), threshold_(threshold) {}

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      // The first NaN of the column, before the work: failures name the
      // earliest row (and, within it, the first input).
      for (size_t i = 0; i < f->limit(n); ++i)
        if (std::isnan(x[i])) {
          f->fail(i, slots_.in[j], false, error_code::missing_value,
                  "is missing (NaN); a binarize step refuses missing values, as sklearn's Binarizer does");
          break;
        }
      columns(ColumnOp::greater, x, b.column(slots_.out + j), n, threshold_[j]);
    }
  }
  // A missing value fails the step whatever follows.
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) may_be_nan[slots_.out + j] = 0;
  }

 private:
  const double* threshold_;
};

Result<std::unique_ptr<Step>> check_binarize(const OpCheck& c) {
  if (auto st = c.count(size_of(c.op.a()), c.slots.n_in, "thresholds"); !st) return st.error();
  for (double t : *c.op.a())
    if (std::isnan(t)) return c.bad("a threshold is NaN");
  return std::unique_ptr<Step>(new BinarizeStep(per_input(c.slots), c.op.a()->data()));
}

}  // namespace

extern const OpKind binarize_kind{::mlmap::OpKind::binarize, /*reads_strings=*/never, /*writes_strings=*/false,
                                  /*one_to_one=*/true, /*n_columns=*/0, check_binarize};

}  // namespace mlmap::model::prep
