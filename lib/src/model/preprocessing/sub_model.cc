// SubModel (FORMAT.md §7.3): a complete model file nested in a UInt8
// parameter column, run over the op's input slots as its features.  This is
// how meta-estimators compose (VotingClassifier's estimators, a stacking's
// base models ...): each one is a sub-model writing what the combination
// reads -- its outputs (probabilities, values), raw scores, decision values
// or its predicted class as indicators -- and the combination is ops after
// it.  The nested file is checked at open exactly as a top-level file is
// (tier a, the model's checks, its predictor's views), bounded in nesting
// depth (limits::max_sub_model_depth); verify() verifies it as a whole.
//
// The nested model's own preprocessing runs in the outer program instead
// (writers flatten it there), so a nested file with a program of its own is
// refused: one program, one block, one missing-value analysis.
#include <algorithm>
#include <cmath>
#include <vector>

#include "format/limits.hpp"
#include "format/schema_enums.hpp"
#include "model/loaded_model.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

// The nesting depth of the sub-models being opened on this thread.
thread_local uint32_t opening_depth = 0;

struct DepthGuard {
  DepthGuard() noexcept { ++opening_depth; }
  ~DepthGuard() { --opening_depth; }
};

class SubModelStep final : public Step {
 public:
  SubModelStep(Slots s, std::shared_ptr<const LoadedModel> m, SubModelOutput what, std::string name) noexcept
      : Step(s), m_(std::move(m)), what_(what), name_(std::move(name)) {}

  size_t scratch_per_row() const noexcept override {
    return slots_.n_in + m_->link.n_raw + m_->link.n_outputs + m_->link.decision_width();
  }

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t w = slots_.n_in, n_raw = m_->link.n_raw, n_outputs = m_->link.n_outputs;
    const size_t n = b.n_rows;
    double* X = b.scratch;
    double* raw = X + b.stride * w;
    double* val = raw + b.stride * n_raw;
    double* dec = val + b.stride * n_outputs;
    for (size_t j = 0; j < w; ++j) {
      const double* x = b.column(slots_.in[j]);
      for (size_t i = 0; i < n; ++i) X[i * w + j] = x[i];
    }
    if (!m_->predictor->accepts_missing())
      for (size_t i = 0; i < f->limit(n); ++i)
        for (size_t j = 0; j < w; ++j)
          if (std::isnan(X[i * w + j])) {
            f->fail(i, slots_.in[j], false, error_code::missing_value,
                    "is missing (NaN), but " + name_ + " (" + m_->info.estimator +
                        ") cannot take missing values (impute them first)");
            break;
          }
    size_t rows = f->limit(n);
    if (rows == 0) return;
    if (!m_->predictor->check_rows(X, rows, 0)) {
      for (size_t i = 0; i < rows; ++i)
        if (auto st = m_->predictor->check_rows(X + i * w, 1, i); !st) {
          f->fail(i, slots_.in[0], false, st.code(), "reaches " + name_ + ", which refuses it: " + st.message());
          rows = i;
          break;
        }
      if (rows == 0) return;
    }
    Status st = m_->predictor->raw_scores(X, rows, raw);
    if (st && !m_->base_score.empty())
      for (size_t i = 0; i < rows; ++i)
        for (size_t j = 0; j < n_raw; ++j) raw[i * n_raw + j] += m_->base_score[j];
    const LinkSpec& l = m_->link;
    const bool want_class = what_ == SubModelOutput::class_one_hot || what_ == SubModelOutput::outputs_and_class_one_hot;
    const bool want_decision = what_ == SubModelOutput::decision || what_ == SubModelOutput::outputs_and_decision ||
                               (want_class && l.class_from_decision());
    const bool linked = what_ != SubModelOutput::raw;
    if (st && linked) st = apply_link(l, raw, rows, val);
    if (st && want_decision) st = apply_decision_function(l, raw, val, rows, dec);
    if (!st) {
      f->fail(0, slots_.in[0], false, st.code(), "reaches " + name_ + ", which failed: " + st.message());
      return;
    }
    // the combined outputs write the outputs first, then the rest after them
    const uint32_t after = what_ == SubModelOutput::outputs_and_class_one_hot ||
                                   what_ == SubModelOutput::outputs_and_decision
                               ? static_cast<uint32_t>(n_outputs)
                               : 0;
    if (after) scatter(val, rows, n_outputs, b, 0);
    switch (what_) {
      case SubModelOutput::outputs: scatter(val, rows, n_outputs, b, 0); break;
      case SubModelOutput::raw: scatter(raw, rows, n_raw, b, 0); break;
      case SubModelOutput::decision:
      case SubModelOutput::outputs_and_decision: scatter(dec, rows, l.decision_width(), b, after); break;
      case SubModelOutput::class_one_hot:
      case SubModelOutput::outputs_and_class_one_hot: {
        try {
          std::vector<int64_t> classes(rows);
          st = decide_classes(l, raw, val, want_decision ? dec : nullptr, rows, classes.data());
          if (!st) {
            f->fail(0, slots_.in[0], false, st.code(), "reaches " + name_ + ", which failed: " + st.message());
            return;
          }
          for (uint32_t k = after; k < slots_.n_out; ++k) {
            double* y = b.column(slots_.out + k);
            for (size_t i = 0; i < rows; ++i) y[i] = classes[i] == static_cast<int64_t>(k - after) ? 1.0 : 0.0;
          }
        } catch (const std::bad_alloc&) {
          f->fail(0, slots_.in[0], false, error_code::out_of_memory, "reaches " + name_ + ": out of memory");
        }
        break;
      }
    }
  }

  // A predictor that cannot route NaN refuses it in any feature; one that
  // routes it gives finite outputs, so a missing value goes no further.
  void flow_missing(MissingFlow& m) const override {
    if (m_->predictor->accepts_missing()) return;
    for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    // Indicators are 0 or 1; other outputs follow the arithmetic (+-inf in
    // a linear model's input gives NaN).
    const uint32_t indicators_from = what_ == SubModelOutput::class_one_hot               ? 0
                                     : what_ == SubModelOutput::outputs_and_class_one_hot ? m_->link.n_outputs
                                                                                          : slots_.n_out;
    for (uint32_t o = 0; o < slots_.n_out; ++o) may_be_nan[slots_.out + o] = o < indicators_from ? 1 : 0;
  }

  Status verify() const noexcept override {
    auto st = verify_model(*m_);
    if (!st) return Error(st.code(), name_ + ": " + st.message());
    return {};
  }

 private:
  // v's `width` values per row into the output slots from `first` on.
  void scatter(const double* v, size_t rows, size_t width, const Block& b, uint32_t first) const noexcept {
    for (uint32_t k = 0; first + k < slots_.n_out && k < width; ++k) {
      double* y = b.column(slots_.out + first + k);
      for (size_t i = 0; i < rows; ++i) y[i] = v[i * width + k];
    }
  }

  std::shared_ptr<const LoadedModel> m_;
  SubModelOutput what_;
  std::string name_;
};

