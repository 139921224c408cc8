// Spline (FORMAT.md §7): scikit-learn's SplineTransformer, the B-spline basis
// of each input as scipy's BSpline evaluates it (the design every supported
// sklearn version uses for dense output: spl(x) with an identity coefficient
// matrix, plus its extrapolation rules).  Parameter columns [knots (n_inputs x
// n_t), boundary (n_inputs x 4 x s)]: the knots t of input j (its
// spl.t), and the s basis values at the base interval's ends and their
// derivatives (f_min, f_max, fp_min, fp_max), which the writer stores as
// scipy computed them.  With k = degree and n = n_t - k - 1 coefficient rows,
// s = n (s = n - k for periodic: rows s .. n-1 repeat the first k columns).
//
// Constant and Linear use the per-input range [a[j], b[j]] and the number
// d = category_counts[j] of basis functions they extend at each end, which
// the writer takes from sklearn's loop as it runs: for degree <= 1 its
// linear extrapolation raises its `degree` variable inside the loop over the
// features, so the later features' range and d differ from the first's (in
// 1.2 to 1.9 alike); storing them keeps that arithmetic.
//
// Per x (FORMAT.md §7 is the definition): the interval l (the largest l in
// [k, n-1] with t[l] <= x, or k; -1 when x is NaN, or outside [t[k], t[n]]
// without extrapolation), the k+1 nonzero basis values by de Boor's
// recursion, and output c = sum over a = 0..k in order of
// coef(l + a - k, c) * work[a] — the zero terms included, as scipy sums them,
// so infinities give the NaN scipy gives.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "format/schema_enums.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

