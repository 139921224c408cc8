// Missing values (FORMAT.md §7): Impute, ImputeString, MissingIndicator.
// Missing is NaN, or (missing_is_nan false) equality with missing_value.
#include <cmath>
#include <string_view>
#include <vector>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class ImputeStep final : public Step {
 public:
  ImputeStep(Slots s, const double* fill, bool nan_missing, double missing_value) noexcept
      : Step(s), fill_(fill), nan_missing_(nan_missing), missing_value_(missing_value) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      columns(nan_missing_ ? ColumnOp::fill_nan : ColumnOp::fill_equal, x, y, n, fill_[j], missing_value_);
    }
  }

  bool unary_op(uint32_t j, ColumnOp* op, kernels::ColumnArgs* args) const noexcept override {
    *op = nan_missing_ ? ColumnOp::fill_nan : ColumnOp::fill_equal;
    args->a = fill_[j];
    args->b = missing_value_;
    return true;
  }

  // NaN is replaced by the fill (NaN only if the fill is), or, when missing
  // is a sentinel value, passes through.
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j)
      if (m.numeric[slots_.out + j] && (!nan_missing_ || std::isnan(fill_[j]))) m.numeric[slots_.in[j]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j)
      may_be_nan[slots_.out + j] = nan_missing_ ? std::isnan(fill_[j]) : may_be_nan[slots_.in[j]];
  }

 private:
  const double* fill_;
  bool nan_missing_;
  double missing_value_;
};

Result<std::unique_ptr<Step>> check_impute(const OpCheck& c) {
  if (auto st = c.count(size_of(c.op.a()), c.slots.n_in, "fill values"); !st) return st.error();
  return std::unique_ptr<Step>(
      new ImputeStep(per_input(c.slots), c.op.a()->data(), c.op.missing_is_nan(), c.op.missing_value()));
}

class MissingIndicatorStep final : public Step {
 public:
  MissingIndicatorStep(Slots s, bool nan_missing, double missing_value) noexcept
      : Step(s), nan_missing_(nan_missing), missing_value_(missing_value) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      columns(nan_missing_ ? ColumnOp::is_nan : ColumnOp::is_equal, x, y, n, 0, missing_value_);
    }
  }
  void flow_missing(MissingFlow&) const override {}  // its outputs are 0 or 1
  void flow_nan(std::vector<char>&) const override {}

 private:
  bool nan_missing_;
  double missing_value_;
};

Result<std::unique_ptr<Step>> check_missing_indicator(const OpCheck& c) {
  return std::unique_ptr<Step>(
      new MissingIndicatorStep(per_input(c.slots), c.op.missing_is_nan(), c.op.missing_value()));
}

// Which cells are filled follows `which` (schema StringMissing): NaN and
// None (older files; anything not a string), only NaN (None passes through,
// as scikit-learn's missing_values=nan leaves it), or only None (NaN fails,
// as scikit-learn raises).  pandas.NA fails in the last two, as in
// scikit-learn.
class ImputeStringStep final : public Step {
 public:
  using Missing = StringCell::Missing;
  ImputeStringStep(Slots s, std::vector<std::string_view> fill, fb::StringMissing which) noexcept
      : Step(s), fill_(std::move(fill)), which_(which) {}

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const StringCell* __restrict x = b.string_column(slots_.in[j]);
      StringCell* __restrict y = b.string_column(slots_.out + j);
      const StringCell fill{fill_[j], Missing::no};
      if (which_ == fb::StringMissing::NanOrNone) {
        for (size_t i = 0; i < n; ++i) y[i] = x[i].present() ? x[i] : fill;
        continue;
      }
      const Missing filled = which_ == fb::StringMissing::NanOnly ? Missing::nan : Missing::none;
      const Missing refused = which_ == fb::StringMissing::NanOnly ? Missing::other : Missing::nan;
      for (size_t i = 0; i < n; ++i) {
        y[i] = x[i].missing == filled ? fill : x[i];
        if (x[i].missing == refused || x[i].missing == Missing::other) {
          refuse(f, i, j, x[i].missing);
          break;
        }
      }
    }
  }
  // With only None filled, a NaN is refused; with only NaN, None passes on
  // (not a missing value for what follows).
  void flow_missing(MissingFlow& m) const override {
    if (which_ != fb::StringMissing::NoneOnly) return;
    for (uint32_t j = 0; j < slots_.n_in; ++j) m.strings[slots_.in[j]] = 1;
  }

 private:
  void refuse(Failure* f, size_t row, uint32_t j, Missing what) const noexcept {
    try {
      if (what == Missing::nan)
        f->fail(row, slots_.in[j], true, error_code::missing_value,
                "is NaN, which its imputer (missing_values=None) does not accept");
      else
        f->fail(row, slots_.in[j], true, error_code::invalid_argument,
                "holds a value that is neither a string nor None nor NaN (pandas.NA), which its imputer refuses");
    } catch (...) {
      f->fail(row, slots_.in[j], true, error_code::out_of_memory, "out of memory describing a refused value");
    }
  }

  std::vector<std::string_view> fill_;
  fb::StringMissing which_;
};

Result<std::unique_ptr<Step>> check_impute_string(const OpCheck& c) {
  if (auto st = c.count(size_of(c.op.fill_strings()), c.slots.n_in, "fill strings"); !st) return st.error();
  std::vector<std::string_view> fill;
  for (const auto* s : *c.op.fill_strings()) fill.push_back(s->string_view());
  if (c.op.string_missing() > fb::StringMissing::MAX) return c.bad("unknown string_missing");
  return std::unique_ptr<Step>(new ImputeStringStep(per_input(c.slots), std::move(fill), c.op.string_missing()));
}

}  // namespace

extern const OpKind impute_kind{::mlmap::OpKind::impute, /*reads_strings=*/never, /*writes_strings=*/false,
                                /*one_to_one=*/true, /*n_columns=*/0, check_impute};
extern const OpKind impute_string_kind{::mlmap::OpKind::impute_string, /*reads_strings=*/always, /*writes_strings=*/true,
                                       /*one_to_one=*/true, /*n_columns=*/0, check_impute_string};
extern const OpKind missing_indicator_kind{::mlmap::OpKind::missing_indicator, /*reads_strings=*/never, /*writes_strings=*/false,
                                           /*one_to_one=*/false, /*n_columns=*/0, check_missing_indicator};

}  // namespace mlmap::model::prep
