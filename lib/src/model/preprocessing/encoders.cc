// The encoders (FORMAT.md §7 "Encoders"): OneHot and Ordinal over numeric or
// string slots.  Numeric one-hot outputs are compared column by column (one
// pass per category, which vectorises and costs what writing the outputs
// costs); a numeric ordinal with few categories likewise; strings and larger
// ordinals look each row up by binary search.  A value that is unknown under
// handle_unknown='error' fails its row, naming the input column and the value.
#include <cmath>
#include <cstring>

#include "model/preprocessing/categories.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

// Numeric inputs with at most this many categories are encoded by a pass per
// category over blocks of at least row_scan_below rows; more categories (or
// fewer rows) take a binary search per row.
constexpr uint32_t scan_max_categories = 64;

bool scans(const CategoryRun& r, size_t n_rows) noexcept {
  return r.n_sorted <= scan_max_categories && n_rows >= row_scan_below;
}

const char* const unseen = ", unseen in training (the encoder has handle_unknown='error')";

class EncoderStep : public Step {
 public:
  EncoderStep(Slots s, Categories cats, bool strings) noexcept : Step(s), cats_(std::move(cats)), strings_(strings) {}

  size_t scratch_per_row() const noexcept override { return 1; }

 protected:
  bool refuses_unknown() const noexcept { return cats_.unknown == fb::UnknownCategory::Error; }

  void unknown_number(Failure* f, size_t row, uint32_t j, double x) const {
    f->fail(row, slots_.in[j], false, error_code::unknown_category,
            "has category " + (std::isnan(x) ? std::string("a missing value") : number_text(x)) + unseen);
  }
  void unknown_string(Failure* f, size_t row, uint32_t j, const StringCell& c) const {
    f->fail(row, slots_.in[j], true, error_code::unknown_category,
            "has category " + (c.missing ? std::string("a missing value") : "'" + std::string(c.value) + "'") + unseen);
  }
  // After a pass that set known[i] to nonzero for every row with a category:
  // the first row without one fails.
  void first_unknown(const Block& b, uint32_t j, const double* known, size_t limit, Failure* f) const {
    for (size_t i = 0; i < limit; ++i)
      if (known[i] == 0) return unknown_number(f, i, j, b.column(slots_.in[j])[i]);
  }
  // Every row of input j to its category index, or -1 (unknown); the first
  // unknown one fails under 'error'.
  template <class Each>
  void each_row(const Block& b, uint32_t j, Failure* f, Each&& each) const {
    const CategoryRun& r = cats_.inputs[j];
    const size_t limit = f->limit(b.n_rows);
    if (strings_) {
      const StringCell* x = b.string_column(slots_.in[j]);
      for (size_t i = 0; i < limit; ++i) {
        const int64_t k = x[i].missing ? r.missing : cats_.find(j, x[i].value);
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

  // A missing value in input j is refused, or becomes `missing_out` in
  // output slot `out` (NaN only for an ordinal's encoded value).
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
        if (!strings_ && scans(cats_.inputs[j], b.n_rows))
          scan_numbers(b, j, f);
        else
          by_row(b, j, f);
      }
    } catch (...) {  // the message could not be built
      f->fail(0, slots_.in[0], strings_, error_code::out_of_memory, "out of memory describing an unknown category");
    }
  }
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) flow_input(m, j, false, 0);  // outputs are 0 or 1
  }
  void flow_nan(std::vector<char>&) const override {}

 private:
  double* output(const Block& b, const CategoryRun& r, int32_t column) const noexcept {
    return b.column(slots_.out + r.out + static_cast<uint32_t>(column));
  }

  // Each category writes its own output column (every output belongs to
  // exactly one category), so no output needs clearing first.
  void scan_numbers(const Block& b, uint32_t j, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    const double* x = b.column(slots_.in[j]);
    const size_t n = f->limit(b.n_rows);
    double* known = refuses_unknown() ? b.scratch : nullptr;
    if (known) std::memset(known, 0, n * sizeof(double));
    for (uint32_t k = 0; k <= r.n_sorted; ++k) {
      if (k == r.n_sorted && r.missing < 0) break;
      const int32_t col = cats_.column[r.first + k];
      const bool missing = k == r.n_sorted;  // the missing category
      const double v = missing ? 0.0 : cats_.numbers[r.first + k];
      if (col >= 0) columns(missing ? ColumnOp::is_nan : ColumnOp::is_equal, x, output(b, r, col), n, 0, v);
      if (known) columns(missing ? ColumnOp::set_if_nan : ColumnOp::set_if_equal, x, known, n, 1.0, v);
    }
    if (known) first_unknown(b, j, known, n, f);
  }

  // Row by row: the row's outputs cleared, then its category's set.
  void by_row(const Block& b, uint32_t j, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    double* y = b.column(slots_.out + r.out);  // output c of row i: y[c * stride + i]
    const size_t stride = b.stride;
    each_row(b, j, f, [&](size_t i, int64_t k) {
      for (uint32_t c = 0; c < r.width; ++c) y[c * stride + i] = 0.0;
      const int32_t col = k >= 0 ? cats_.column[r.first + static_cast<uint32_t>(k)] : -1;
      if (col >= 0) y[static_cast<uint32_t>(col) * stride + i] = 1.0;
    });
  }
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
        if (!strings_ && scans(r, b.n_rows))
          scan_numbers(b, j, y, f);
        else
          each_row(b, j, f, [&](size_t i, int64_t k) { y[i] = encoded(r, k); });
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

  void scan_numbers(const Block& b, uint32_t j, double* y, Failure* f) const {
    const CategoryRun& r = cats_.inputs[j];
    const double* x = b.column(slots_.in[j]);
    const size_t n = f->limit(b.n_rows);
    double* known = refuses_unknown() ? b.scratch : nullptr;
    const double unknown = unknown_value_;
    for (size_t i = 0; i < n; ++i) y[i] = unknown;
    if (known) std::memset(known, 0, n * sizeof(double));
    for (uint32_t k = 0; k < r.n_sorted; ++k) {
      const double v = cats_.numbers[r.first + k];
      columns(ColumnOp::set_if_equal, x, y, n, cats_.position[r.first + k], v);
      if (known) columns(ColumnOp::set_if_equal, x, known, n, 1.0, v);
    }
    if (r.missing >= 0) {
      columns(ColumnOp::set_if_nan, x, y, n, missing_encoded_);
      if (known) columns(ColumnOp::set_if_nan, x, known, n, 1.0);
    }
    if (known) first_unknown(b, j, known, n, f);
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

extern const OpKind one_hot_kind{"one_hot", "an indicator output per category of each input", string_inputs, false,
                                 false, 0, check_one_hot};
extern const OpKind ordinal_kind{"ordinal", "the position of each input's category", string_inputs, false, false, 0,
                                 check_ordinal};

}  // namespace mlmap::model::prep