Result<std::unique_ptr<Step>> check_sub_model(const OpCheck& c) {
  const std::string name = c.op.name() && c.op.name()->size() ? c.op.name()->str() : c.where;
  SubModelOutput what{};
  if (!format::from_schema(c.op.sub_model_output(), what))
    return Error(error_code::unsupported_model, c.where + ": sub_model_output " +
                                                    str(static_cast<unsigned>(c.op.sub_model_output())) +
                                                    " is unknown to this reader");
  if (opening_depth >= limits::max_sub_model_depth)
    return Error(error_code::limit_exceeded, c.where + ": sub-models nest deeper than " +
                                                 str(limits::max_sub_model_depth) + " levels");
  const std::string role = c.where + " file";
  auto bytes = c.file.byte_column(c.op.columns()->Get(0), role.c_str());
  if (!bytes) return bytes.error();
  const uint64_t offset = static_cast<uint64_t>(bytes->first - c.file.base());
  auto nested = [&]() -> Result<std::shared_ptr<const LoadedModel>> {
    DepthGuard guard;
    auto mapping = format::Mapping::slice(c.file.mapping(), offset, bytes->second);
    if (!mapping) return mapping.error();
    auto view = format::FileView::check(std::move(*mapping));
    if (!view) return view.error();
    return load_model(std::move(*view));
  }();
  if (!nested) return Error(nested.code(), name + " (" + c.where + "): " + nested.message());
  const LoadedModel& m = **nested;
  if (m.preprocessing)
    return Error(error_code::unsupported_model, name + ": a nested model with a preprocessing program of its own "
                                                       "(writers put it in the outer program)");
  if (m.info.n_features != c.slots.n_in)
    return c.bad(name + " takes " + str(m.info.n_features) + " features but the step gives it " + str(c.slots.n_in));
  uint64_t width = 0;
  switch (what) {
    case SubModelOutput::outputs: width = m.link.n_outputs; break;
    case SubModelOutput::raw: width = m.link.n_raw; break;
    case SubModelOutput::decision: width = m.link.decision_width(); break;
    case SubModelOutput::outputs_and_decision: width = m.link.n_outputs + uint64_t{m.link.decision_width()}; break;
    case SubModelOutput::class_one_hot:
    case SubModelOutput::outputs_and_class_one_hot:
      if (m.info.task != Task::classification)
        return c.bad(name + " is a " + std::string(enum_name(m.info.task)) + " model; " + enum_name(what) +
                     " needs a classifier");
      // one class per row (a multi-output classifier decides several)
      if (m.link.classes_per_row() != 1)
        return c.bad(name + " is a multi-output classifier; " + std::string(enum_name(what)) +
                     " needs one class per row");
      width = m.info.classes.size() + (what == SubModelOutput::outputs_and_class_one_hot ? m.link.n_outputs : 0);
      break;
  }
  if (c.slots.n_out != width)
    return c.bad(name + " writes " + str(width) + " values per row as " + enum_name(what) + ", the step declares " +
                 str(c.slots.n_out));
  Slots s = c.slots;
  s.n_out = static_cast<uint32_t>(width);
  return std::unique_ptr<Step>(new SubModelStep(s, std::move(*nested), what, name));
}

}  // namespace

extern const OpKind sub_model_kind{::mlmap::OpKind::sub_model, /*reads_strings=*/never, /*writes_strings=*/false,
                                   /*one_to_one=*/false, /*n_columns=*/1, check_sub_model};

}  // namespace mlmap::model::prep
