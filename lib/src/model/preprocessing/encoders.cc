// The encoders (FORMAT.md §7 "Encoders"): OneHot and Ordinal over numeric or
// string slots.  A numeric input with few categories is looked up over the
// whole block at once (kernels::column_lookup: the categories stay in
// registers); strings (by hash), larger category sets (binary search) and
// blocks of a few rows go row by row.  A one-hot encoder whose outputs only
// the predictor reads writes its 1s straight into the feature rows.  A value
// unknown under handle_unknown='error' fails its row, naming the input
// column and the value.
#include <cmath>
#include <cstring>

#include "core/quote_text.hpp"
#include "model/preprocessing/categories.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

// Numeric inputs with at most this many categories are looked up over
// blocks of at least row_scan_below rows; more categories (or fewer rows)
// take a binary search per row.
constexpr uint32_t scan_max_categories = 64;

bool scans(const CategoryRun& r, size_t n_rows) noexcept {
  return r.n_sorted <= scan_max_categories && n_rows >= row_scan_below;
}

const char* const unseen = ", unseen in training (the encoder has handle_unknown='error')";

// A string cell in a message: "category 'x'", "a missing value (NaN)", "None".
std::string cell_text(const StringCell& c) {
  switch (c.missing) {
    case StringCell::Missing::no: return "category " + core::quote_text(c.value, 80);
    case StringCell::Missing::nan: return "a missing value (NaN)";
    case StringCell::Missing::none: return "None";
    default: return "a value that is neither a string nor None nor NaN (pandas.NA)";
  }
}

class EncoderStep : public Step {
 public:
  EncoderStep(Slots s, Categories cats, bool strings) noexcept : Step(s), cats_(std::move(cats)), strings_(strings) {}

  size_t scratch_per_row() const noexcept override { return 1; }

 protected:
  bool refuses_unknown() const noexcept { return cats_.unknown == fb::UnknownCategory::Error; }
  bool scans(uint32_t j, size_t n_rows) const noexcept { return !strings_ && prep::scans(cats_.inputs[j], n_rows); }

  // y = codes[k] for x the k-th of input j's sorted categories, `otherwise`
  // for none; a missing value takes `missing_code` when the input has a
  // missing category.
  void look_up(const Block& b, uint32_t j, const double* codes, double otherwise, double missing_code, double* y,
               size_t n) const noexcept {
    const CategoryRun& r = cats_.inputs[j];
    const double* x = b.column(slots_.in[j]);
    if (r.by_index)
      kernels::column_lookup_by_index(x, n, cats_.numbers + r.first, codes, r.n_sorted, otherwise, y);
    else
      kernels::column_lookup(x, n, cats_.numbers + r.first, codes, r.n_sorted, otherwise, y);
    if (r.missing >= 0) columns(ColumnOp::set_if_nan, x, y, n, missing_code);
  }

  // Under 'error', after a block-wide lookup: the first row of input j with
  // no category (nor a missing value with a missing category) fails.
  void check_known(const Block& b, uint32_t j, Failure* f) const {
    if (!refuses_unknown()) return;
    const size_t n = f->limit(b.n_rows);
    double* known = b.scratch;
    look_up(b, j, cats_.ones.data(), 0.0, 1.0, known, n);
    for (size_t i = 0; i < n; ++i)
      if (known[i] == 0) return unknown_number(f, i, j, b.column(slots_.in[j])[i]);
  }

  void unknown_number(Failure* f, size_t row, uint32_t j, double x) const {
    f->fail(row, slots_.in[j], false, error_code::unknown_category,
            "has " + (std::isnan(x) ? std::string("a missing value (NaN)") : "category " + number_text(x)) + unseen);
  }
  void unknown_string(Failure* f, size_t row, uint32_t j, const StringCell& c) const {
    f->fail(row, slots_.in[j], true, error_code::unknown_category,
            "has " + cell_text(c) + unseen);
  }

