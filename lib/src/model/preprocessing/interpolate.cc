// Interpolate (FORMAT.md §7): out_j = np.interp(x_j, xp, fp) over input j's
// run of category_counts[j] points of the parameter columns [x, y] --
// IsotonicRegression(out_of_bounds='clip').predict, and so the isotonic
// calibrators of CalibratedClassifierCV.  Clipping x to [xp[0], xp[n-1]]
// first (as scikit-learn does) changes nothing: np.interp gives the end
// values outside.  NaN stays NaN (scikit-learn refuses it before; the
// predictor after the program refuses it too).
//
// Like every parameter column, the points are checked by verify (tier b:
// finite, x non-decreasing per input), not at open, which reads no column
// bytes; interp() stays within each run whatever they hold.
#include <cmath>
#include <new>
#include <string>
#include <vector>

#include "model/preprocessing/interp.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class InterpolateStep final : public Step {
 public:
  InterpolateStep(Slots s, const double* x, const double* y, std::vector<uint64_t> first, std::string where) noexcept
      : Step(s), x_(x), y_(y), first_(std::move(first)), where_(std::move(where)) {}

  void run(const Block& b, Failure*) const noexcept override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* xp = x_ + first_[j];
      const double* fp = y_ + first_[j];
      const size_t n = first_[j + 1] - first_[j];
      const double* in = b.column(slots_.in[j]);
      double* out = b.column(slots_.out + j);
      auto at_x = [xp](size_t i) { return xp[i]; };
      auto at_y = [fp](size_t i) { return fp[i]; };
      for (size_t r = 0; r < b.n_rows; ++r) {
        const double v = in[r];
        out[r] = std::isnan(v) ? v : interp(v, n, at_x, at_y);
      }
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }
  // Finite points: NaN only from NaN.
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) may_be_nan[slots_.out + j] = may_be_nan[slots_.in[j]];
  }
  [[nodiscard]] Status verify() const noexcept override {
    try {
      for (uint32_t j = 0; j < slots_.n_in; ++j)
        for (uint64_t k = first_[j]; k < first_[j + 1]; ++k) {
          if (!std::isfinite(x_[k]) || !std::isfinite(y_[k]))
            return Error(error_code::invalid_model, where_ + " input " + std::to_string(j) + ": point " +
                                                        std::to_string(k - first_[j]) + " is not finite");
          if (k > first_[j] && !(x_[k - 1] <= x_[k]))
            return Error(error_code::invalid_model, where_ + " input " + std::to_string(j) +
                                                        ": x is not non-decreasing at point " +
                                                        std::to_string(k - first_[j]));
        }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory verifying " + where_);
    }
  }

 private:
  const double* x_;
  const double* y_;
  std::vector<uint64_t> first_;  // input j's points are [first_[j], first_[j + 1])
  std::string where_;
};

Result<std::unique_ptr<Step>> check_interpolate(const OpCheck& c) {
  const fb::Op& op = c.op;
  const uint32_t n_in = c.slots.n_in;
  if (n_in == 0) return c.bad("reads no input");
  if (auto st = c.count(size_of(op.category_counts()), n_in, "category_counts (points per input)"); !st)
    return st.error();
  std::vector<uint64_t> first{0};
  for (uint32_t j = 0; j < n_in; ++j) {
    const uint32_t n = op.category_counts()->Get(j);
    if (n == 0) return c.bad("input " + std::to_string(j) + " has no points");
    first.push_back(first.back() + n);
  }
  const uint64_t total = first.back();
  auto x = c.column<double>(0, total, "x");
  if (!x) return x.error();
  auto y = c.column<double>(1, total, "y");
  if (!y) return y.error();
  return std::unique_ptr<Step>(new InterpolateStep(per_input(c.slots), *x, *y, std::move(first), c.where));
}

}  // namespace

extern const OpKind interpolate_kind{::mlmap::OpKind::interpolate, /*reads_strings=*/never, /*writes_strings=*/false,
                                     /*one_to_one=*/true, /*n_columns=*/2, check_interpolate};

}  // namespace mlmap::model::prep