constexpr uint32_t max_degree = 64;
constexpr double nan_ = std::numeric_limits<double>::quiet_NaN();

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// numpy's float remainder (npy_divmod): the sign of the divisor.
double np_remainder(double a, double b) noexcept {
  double mod = std::fmod(a, b);
  if (!b) return mod;
  if (mod) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

class SplineStep final : public Step {
 public:
  SplineStep(Slots s, const double* knots, const double* boundary, const double* lo, const double* hi,
             const uint32_t* ends, uint32_t n_t, uint32_t k, uint32_t n_splines, fb::Extrapolation mode,
             bool include_bias, bool missing_zeros, std::string where) noexcept
      : Step(s),
        knots_(knots),
        boundary_(boundary),
        lo_(lo),
        hi_(hi),
        ends_(ends),
        n_t_(n_t),
        k_(k),
        s_(n_splines),
        mode_(mode),
        width_(n_splines - (include_bias ? 0 : 1)),
        missing_zeros_(missing_zeros),
        where_(std::move(where)) {}

  size_t scratch_per_row() const noexcept override { return 0; }

  void run(const Block& b, Failure* f) const noexcept override {
    std::vector<double> basis;  // the s values of one x, then work space
    try {
      basis.resize(size_t{s_} + 2 * (size_t{k_} + 1));
    } catch (...) {
      f->fail(0, slots_.in[0], false, error_code::out_of_memory, "is in a spline step that ran out of memory");
      return;
    }
    double* out = basis.data();
    double* work = out + s_;
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* t = knots_ + size_t{j} * n_t_;
      const double* bnd = boundary_ + size_t{j} * 4 * s_;
      const double* x = b.column(slots_.in[j]);
      for (size_t i = 0; i < f->limit(n); ++i) {
        if (std::isnan(x[i]) && !missing_zeros_) {
          f->fail(i, slots_.in[j], false, error_code::missing_value,
                  "is missing (NaN); a spline step refuses missing values, as sklearn's SplineTransformer does "
                  "(unless handle_missing='zeros')");
          break;
        }
        if (!evaluate(j, t, bnd, x[i], out, work)) {
          f->fail(i, slots_.in[j], false, error_code::invalid_argument,
                  "is " + number(x[i]) + ", beyond the limits of the spline's knots [" + number(t[k_]) + ", " +
                      number(t[n_t_ - k_ - 1]) +
                      "] (extrapolation='error': sklearn's SplineTransformer raises ValueError)");
          break;
        }
        for (uint32_t c = 0; c < width_; ++c) b.column(slots_.out + j * width_ + c)[i] = out[c];
      }
    }
  }

  void flow_missing(MissingFlow& m) const override {
    if (missing_zeros_) return;  // NaN gives zeros
    for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    // Error refuses NaN outputs; Constant gives stored values or zeros.
    // Others may make NaN of an infinity (when the file accepts them).
    const bool may = mode_ != fb::Extrapolation::Error && mode_ != fb::Extrapolation::Constant;
    for (uint32_t o = 0; o < slots_.n_out; ++o) may_be_nan[slots_.out + o] = may;
  }

  [[nodiscard]] Status verify() const noexcept override {
    try {
      const uint32_t n = n_t_ - k_ - 1;
      for (uint32_t j = 0; j < slots_.n_in; ++j) {
        const double* t = knots_ + size_t{j} * n_t_;
        const std::string in = " of input " + std::to_string(j);
        for (uint32_t q = 0; q < n_t_; ++q) {
          if (!std::isfinite(t[q])) return bad("knots" + in + " hold a non-finite value at " + std::to_string(q));
          if (q > 0 && !(t[q - 1] <= t[q])) return bad("knots" + in + " are not non-decreasing at " + std::to_string(q));
        }
        if (mode_ == fb::Extrapolation::Periodic && !(t[k_] < t[n]))
          return bad("knots" + in + ": the period t[n] - t[k] is not positive");
        // (lo > hi happens: sklearn's raised degree moves the range past itself)
        if (!std::isfinite(lo_[j]) || !std::isfinite(hi_[j])) return bad("range" + in + " is not finite");
        for (uint32_t q = 0; q < 4 * s_; ++q)
          if (!std::isfinite(boundary_[size_t{j} * 4 * s_ + q]))
            return bad("boundary" + in + " holds a non-finite value at " + std::to_string(q));
      }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory verifying " + where_);
    }
  }

 private:
  Error bad(const std::string& what) const { return Error(error_code::invalid_model, where_ + " " + what); }

  // The largest l in [k, n-1] with t[l] <= x, or k (scipy's find_interval
  // for sorted knots); bounded whatever the knots hold.
  uint32_t interval(const double* t, double x) const noexcept {
    const uint32_t n = n_t_ - k_ - 1;
    const double* lo = t + k_ + 1;
    const double* hi = t + n;
    return k_ + static_cast<uint32_t>(std::upper_bound(lo, hi, x) - lo);
  }

  // The k+1 nonzero basis values at x in interval l (de Boor), into h[0..k];
  // hh (k+1 more doubles) is scratch.
  void de_boor(const double* t, double x, uint32_t l, double* h) const noexcept {
    double* hh = h + k_ + 1;
    h[0] = 1.0;
    for (uint32_t j = 1; j <= k_; ++j) {
      std::copy(h, h + j, hh);
      h[0] = 0.0;
      for (uint32_t q = 1; q <= j; ++q) {
        const double xb = t[l + q], xa = t[l + q - j];
        if (xb == xa) {
          h[q] = 0.0;
          continue;
        }
        const double w = hh[q - 1] / (xb - xa);
        h[q - 1] += w * (xb - x);
        h[q] = w * (x - xa);
      }
    }
  }

  // spl(x): the s basis values (scipy's evaluate_spline with the identity,
  // or periodic, coefficients).  NaN values where x has no interval.
  void basis_at(const double* t, double x, bool extrapolate, double* out, double* work) const noexcept {
    const uint32_t n = n_t_ - k_ - 1;
    if (std::isnan(x) || (!extrapolate && (x < t[k_] || x > t[n]))) {
      std::fill(out, out + s_, nan_);
      return;
    }
    const uint32_t l = interval(t, x);
    de_boor(t, x, l, work);
    const bool periodic = mode_ == fb::Extrapolation::Periodic;
    for (uint32_t c = 0; c < s_; ++c) {
      double acc = 0.0;
      for (uint32_t a = 0; a <= k_; ++a) {
        const uint32_t row = l + a - k_;  // < n
        const double coef = (row == c || (periodic && row >= s_ && row - s_ == c)) ? 1.0 : 0.0;
        acc = acc + coef * work[a];
      }
      out[c] = acc;
    }
  }

  // The s outputs of x (not NaN unless missing_zeros); false when
  // extrapolation='error' refuses x.
  bool evaluate(uint32_t j, const double* t, const double* bnd, double x, double* out, double* work) const noexcept {
    const uint32_t n = n_t_ - k_ - 1;
    double xmin = t[k_], xmax = t[n];
    switch (mode_) {
      case fb::Extrapolation::Constant:
      case fb::Extrapolation::Linear: {
        std::fill(out, out + s_, 0.0);
        xmin = lo_[j];
        xmax = hi_[j];
        const uint32_t d = ends_[j];  // <= s (checked at open)
        if (xmin <= x && x <= xmax) {
          basis_at(t, x, false, out, work);
        } else if (x < xmin || x > xmax) {
          const double* f_min = bnd;
          const double* f_max = bnd + s_;
          const double* fp_min = bnd + 2 * size_t{s_};
          const double* fp_max = bnd + 3 * size_t{s_};
          if (mode_ == fb::Extrapolation::Constant) {
            if (x < xmin)
              for (uint32_t c = 0; c < d; ++c) out[c] = f_min[c];
            else
              for (uint32_t c = s_ - d; c < s_; ++c) out[c] = f_max[c];
          } else {
            for (uint32_t q = 0; q < d; ++q) {
              if (x < xmin) out[q] = f_min[q] + (x - xmin) * fp_min[q];
              if (x > xmax) {
                const uint32_t c = s_ - 1 - q;
                out[c] = f_max[c] + (x - xmax) * fp_max[c];
              }
            }
          }
        }
        return true;  // NaN: zeros (missing_zeros)
      }
      case fb::Extrapolation::Periodic: {
        if (std::isnan(x)) break;
        const double period = xmax - xmin;
        basis_at(t, xmin + np_remainder(x - xmin, period), true, out, work);
        return true;
      }
      case fb::Extrapolation::Continue:
        if (std::isnan(x)) break;
        basis_at(t, x, true, out, work);
        return true;
      default: {  // Error
        if (std::isnan(x)) break;
        basis_at(t, x, false, out, work);
        for (uint32_t c = 0; c < s_; ++c)
          if (std::isnan(out[c])) return false;
        return true;
      }
    }
    std::fill(out, out + s_, 0.0);  // NaN with missing_zeros
    return true;
  }

  const double* knots_;     // [n_in, n_t]
  const double* boundary_;  // [n_in, 4, s]
  const double* lo_;        // Constant / Linear: per input, the range and
  const double* hi_;        // the basis functions extended at each end
  const uint32_t* ends_;
  uint32_t n_t_, k_, s_;
  fb::Extrapolation mode_;
  uint32_t width_;  // outputs per input
  bool missing_zeros_;
  std::string where_;
};