  // Row by row: each row of input j to its category index, or -1 (unknown);
  // the first unknown one fails under 'error'.
  template <class Each>
  void each_row(const Block& b, uint32_t j, Failure* f, Each&& each) const {
    const CategoryRun& r = cats_.inputs[j];
    const size_t limit = f->limit(b.n_rows);
    if (strings_) {
      const StringCell* x = b.string_column(slots_.in[j]);
      for (size_t i = 0; i < limit; ++i) {
        const int64_t k = cats_.find(j, x[i]);
        if (k < 0 && refuses_unknown()) return unknown_string(f, i, j, x[i]);
        each(i, k);
      }
    } else {
      const double* x = b.column(slots_.in[j]);
      for (size_t i = 0; i < limit; ++i) {
        const int64_t k = std::isnan(x[i]) ? r.missing : cats_.find(r, x[i]);
        if (k < 0 && refuses_unknown()) return unknown_number(f, i, j, x[i]);
        each(i, k);
      }
    }
  }

  // A missing value in input j is refused, or becomes a NaN in output slot
  // `out` when `nan_out` (an ordinal's code).
  void flow_input(MissingFlow& m, uint32_t j, bool nan_out, uint32_t out) const {
    const CategoryRun& r = cats_.inputs[j];
    const bool refused = r.missing < 0 && refuses_unknown();
    auto& in = strings_ ? m.strings : m.numeric;
    if (refused || (nan_out && m.numeric[out])) in[slots_.in[j]] = 1;
  }

  Categories cats_;
  bool strings_;
};

class OneHotStep final : public EncoderStep {
 public:
  using EncoderStep::EncoderStep;

  void run(const Block& b, Failure* f) const noexcept override {
    try {
      for (uint32_t j = 0; j < slots_.n_in; ++j) {
        if (!positions_.empty())
          scans(j, b.n_rows) ? hits_by_lookup(b, j, f) : hits_by_row(b, j, f);
        else
          scans(j, b.n_rows) ? outputs_by_compare(b, j, f) : outputs_by_row(b, j, f);
      }
    } catch (...) {  // the message could not be built
      f->fail(0, slots_.in[0], strings_, error_code::out_of_memory, "out of memory describing an unknown category");
    }
  }

  // Straight into the features: run() leaves in input j's first output
  // column each row's output with the 1 (-1: none); F arrives zeroed.
  bool write_features_directly(const std::vector<uint32_t>& positions) override {
    positions_ = positions;
    return true;
  }
  void write_features(const Block& b, double* F, size_t pw) const noexcept override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const CategoryRun& r = cats_.inputs[j];
      if (r.width == 0) continue;
      const double* hit = b.column(slots_.out + r.out);
      const uint32_t* pos = positions_.data() + r.out;
      for (size_t i = 0; i < b.n_rows; ++i)
        if (hit[i] >= 0) F[i * pw + pos[static_cast<uint32_t>(hit[i])]] = 1.0;
    }
  }

  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) flow_input(m, j, false, 0);  // outputs are 0 or 1
  }
  void flow_nan(std::vector<char>&) const override {}

 private:
  double* output(const Block& b, const CategoryRun& r, uint32_t column) const noexcept {
    return b.column(slots_.out + r.out + column);
  }

  void hits_by_lookup(const Block& b, uint32_t j, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    if (r.width)  // an input without outputs is only checked
      look_up(b, j, cats_.column_code.data() + r.first, -1.0, cats_.column_code[r.first + r.count - 1],
              output(b, r, 0), f->limit(b.n_rows));
    check_known(b, j, f);
  }

  void hits_by_row(const Block& b, uint32_t j, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    double* hit = r.width ? output(b, r, 0) : nullptr;
    each_row(b, j, f, [&](size_t i, int64_t k) {
      if (hit) hit[i] = k >= 0 ? cats_.column_code[r.first + static_cast<uint32_t>(k)] : -1.0;
    });
  }

  // Each category writes its own output column (every output belongs to
  // exactly one category), so no output needs clearing first.
  void outputs_by_compare(const Block& b, uint32_t j, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    const double* x = b.column(slots_.in[j]);
    const size_t n = f->limit(b.n_rows);
    for (uint32_t k = 0; k < r.count; ++k) {
      const int32_t col = cats_.column[r.first + k];
      if (col < 0) continue;
      if (k < r.n_sorted)
        columns(ColumnOp::is_equal, x, output(b, r, static_cast<uint32_t>(col)), n, 0, cats_.numbers[r.first + k]);
      else  // the missing category
        columns(ColumnOp::is_nan, x, output(b, r, static_cast<uint32_t>(col)), n);
    }
    check_known(b, j, f);
  }

  // Row by row: the row's outputs cleared, then its category's set.
  void outputs_by_row(const Block& b, uint32_t j, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    double* y = output(b, r, 0);  // output c of row i: y[c * stride + i]
    const size_t stride = b.stride;
    each_row(b, j, f, [&](size_t i, int64_t k) {
      for (uint32_t c = 0; c < r.width; ++c) y[c * stride + i] = 0.0;
      const int32_t col = k >= 0 ? cats_.column[r.first + static_cast<uint32_t>(k)] : -1;
      if (col >= 0) y[static_cast<uint32_t>(col) * stride + i] = 1.0;
    });
  }

  std::vector<uint32_t> positions_;  // output o -> its feature, when writing features directly
};

