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

class ImputeStringStep final : public Step {
 public:
  ImputeStringStep(Slots s, std::vector<std::string_view> fill) noexcept : Step(s), fill_(std::move(fill)) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const StringCell* __restrict x = b.string_column(slots_.in[j]);
      StringCell* __restrict y = b.string_column(slots_.out + j);
      const StringCell fill{fill_[j], false};
      for (size_t i = 0; i < n; ++i) y[i] = x[i].missing ? fill : x[i];
    }
  }
  void flow_missing(MissingFlow&) const override {}  // its outputs are never missing

 private:
  std::vector<std::string_view> fill_;
};

Result<std::unique_ptr<Step>> check_impute_string(const OpCheck& c) {
  if (auto st = c.count(size_of(c.op.fill_strings()), c.slots.n_in, "fill strings"); !st) return st.error();
  std::vector<std::string_view> fill;
  for (const auto* s : *c.op.fill_strings()) fill.push_back(s->string_view());
  return std::unique_ptr<Step>(new ImputeStringStep(per_input(c.slots), std::move(fill)));
}

}  // namespace

extern const OpKind impute_kind{"impute", /*reads_strings=*/never, /*writes_strings=*/false,
                                /*one_to_one=*/true, /*n_columns=*/0, check_impute};
extern const OpKind impute_string_kind{"impute_string", /*reads_strings=*/always, /*writes_strings=*/true,
                                       /*one_to_one=*/true, /*n_columns=*/0, check_impute_string};
extern const OpKind missing_indicator_kind{"missing_indicator", /*reads_strings=*/never, /*writes_strings=*/false,
                                           /*one_to_one=*/false, /*n_columns=*/0, check_missing_indicator};

}  // namespace mlmap::model::prep
