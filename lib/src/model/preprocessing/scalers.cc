// The scalers (FORMAT.md §7): Standardize, MinMax, MaxAbs, Normalize.  Each
// input column is scaled on its own (Normalize: by its row's norm) over the
// whole block, by the column kernels (kernels/column_kernels.hpp): the
// per-value operations of the per-row definition, in its order, with no
// contraction (x * a + b stays two roundings).
#include <cmath>
#include <cstring>
#include <limits>

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
      if (center_ && scale_)
        columns(ColumnOp::sub_div, x, y, n, center_[j], scale_[j]);
      else if (center_)
        columns(ColumnOp::sub, x, y, n, center_[j]);
      else if (scale_)
        columns(ColumnOp::div, x, y, n, 0, scale_[j]);
      else
        std::memcpy(y, x, n * sizeof(double));
    }
  }
  // (A copy, with neither, is no op of the column kernels.)
  bool unary_op(uint32_t j, ColumnOp* op, kernels::ColumnArgs* args) const noexcept override {
    if (!center_ && !scale_) return false;
    *op = center_ && scale_ ? ColumnOp::sub_div : center_ ? ColumnOp::sub : ColumnOp::div;
    args->a = center_ ? center_[j] : 0;
    args->b = scale_ ? scale_[j] : 0;
    return true;
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
      kernels::ColumnArgs args;
      args.a = scale_[j];
      args.b = min_[j];
      args.lo = low_;  // clipped as std::min(std::max(v, lo), hi): NaN stays
      args.hi = high_;
      columns(clip_ ? ColumnOp::mul_add_clip : ColumnOp::mul_add, args, x, y, n);
    }
  }
  bool unary_op(uint32_t j, ColumnOp* op, kernels::ColumnArgs* args) const noexcept override {
    *op = clip_ ? ColumnOp::mul_add_clip : ColumnOp::mul_add;
    args->a = scale_[j];
    args->b = min_[j];
    args->lo = low_;
    args->hi = high_;
    return true;
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
    for (uint32_t j = 0; j < slots_.n_in; ++j) columns(ColumnOp::div, b.column(slots_.in[j]), b.column(slots_.out + j), n, 0, scale_[j]);
  }
  bool unary_op(uint32_t j, ColumnOp* op, kernels::ColumnArgs* args) const noexcept override {
    *op = ColumnOp::div;
    args->b = scale_[j];
    return true;
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
    const ColumnOp accumulate = norm_ == fb::Norm::L2   ? ColumnOp::add_square
                                : norm_ == fb::Norm::L1 ? ColumnOp::add_abs
                                                        : ColumnOp::max_abs;  // a NaN |x| leaves the norm
    for (uint32_t j = 0; j < slots_.n_in; ++j) columns(accumulate, b.column(slots_.in[j]), norm, n);
    // As sklearn's dense path: norms below 10 epsilon count as zero, and
    // those rows are left as they are.
    constexpr double tiny = 10 * std::numeric_limits<double>::epsilon();
    for (size_t i = 0; i < n; ++i) {
      const double v = norm_ == fb::Norm::L2 ? std::sqrt(norm[i]) : norm[i];
      norm[i] = v < tiny ? 1.0 : v;
    }
    for (uint32_t j = 0; j < slots_.n_in; ++j)
      columns(ColumnOp::div_by, b.column(slots_.in[j]), b.column(slots_.out + j), n, 0, 0, norm);
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

extern const OpKind standardize_kind{::mlmap::OpKind::standardize, /*reads_strings=*/never, /*writes_strings=*/false,
                                     /*one_to_one=*/true, /*n_columns=*/0, check_standardize};
extern const OpKind min_max_kind{::mlmap::OpKind::min_max, /*reads_strings=*/never, /*writes_strings=*/false,
                                 /*one_to_one=*/true, /*n_columns=*/0, check_min_max};
extern const OpKind max_abs_kind{::mlmap::OpKind::max_abs, /*reads_strings=*/never, /*writes_strings=*/false,
                                 /*one_to_one=*/true, /*n_columns=*/0, check_max_abs};
extern const OpKind normalize_kind{::mlmap::OpKind::normalize, /*reads_strings=*/never, /*writes_strings=*/false,
                                   /*one_to_one=*/false, /*n_columns=*/0, check_normalize};

}  // namespace mlmap::model::prep
