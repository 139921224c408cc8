// Checking the program at open (FORMAT.md §7, §8a): the generic rules every
// op follows (known kind, inputs written before, outputs at the next free
// slot, parameter columns that exist), then each kind's own check from the
// op table, which compiles the op into its Step.
#include "model/preprocessing.hpp"

#include <algorithm>
#include <numeric>

#include "format/limits.hpp"
#include "model/preprocessing/op_table.hpp"

namespace mlmap::model {

namespace {

using prep::size_of;

std::string str(uint64_t v) { return std::to_string(v); }

// The slot columns of a block: about this many bytes, so that a block's
// columns stay in L2 while the steps pass over them.
constexpr size_t block_bytes = size_t{256} << 10;
constexpr size_t max_block_rows = 256;

// The generic checks of op k; advances nothing.
Status check_slots(const fb::Op& op, const prep::OpKind& kind, const std::string& where,
                   const std::vector<bool>& string_input, uint64_t numeric_frontier, uint64_t string_frontier) {
  auto bad = [&](const std::string& what) { return Error(error_code::invalid_model, where + ": " + what); };
  if (op.inputs()->size() == 0) return bad("has no inputs");
  const bool strings = kind.reads_strings(op);
  for (uint32_t s : *op.inputs()) {
    if (strings) {
      if (s >= string_frontier) return bad("reads string slot " + str(s) + " before it is written");
      if (s < string_input.size() && !string_input[s]) return bad("reads numeric input column " + str(s) + " as a string");
    } else {
      if (s >= numeric_frontier) return bad("reads slot " + str(s) + " before it is written");
      if (s < string_input.size() && string_input[s]) return bad("reads string input column " + str(s) + " as a number");
    }
  }
  const uint64_t frontier = kind.writes_strings ? string_frontier : numeric_frontier;
  if (op.out_begin() != frontier)
    return bad("writes from slot " + str(op.out_begin()) + ", expected the next free slot " + str(frontier));
  return {};
}

// Op.columns: every reference names a column of the file (column_mismatch),
// and there are as many as the kind takes (invalid_model).  Their dtypes and
// lengths are the kind's to check (OpCheck::column).
Status check_op_columns(const fb::Op& op, const prep::OpKind& kind, const std::string& where,
                        const format::FileView& file) {
  const size_t n = size_of(op.columns());
  for (uint32_t k = 0; k < n; ++k) {
    const std::string role = where + " parameter column " + str(k);
    auto dtype = file.column_dtype(op.columns()->Get(k), role.c_str());
    if (!dtype) return dtype.error();
  }
  if (n != kind.n_columns)
    return Error(error_code::invalid_model, where + ": refers to " + str(n) + " parameter columns, a " + kind.name() +
                                                " step takes " + str(kind.n_columns));
  return {};
}

}  // namespace

namespace prep {

Status OpCheck::count(size_t got, size_t want, const char* what) const {
  if (got != want) return bad(std::string(what) + " has " + str(got) + " values, expected " + str(want));
  return {};
}

}  // namespace prep

Result<Preprocessor> Preprocessor::make(const format::FileView& file, const fb::Preprocessing& p, uint32_t n_inputs,
                                        const std::vector<std::string>* names, PreprocessingSummary* summary) noexcept {
  try {
    Preprocessor pre;
    pre.names_ = names;
    const auto* kinds = p.input_kinds();
    if (size_of(kinds) != 0 && size_of(kinds) != n_inputs)
      return Error(error_code::invalid_model, "preprocessing names the kind of " + str(size_of(kinds)) +
                                                  " input columns, the model has " + str(n_inputs));
    pre.string_input_.assign(n_inputs, false);
    bool needs_strings = false;
    for (uint32_t i = 0; i < size_of(kinds); ++i) {
      if (kinds->Get(i) > fb::InputKind::MAX)
        return Error(error_code::unsupported_model, "input column " + str(i) + " has a kind unknown to this reader");
      pre.string_input_[i] = kinds->Get(i) == fb::InputKind::String;
      needs_strings = needs_strings || pre.string_input_[i];
    }
    if (p.ops()->size() > limits::max_ops)
      return Error(error_code::limit_exceeded, "more than " + str(limits::max_ops) + " preprocessing steps");
    uint64_t numeric = n_inputs, strings = n_inputs;
    std::vector<bool> read(n_inputs, false);
    std::vector<char> may_be_nan(n_inputs, 1);  // numeric slots that may hold NaN
    std::vector<char> reads_numbers, writes_numbers;  // per step
    for (uint32_t i = 0; i < n_inputs; ++i) {
      pre.numeric_origin_.push(i);
      pre.string_origin_.push(i);
    }
    for (uint32_t k = 0; k < p.ops()->size(); ++k) {
      const fb::Op& op = *p.ops()->Get(k);
      const prep::OpKind* kind = prep::op_kind(op.kind());
      if (!kind)
        return Error(error_code::unsupported_model, "preprocessing step " + str(k) +
                                                        " is of a kind unknown to this reader (" +
                                                        str(static_cast<unsigned>(op.kind())) + ")");
      const std::string where = "preprocessing step " + str(k) + " (" + kind->name() + ")";
      auto st = check_slots(op, *kind, where, pre.string_input_, numeric, strings);
      if (st) st = check_op_columns(op, *kind, where, file);
      if (!st) return st.error();
      uint64_t& frontier = kind->writes_strings ? strings : numeric;
      prep::Slots slots{op.inputs()->data(), op.inputs()->size(), op.out_begin(), op.n_out()};
      auto step = kind->check(prep::OpCheck{op, file, where, slots});
      if (!step) return step.error();
      const uint32_t n_out = (*step)->slots().n_out;
      if (op.n_out() != n_out)
        return Error(error_code::invalid_model,
                     where + ": writes " + str(op.n_out()) + " slots, its inputs give " + str(n_out));
      frontier += n_out;
      if (frontier > limits::max_slots) return Error(error_code::limit_exceeded, where + ": more than 2^24 slots");
      if (summary) summary->step_kinds.push_back(kind->name());
      const bool reads_strings = kind->reads_strings(op);
      reads_numbers.push_back(!reads_strings);
      writes_numbers.push_back(!kind->writes_strings);
      pre.uses_strings_ = pre.uses_strings_ || reads_strings || kind->writes_strings;
      for (uint32_t s : *op.inputs())
        if (s < n_inputs) read[s] = true;
      auto& in_origin = reads_strings ? pre.string_origin_ : pre.numeric_origin_;
      auto& out_origin = kind->writes_strings ? pre.string_origin_ : pre.numeric_origin_;
      // Output o comes from input o (one-to-one kinds, and Ordinal: one code
      // per input), or from the one column every input comes from, if any.
      const bool per_input = kind->one_to_one || (op.kind() == fb::OpKind::Ordinal && n_out == op.inputs()->size());
      int64_t common = op.inputs()->size() ? in_origin[op.inputs()->Get(0)] : -1;
      for (uint32_t s : *op.inputs())
        if (in_origin[s] != common) common = -1;
      if (per_input) {
        for (uint32_t o = 0; o < n_out; ++o) out_origin.push(in_origin[op.inputs()->Get(o)]);
      } else {
        out_origin.push_common(n_out, common);  // one entry: a text vectorizer has 2^20 outputs
      }
      pre.scratch_per_row_ = std::max(pre.scratch_per_row_, (*step)->scratch_per_row());
      if (!kind->writes_strings && !(*step)->outputs_never_nan()) {  // else its slots past the end read 0
        may_be_nan.resize(numeric, 0);
        (*step)->flow_nan(may_be_nan);
      }
      pre.steps_.push_back(std::move(*step));
    }
    if (p.n_slots() != numeric || p.n_string_slots() != strings)
      return Error(error_code::invalid_model, "preprocessing declares " + str(p.n_slots()) + " + " +
                                                  str(p.n_string_slots()) + " slots, its steps use " + str(numeric) +
                                                  " + " + str(strings));
    pre.n_slots_ = numeric;
    pre.n_string_slots_ = strings;
    if (auto st = pre.take_features(p, numeric); !st) return st.error();
    // Features given as runs (a text vectorizer's 2^20 outputs) are checked
    // run by run: opening does no work per feature for them.
    auto check_feature = [&](uint32_t s) -> Status {
      if (s >= numeric) return Error(error_code::invalid_model, "a predictor feature reads slot " + str(s) + " of " + str(numeric));
      if (s < n_inputs && pre.string_input_[s])
        return Error(error_code::invalid_model, "a predictor feature reads string input column " + str(s));
      if (s < n_inputs) read[s] = true;
      return {};
    };
    if (!pre.by_runs_)
      for (size_t k = 0; k < pre.n_features_; ++k)
        if (auto st = check_feature(pre.features_[k]); !st) return st.error();
    for (const FeatureRun& r : pre.runs_)  // inside the slots (take_features): only their input columns
      for (uint32_t s = r.slot; s < std::min<uint64_t>(uint64_t{r.slot} + r.count, n_inputs); ++s)
        if (auto st = check_feature(s); !st) return st.error();
    // may_be_nan ends before the outputs of steps that never give NaN
    // when no step after them writes numbers: slots past its end read 0.
    auto may_nan = [&](uint64_t k, uint32_t s) {
      if (s < may_be_nan.size() && may_be_nan[s]) {
        pre.nan_features_.push_back(static_cast<uint32_t>(k));
        pre.nan_slots_.push_back(s);
      }
    };
    if (!pre.by_runs_)
      for (uint32_t k = 0; k < pre.n_features_; ++k) may_nan(k, pre.features_[k]);
    for (const FeatureRun& r : pre.runs_)
      for (uint32_t s = r.slot; s < std::min<uint64_t>(uint64_t{r.slot} + r.count, may_be_nan.size()); ++s)
        may_nan(r.position + (s - r.slot), s);
    pre.plan_features(may_be_nan, reads_numbers, writes_numbers);
    pre.plan_row_map();
    for (uint32_t c = 0; c < n_inputs; ++c) {
      if (read[c])
        pre.input_columns_.push_back(c);
      else if (summary)
        summary->unread_columns.push_back(c);
    }
    const size_t row_bytes = pre.n_slot_columns_ * sizeof(double) + pre.scratch_per_row_ * sizeof(double) +
                             (pre.uses_strings_ ? pre.n_string_slots_ * sizeof(StringCell) : 0);
    pre.block_rows_ = std::clamp<size_t>(block_bytes / row_bytes, 1, max_block_rows);
    if (summary) {
      summary->n_steps = p.ops()->size();
      summary->n_predictor_features = pre.n_features_;
      summary->needs_strings = needs_strings;
    }
    return pre;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory checking the preprocessing");
  }
}

// Preprocessing.features, or feature_runs (FORMAT.md §7): kept as runs
// (by_runs_) when the file gives runs or its list is one run, else as the
// header's list.
Status Preprocessor::take_features(const fb::Preprocessing& p, uint64_t n_slots) {
  const auto* runs = p.feature_runs();
  if (size_of(runs) == 0) {
    features_ = p.features()->data();
    n_features_ = p.features()->size();
    if (n_features_ == 0) return Error(error_code::invalid_model, "preprocessing gives the predictor no features");
    const uint32_t first = features_[0];
    bool one_run = uint64_t{first} + n_features_ <= n_slots;
    for (uint32_t k = 0; k < n_features_ && one_run; ++k) one_run = features_[k] == first + k;
    if (one_run) runs_.push_back({first, static_cast<uint32_t>(n_features_), 0});
  } else {
    if (p.features()->size() != 0)
      return Error(error_code::invalid_model, "preprocessing gives the predictor's features both as slots and as runs");
    uint64_t total = 0;
    for (uint32_t i = 0; i < runs->size(); ++i) {
      const fb::FeatureRun& r = *runs->Get(i);
      if (r.count() == 0) return Error(error_code::invalid_model, "predictor feature run " + str(i) + " is empty");
      if (uint64_t{r.first()} + r.count() > n_slots)
        return Error(error_code::invalid_model, "predictor feature run " + str(i) + " reads slots [" + str(r.first()) +
                                                    ", " + str(uint64_t{r.first()} + r.count()) + ") of " + str(n_slots));
      runs_.push_back({r.first(), r.count(), total});
      total += r.count();
    }
    if (total > limits::max_features)
      return Error(error_code::limit_exceeded, "the predictor features' runs give " + str(total) +
                                                   " features, more than " + str(limits::max_features));
    n_features_ = total;
  }
  by_runs_ = !runs_.empty();
  runs_by_slot_ = runs_;
  std::sort(runs_by_slot_.begin(), runs_by_slot_.end(),
            [](const FeatureRun& a, const FeatureRun& b) { return a.slot < b.slot; });
  uint64_t end = 0;
  for (const FeatureRun& r : runs_by_slot_) {
    slot_end_before_.push_back(end);
    end = std::max(end, uint64_t{r.slot} + r.count);
  }
  return {};
}

// A step may write its features directly when only the predictor reads its
// outputs: no step reads them, each is a feature once, none may hold NaN.
// `reads_numbers[t]`, `writes_numbers[t]`: the slots of step t are numeric.
// When the features are one run of slots in order (a text vectorizer's
// outputs, or a program's last steps'), a slot's position follows from the
// slot, and opening builds no table per slot for them.
void Preprocessor::plan_features(const std::vector<char>& may_be_nan, const std::vector<char>& reads_numbers,
                                 const std::vector<char>& writes_numbers) {
  std::vector<uint32_t> step_reads;  // the numeric slots some step reads, sorted
  for (size_t t = 0; t < steps_.size(); ++t) {
    const prep::Slots& s = steps_[t]->slots();
    if (reads_numbers[t]) step_reads.insert(step_reads.end(), s.in, s.in + s.n_in);
  }
  if (!std::is_sorted(step_reads.begin(), step_reads.end()))  // one scaler over 10,000 columns: sorted already
    std::sort(step_reads.begin(), step_reads.end());
  const bool run = by_runs_;
  std::vector<uint32_t> times, position;  // per slot, unless the features are a run
  if (!run) {
    times.assign(n_slots_, 0);
    position.assign(n_slots_, 0);
    for (uint32_t k = 0; k < n_features_; ++k) {
      ++times[features_[k]];
      position[features_[k]] = k;
    }
  }
  // Whether outputs [out, out + n) of a step are each a feature once and
  // read by no step nor NaN; their positions into `positions` (in a run:
  // as the run's first position, no list).
  auto only_features = [&](uint32_t out, uint32_t n, prep::FeaturePositions& positions) {
    auto r = std::lower_bound(step_reads.begin(), step_reads.end(), out);
    if (r != step_reads.end() && *r < uint64_t{out} + n) return false;
    const size_t nan_end = std::min<size_t>(may_be_nan.size(), uint64_t{out} + n);  // past it: never NaN
    if (out < nan_end && std::any_of(may_be_nan.begin() + out, may_be_nan.begin() + nan_end, [](char c) { return c != 0; }))
      return false;
    positions.n = n;
    if (run) {  // the run holding slot `out` must hold them all, and no other run any
      auto it = std::upper_bound(runs_by_slot_.begin(), runs_by_slot_.end(), out,
                                 [](uint32_t s, const FeatureRun& r) { return s < r.slot; });
      if (it == runs_by_slot_.begin()) return false;
      const size_t i = static_cast<size_t>(it - runs_by_slot_.begin()) - 1;
      const FeatureRun& r = runs_by_slot_[i];
      if (uint64_t{out} + n > uint64_t{r.slot} + r.count || slot_end_before_[i] > out) return false;
      if (it != runs_by_slot_.end() && it->slot < uint64_t{out} + n) return false;
      positions.first = static_cast<uint32_t>(r.position + (out - r.slot));
      return true;
    }
    positions.list.resize(n);
    for (uint32_t o = 0; o < n; ++o) {
      if (times[out + o] != 1) return false;
      positions.list[o] = position[out + o];
    }
    return true;
  };
  // The features steps write themselves: flags per feature, or in a run,
  // ranges of positions (a text vectorizer's 2^20 need no flags).
  std::vector<char> direct(run ? 0 : n_features_, 0);
  std::vector<std::pair<uint32_t, uint32_t>> direct_ranges;  // in a run: [begin, end) positions
  auto mark_direct = [&](const prep::FeaturePositions& positions) {
    if (run)
      direct_ranges.emplace_back(positions.first, positions.first + positions.n);
    else
      for (uint32_t o = 0; o < positions.n; ++o) direct[positions[o]] = 1;
  };
  std::vector<std::pair<uint32_t, uint32_t>> sparse_slots;  // [begin, end) of the sparse steps' outputs
  // First the steps that write sparsely (their slots get no column); with
  // any, the others' features are gathered, so that all go one way.
  for (int pass = 0; pass < 2; ++pass)
    for (size_t t = 0; t < steps_.size(); ++t) {
      const prep::Slots& s = steps_[t]->slots();
      if (!writes_numbers[t] || s.n_out == 0) continue;
      if (pass == 1 && !sparse_steps_.empty()) break;
      prep::FeaturePositions positions;
      if (!only_features(s.out, s.n_out, positions)) continue;
      if (pass == 0) {
        if (!steps_[t]->write_features_sparsely(prep::FeaturePositions(positions))) continue;
        sparse_steps_.push_back(steps_[t].get());
        sparse_slots.emplace_back(s.out, s.out + s.n_out);
        mark_direct(positions);
      } else {
        if (positions.list.empty()) {  // write_features_directly takes a list
          positions.list.resize(positions.n);
          std::iota(positions.list.begin(), positions.list.end(), positions.first);
        }
        if (!steps_[t]->write_features_directly(positions.list)) continue;
        direct_steps_.push_back(steps_[t].get());
        mark_direct(positions);
      }
    }
  n_slot_columns_ = n_slots_;
  if (!sparse_slots.empty()) {
    // Slots without a column are never addressed: when they are the last
    // ones, the others keep their numbers and need no map.
    std::sort(sparse_slots.begin(), sparse_slots.end());
    uint32_t tail = static_cast<uint32_t>(n_slots_);
    for (auto it = sparse_slots.rbegin(); it != sparse_slots.rend() && it->second == tail; ++it) tail = it->first;
    uint32_t covered = 0;
    for (const auto& r : sparse_slots) covered += r.second - r.first;
    if (covered == n_slots_ - tail) {
      n_slot_columns_ = tail;
    } else {
      std::vector<char> column(n_slots_, 1);  // whether the slot has a column
      for (const auto& r : sparse_slots) std::fill(column.begin() + r.first, column.begin() + r.second, 0);
      physical_.assign(n_slots_, 0);
      n_slot_columns_ = 0;
      for (size_t s = 0; s < n_slots_; ++s)
        if (column[s]) physical_[s] = static_cast<uint32_t>(n_slot_columns_++);
    }
  }
  auto gather_feature = [&](uint32_t k) {
    gather_slots_.push_back(physical_.empty() ? feature_slot(k) : physical_[feature_slot(k)]);
    gather_positions_.push_back(k);
  };
  if (run) {  // the positions between the direct ranges (which do not overlap: each slot is one step's)
    std::sort(direct_ranges.begin(), direct_ranges.end());
    uint32_t k = 0;
    for (const auto& [begin, end] : direct_ranges) {
      for (; k < begin; ++k) gather_feature(k);
      k = end;
    }
    for (; k < n_features_; ++k) gather_feature(k);
  } else {
    for (auto d = std::find(direct.begin(), direct.end(), 0); d != direct.end(); d = std::find(d + 1, direct.end(), 0))
      gather_feature(static_cast<uint32_t>(d - direct.begin()));
  }
}

// Each feature's chain of ops, from its slot back to its input column: the
// program is a row map when every step is unary (so none fails, and no step
// is left out by following the features' chains) and every feature passes
// through the same ops in the same order, each feature with its own
// arguments.  Strings, direct and sparse steps keep to blocks.
void Preprocessor::plan_row_map() {
  if (uses_strings_ || !direct_steps_.empty() || !sparse_steps_.empty()) return;
  for (const auto& step : steps_) {  // first, without allocating
    const prep::Slots& s = step->slots();
    kernels::ColumnOp op;
    kernels::ColumnArgs args;
    for (uint32_t j = 0; j < s.n_in; ++j)
      if (s.n_out != s.n_in || !step->unary_op(j, &op, &args) || !kernels::is_unary(op)) return;
  }
  struct Producer {  // of a slot: the step that writes it, as its output `output`
    const prep::Step* step = nullptr;
    uint32_t output = 0;
  };
  std::vector<Producer> producer(n_slots_);
  for (const auto& step : steps_)
    for (uint32_t o = 0; o < step->slots().n_out; ++o) producer[step->slots().out + o] = {step.get(), o};
  std::vector<kernels::ColumnOp> ops;  // the first feature's, last stage first
  std::vector<kernels::ColumnArgs> chain;  // per feature, stage: the arguments, last stage first
  std::vector<uint32_t> cols(n_features_);
  size_t n_stages = 0;
  // Its arguments take 4 * stages * lcm(features, 8) doubles: a program
  // larger than this keeps to blocks (and opening stays quick).
  constexpr size_t max_feature_stages = size_t{1} << 16;
  for (size_t k = 0; k < n_features_; ++k) {
    uint32_t slot = feature_slot(k);
    size_t stage = 0;
    while (producer[slot].step) {  // slots of input columns have none
      const prep::Slots& s = producer[slot].step->slots();
      kernels::ColumnOp op;
      kernels::ColumnArgs args;
      producer[slot].step->unary_op(producer[slot].output, &op, &args);
      if (k == 0)
        ops.push_back(op);
      else if (stage >= n_stages || ops[stage] != op)
        return;
      chain.push_back(args);
      slot = s.in[producer[slot].output];
      ++stage;
    }
    if (k == 0) n_stages = stage;
    if (stage != n_stages || n_features_ * n_stages > max_feature_stages) return;
    cols[k] = slot;
  }
  map_period_ = kernels::RowMap::period_for(n_features_);
  map_args_.assign(4 * n_stages * map_period_, 0.0);
  for (size_t p = 0; p < map_period_; ++p)
    for (size_t s = 0; s < n_stages; ++s) {
      const kernels::ColumnArgs& a = chain[(p % n_features_) * n_stages + (n_stages - 1 - s)];
      const double values[4] = {a.a, a.b, a.lo, a.hi};
      for (size_t w = 0; w < 4; ++w) map_args_[(4 * s + w) * map_period_ + p] = values[w];
    }
  map_ops_.assign(ops.rbegin(), ops.rend());
  map_cols_ = std::move(cols);
  maps_rows_ = true;
}

kernels::RowMap Preprocessor::row_map() const noexcept {
  kernels::RowMap m;
  m.cols = map_cols_.data();
  m.n_features = n_features_;
  m.ops = map_ops_.data();
  m.n_stages = map_ops_.size();
  m.args = map_args_.data();
  m.period = map_period_;
  return m;
}

Status Preprocessor::verify() const noexcept {
  for (const auto& s : steps_)
    if (auto st = s->verify(); !st) return st;
  return {};
}

}  // namespace mlmap::model