Result<std::unique_ptr<Step>> check_spline(const OpCheck& c) {
  const fb::Op& op = c.op;
  const uint32_t n_in = c.slots.n_in;
  const uint32_t k = op.degree();
  const auto mode = op.extrapolation();
  if (k > max_degree) return c.bad("degree " + std::to_string(k) + " is above " + std::to_string(max_degree));
  if (static_cast<uint32_t>(mode) > static_cast<uint32_t>(fb::Extrapolation::MAX))
    return Error(error_code::unsupported_model,
                 c.where + ": extrapolation " + std::to_string(static_cast<int>(mode)) + " is not known to this reader");
  if (n_in == 0) return c.bad("has no inputs");
  // n_t: the knots column's length over the inputs.
  const int32_t ref = op.columns()->Get(0);
  const auto* desc = c.file.header().columns()->Get(static_cast<uint32_t>(ref));  // named by the generic check
  const uint64_t per_input = desc->length() / 8 / n_in;
  const bool periodic = mode == fb::Extrapolation::Periodic;
  // n_t = n_knots + 2k with at least 2 base knots; periodic needs k < n_knots.
  const uint64_t least = 2 * uint64_t{k} + std::max<uint64_t>(2, periodic ? uint64_t{k} + 1 : 2);
  if (per_input < least || per_input > (uint64_t{1} << 24))
    return c.bad("knots hold " + std::to_string(per_input) + " values per input, expected at least " +
                 std::to_string(least) + " for degree " + std::to_string(k) + " (and at most 2^24)");
  const auto n_t = static_cast<uint32_t>(per_input);
  auto knots = c.column<double>(0, uint64_t{n_in} * n_t, "knots");
  if (!knots) return knots.error();
  const uint32_t n = n_t - k - 1;
  const uint32_t s = periodic ? n - k : n;
  auto boundary = c.column<double>(1, uint64_t{n_in} * 4 * s, "boundary");
  if (!boundary) return boundary.error();
  if (auto st = c.count(size_of(op.a()), n_in, "a (range low)"); !st) return st.error();
  if (auto st = c.count(size_of(op.b()), n_in, "b (range high)"); !st) return st.error();
  if (auto st = c.count(size_of(op.category_counts()), n_in, "category_counts (ends extended)"); !st)
    return st.error();
  for (uint32_t j = 0; j < n_in; ++j)
    if (op.category_counts()->Get(j) > s)
      return c.bad("input " + std::to_string(j) + " extends " + std::to_string(op.category_counts()->Get(j)) +
                   " basis functions at each end, more than its " + std::to_string(s));
  if (s == 0 || (!op.include_bias() && s < 2)) return c.bad("has no basis function to output");
  const uint32_t width = s - (op.include_bias() ? 0 : 1);
  if (uint64_t{n_in} * width != op.n_out())
    return c.bad("n_out is " + std::to_string(op.n_out()) + ", expected " + std::to_string(uint64_t{n_in} * width) +
                 " (" + std::to_string(width) + " basis functions per input)");
  Slots slots = c.slots;
  slots.n_out = n_in * width;
  return std::unique_ptr<Step>(new SplineStep(slots, *knots, *boundary, data_of(op.a()), data_of(op.b()),
                                              op.category_counts()->data(), n_t, k, s, mode, op.include_bias(),
                                              op.missing_zeros(), c.where));
}

}  // namespace

extern const OpKind spline_kind{::mlmap::OpKind::spline, /*reads_strings=*/never, /*writes_strings=*/false,
                                /*one_to_one=*/false, /*n_columns=*/2, check_spline};

}  // namespace mlmap::model::prep
