// The scalers (FORMAT.md §7): Standardize, MinMax, MaxAbs, Normalize.  Each
// input column is scaled on its own (Normalize: by its row's norm), in loops
// over whole slot columns that the compiler vectorises.  The per-value
// operations are the per-row definition's, in its order, with no contraction
// (x * a + b stays two roundings).
#include <cmath>
#include <limits>

#include "model/preprocessing/columns.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class StandardizeStep final : public Step {
 public:
  StandardizeStep(Slots s, const double* center, const double* scale) noexcept
      : Step(s), center_(center), scale_(scale) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      if (center_ && scale_) {
        const double a = center_[j], s = scale_[j];
        map(x, y, n, [a, s](double v) { return (v - a) / s; });
      } else if (center_) {
        const double a = center_[j];
        map(x, y, n, [a](double v) { return v - a; });
      } else if (scale_) {
        const double s = scale_[j];
        map(x, y, n, [s](double v) { return v / s; });
      } else {
        map(x, y, n, [](double v) { return v; });
      }
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }
  // (x - a) / s is NaN only for a NaN x when a is finite and s finite and
  // nonzero (an infinite x stays infinite).
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const bool tame = (!center_ || std::isfinite(center_[j])) && (!scale_ || (std::isfinite(scale_[j]) && scale_[j] != 0));
      may_be_nan[slots_.out + j] = may_be_nan[slots_.in[j]] || !tame;
    }
  }

 private:
  const double* center_;  // each null when absent
  const double* scale_;
};

Result<std::unique_ptr<Step>> check_standardize(const OpCheck& c) {
  const size_t n = c.slots.n_in;
  if (size_of(c.op.a()) != 0)
    if (auto st = c.count(size_of(c.op.a()), n, "center"); !st) return st.error();
  if (size_of(c.op.b()) != 0)
    if (auto st = c.count(size_of(c.op.b()), n, "scale"); !st) return st.error();
  return std::unique_ptr<Step>(new StandardizeStep(per_input(c.slots), data_of(c.op.a()), data_of(c.op.b())));
}

class MinMaxStep final : public Step {
 public:
  MinMaxStep(Slots s, const double* scale, const double* min, bool clip, double low, double high) noexcept
      : Step(s), scale_(scale), min_(min), clip_(clip), low_(low), high_(high) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      const double a = scale_[j], c = min_[j];
      if (clip_) {
        // std::min(std::max(v, lo), hi), NaN kept as std::max and std::min keep it.
        map(x, y, n, [a, c, lo = low_, hi = high_](double v) {
          const double s = v * a + c;
          const double t = s < lo ? lo : s;
          return hi < t ? hi : t;
        });
      } else {
        map(x, y, n, [a, c](double v) { return v * a + c; });
      }
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }
  // x * a + b is NaN only for a NaN x when a is finite and nonzero and b
  // finite; clipping makes no NaN.
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const bool tame = std::isfinite(scale_[j]) && scale_[j] != 0 && std::isfinite(min_[j]);
      may_be_nan[slots_.out + j] = may_be_nan[slots_.in[j]] || !tame;
    }
  }

 private:
  const double* scale_;
  const double* min_;
  bool clip_;
  double low_, high_;
};

Result<std::unique_ptr<Step>> check_min_max(const OpCheck& c) {
  const size_t n = c.slots.n_in;
  if (auto st = c.count(size_of(c.op.a()), n, "scale"); !st) return st.error();
  if (auto st = c.count(size_of(c.op.b()), n, "min"); !st) return st.error();
  return std::unique_ptr<Step>(new MinMaxStep(per_input(c.slots), c.op.a()->data(), c.op.b()->data(), c.op.clip(),
                                              c.op.clip_low(), c.op.clip_high()));
}

class MaxAbsStep final : public Step {
 public:
  MaxAbsStep(Slots s, const double* scale) noexcept : Step(s), scale_(scale) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double s = scale_[j];
      map(b.column(slots_.in[j]), b.column(slots_.out + j), n, [s](double v) { return v / s; });
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j)
      may_be_nan[slots_.out + j] = may_be_nan[slots_.in[j]] || !(std::isfinite(scale_[j]) && scale_[j] != 0);
  }

 private:
  const double* scale_;
};

Result<std::unique_ptr<Step>> check_max_abs(const OpCheck& c) {
  if (auto st = c.count(size_of(c.op.a()), c.slots.n_in, "scale"); !st) return st.error();
  return std::unique_ptr<Step>(new MaxAbsStep(per_input(c.slots), c.op.a()->data()));
}

class NormalizeStep final : public Step {
 public:
  NormalizeStep(Slots s, fb::Norm norm) noexcept : Step(s), norm_(norm) {}

  size_t scratch_per_row() const noexcept override { return 1; }

  // The norm of each row accumulates over the inputs in order, as the row
  // by row definition does; then every input is divided by it.
  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    double* norm = b.scratch;
    for (size_t i = 0; i < n; ++i) norm[i] = 0;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      switch (norm_) {
        case fb::Norm::L2: update(x, norm, n, [](double v, double s) { return s + v * v; }); break;
        case fb::Norm::L1: update(x, norm, n, [](double v, double s) { return s + std::fabs(v); }); break;
        case fb::Norm::Max:  // std::max(norm, |x|): a NaN |x| leaves the norm
          update(x, norm, n, [](double v, double s) { return s < std::fabs(v) ? std::fabs(v) : s; });
          break;
      }
    }
    // As sklearn's dense path: norms below 10 epsilon count as zero, and
    // those rows are left as they are.
    constexpr double tiny = 10 * std::numeric_limits<double>::epsilon();
    for (size_t i = 0; i < n; ++i) {
      const double v = norm_ == fb::Norm::L2 ? std::sqrt(norm[i]) : norm[i];
      norm[i] = v < tiny ? 1.0 : v;
    }
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      map2(b.column(slots_.in[j]), norm, b.column(slots_.out + j), n, [](double v, double s) { return v / s; });
    }
  }

  // A missing value in one input makes the norm, so every output, NaN (for
  // Max, its own output): any sensitive output makes every input sensitive.
  void flow_missing(MissingFlow& m) const override {
    bool any = false;
    for (uint32_t o = 0; o < slots_.n_out; ++o) any = any || m.numeric[slots_.out + o];
    if (any)
      for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }

 private:
  fb::Norm norm_;
};

Result<std::unique_ptr<Step>> check_normalize(const OpCheck& c) {
  if (c.op.norm() > fb::Norm::MAX) return c.bad("unknown norm");
  return std::unique_ptr<Step>(new NormalizeStep(per_input(c.slots), c.op.norm()));
}

}  // namespace

extern const OpKind standardize_kind{"standardize", "(x - center) / scale per input; center and scale optional",
                                     never, false, true, 0, check_standardize};
extern const OpKind min_max_kind{"min_max", "x * scale + min per input, optionally clipped", never, false, true, 0,
                                 check_min_max};
extern const OpKind max_abs_kind{"max_abs", "x / scale per input", never, false, true, 0, check_max_abs};
extern const OpKind normalize_kind{"normalize", "each row divided by its L2, L1 or max norm", never, false, false, 0,
                                   check_normalize};

}  // namespace mlmap::model::prep