Result<std::unique_ptr<Step>> check_one_hot(const OpCheck& c) {
  auto cats = Categories::check(c, true);
  if (!cats) return cats.error();
  Slots s = c.slots;
  s.n_out = cats->n_out;
  return std::unique_ptr<Step>(new OneHotStep(s, std::move(*cats), c.op.string_inputs()));
}

class OrdinalStep final : public EncoderStep {
 public:
  OrdinalStep(Slots s, Categories cats, bool strings, double unknown_value, double missing_encoded) noexcept
      : EncoderStep(s, std::move(cats), strings), unknown_value_(unknown_value), missing_encoded_(missing_encoded) {}

  void run(const Block& b, Failure* f) const noexcept override {
    try {
      for (uint32_t j = 0; j < slots_.n_in; ++j) {
        const CategoryRun& r = cats_.inputs[j];
        double* y = b.column(slots_.out + j);
        if (scans(j, b.n_rows)) {
          look_up(b, j, cats_.position.data() + r.first, unknown_value_, missing_encoded_, y, f->limit(b.n_rows));
          check_known(b, j, f);
        } else {
          each_row(b, j, f, [&](size_t i, int64_t k) { y[i] = encoded(r, k); });
        }
      }
    } catch (...) {
      f->fail(0, slots_.in[0], strings_, error_code::out_of_memory, "out of memory describing an unknown category");
    }
  }

  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double missing_out = cats_.inputs[j].missing >= 0 ? missing_encoded_ : unknown_value_;
      flow_input(m, j, std::isnan(missing_out), slots_.out + j);
    }
  }
  // Positions are finite; the codes for missing and unknown values may not be.
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j)
      may_be_nan[slots_.out + j] = (cats_.inputs[j].missing >= 0 && std::isnan(missing_encoded_)) ||
                                   (!refuses_unknown() && std::isnan(unknown_value_));
  }

 private:
  // The output for category k of input r (-1: unknown, not refused).
  double encoded(const CategoryRun& r, int64_t k) const noexcept {
    if (k < 0) return unknown_value_;
    if (k == r.missing) return missing_encoded_;
    return cats_.position[r.first + static_cast<uint32_t>(k)];
  }

  double unknown_value_;
  double missing_encoded_;
};

Result<std::unique_ptr<Step>> check_ordinal(const OpCheck& c) {
  auto cats = Categories::check(c, false);
  if (!cats) return cats.error();
  Slots s = c.slots;
  s.n_out = cats->n_out;
  return std::unique_ptr<Step>(
      new OrdinalStep(s, std::move(*cats), c.op.string_inputs(), c.op.unknown_value(), c.op.missing_encoded()));
}

bool string_inputs(const fb::Op& op) noexcept { return op.string_inputs(); }

}  // namespace

extern const OpKind one_hot_kind{::mlmap::OpKind::one_hot, /*reads_strings=*/string_inputs, /*writes_strings=*/false,
                                 /*one_to_one=*/false, /*n_columns=*/0, check_one_hot};
extern const OpKind ordinal_kind{::mlmap::OpKind::ordinal, /*reads_strings=*/string_inputs, /*writes_strings=*/false,
                                 /*one_to_one=*/false, /*n_columns=*/0, check_ordinal};

}  // namespace mlmap::model::prep
