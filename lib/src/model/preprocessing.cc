#include "model/preprocessing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "format/limits.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

const char* op_name(fb::OpKind k) noexcept {
  switch (k) {
    case fb::OpKind::Standardize: return "standardize";
    case fb::OpKind::MinMax: return "min_max";
    case fb::OpKind::MaxAbs: return "max_abs";
    case fb::OpKind::Normalize: return "normalize";
    case fb::OpKind::Impute: return "impute";
    case fb::OpKind::ImputeString: return "impute_string";
    case fb::OpKind::OneHot: return "one_hot";
    case fb::OpKind::Ordinal: return "ordinal";
    case fb::OpKind::Polynomial: return "polynomial";
    case fb::OpKind::MissingIndicator: return "missing_indicator";
  }
  return "unknown";
}

template <class T>
size_t size_of(const flatbuffers::Vector<T>* v) noexcept {
  return v ? v->size() : 0;
}

size_t size_of(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) noexcept {
  return v ? v->size() : 0;
}

std::string number_text(double x) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

bool is_encoder(fb::OpKind k) noexcept { return k == fb::OpKind::OneHot || k == fb::OpKind::Ordinal; }
bool reads_strings(const fb::Op& op) noexcept {
  return op.kind() == fb::OpKind::ImputeString || (is_encoder(op.kind()) && op.string_inputs());
}

// Validates one op against the slots written so far; advances the frontiers.
Status check_op(const fb::Op& op, size_t index, const std::vector<bool>& string_input, uint64_t* numeric_frontier,
                uint64_t* string_frontier) {
  const std::string where = "preprocessing step " + str(index) + " (" + op_name(op.kind()) + ")";
  auto bad = [&](const std::string& what) { return Error(error_code::invalid_model, where + ": " + what); };
  if (op.kind() > fb::OpKind::MAX)
    return Error(error_code::unsupported_model,
                 "preprocessing step " + str(index) + " is of a kind unknown to this reader (" +
                     str(static_cast<unsigned>(op.kind())) + ")");
  const auto* in = op.inputs();
  const size_t n_in = in->size();
  if (n_in == 0) return bad("has no inputs");
  const bool strings = reads_strings(op);
  for (uint32_t s : *in) {
    if (strings) {
      if (s >= *string_frontier) return bad("reads string slot " + str(s) + " before it is written");
      if (s < string_input.size() && !string_input[s]) return bad("reads numeric input column " + str(s) + " as a string");
    } else {
      if (s >= *numeric_frontier) return bad("reads slot " + str(s) + " before it is written");
      if (s < string_input.size() && string_input[s]) return bad("reads string input column " + str(s) + " as a number");
    }
  }
  const bool writes_strings = op.kind() == fb::OpKind::ImputeString;
  uint64_t& frontier = writes_strings ? *string_frontier : *numeric_frontier;
  if (op.out_begin() != frontier)
    return bad("writes from slot " + str(op.out_begin()) + ", expected the next free slot " + str(frontier));

  auto need = [&](size_t got, size_t want, const char* what) -> Status {
    if (got != want) return bad(std::string(what) + " has " + str(got) + " values, expected " + str(want));
    return {};
  };
  uint64_t n_out = n_in;
  Status st;
  switch (op.kind()) {
    case fb::OpKind::Standardize:
      if (size_of(op.a()) != 0) st = need(size_of(op.a()), n_in, "center");
      if (st && size_of(op.b()) != 0) st = need(size_of(op.b()), n_in, "scale");
      break;
    case fb::OpKind::MinMax:
      st = need(size_of(op.a()), n_in, "scale");
      if (st) st = need(size_of(op.b()), n_in, "min");
      break;
    case fb::OpKind::MaxAbs: st = need(size_of(op.a()), n_in, "scale"); break;
    case fb::OpKind::Normalize:
      if (op.norm() > fb::Norm::MAX) return bad("unknown norm");
      break;
    case fb::OpKind::Impute: st = need(size_of(op.a()), n_in, "fill values"); break;
    case fb::OpKind::MissingIndicator: break;
    case fb::OpKind::ImputeString: st = need(size_of(op.fill_strings()), n_in, "fill strings"); break;
    case fb::OpKind::Polynomial: {
      const size_t n_powers = size_of(op.powers());
      if (op.n_out() == 0 || n_powers != uint64_t{op.n_out()} * n_in)
        return bad("powers has " + str(n_powers) + " values, expected n_out x " + str(n_in));
      for (uint32_t p : *op.powers())
        if (p > limits::max_polynomial_degree)
          return Error(error_code::limit_exceeded, where + ": power " + str(p) + " above " +
                                                       str(limits::max_polynomial_degree));
      n_out = op.n_out();
      break;
    }
    case fb::OpKind::OneHot:
    case fb::OpKind::Ordinal: {
      st = need(size_of(op.category_counts()), n_in, "category_counts");
      if (st) st = need(size_of(op.missing_category()), n_in, "missing_category");
      if (!st) return st;
      uint64_t total = 0;
      for (uint32_t c : *op.category_counts()) total += c;
      st = op.string_inputs() ? need(size_of(op.string_categories()), total, "string categories")
                              : need(size_of(op.numeric_categories()), total, "numeric categories");
      if (st && size_of(op.category_order()) != 0) st = need(size_of(op.category_order()), total, "category_order");
      if (st && op.kind() == fb::OpKind::OneHot && size_of(op.drop()) != 0) st = need(size_of(op.drop()), n_in, "drop");
      if (!st) return st;
      if (op.unknown() > fb::UnknownCategory::MAX) return bad("unknown handle_unknown mode");
      uint64_t begin = 0, outputs = 0;
      for (uint32_t j = 0; j < n_in; ++j) {
        const uint32_t count = op.category_counts()->Get(j);
        const int32_t missing = op.missing_category()->Get(j);
        if (count == 0) return bad("input " + str(j) + " has no categories");
        // The missing-value category, if any, is the last one and takes no
        // part in the sorted lookup.
        if (missing != -1 && missing != static_cast<int32_t>(count - 1))
          return bad("input " + str(j) + ": the missing category must be the last");
        const uint32_t n_sorted = missing == -1 ? count : count - 1;
        for (uint32_t c = 1; c < n_sorted; ++c) {
          bool ordered;
          if (op.string_inputs()) {
            ordered = op.string_categories()->Get(static_cast<uint32_t>(begin + c - 1))->string_view() <
                      op.string_categories()->Get(static_cast<uint32_t>(begin + c))->string_view();
          } else {
            ordered = op.numeric_categories()->Get(static_cast<uint32_t>(begin + c - 1)) <
                      op.numeric_categories()->Get(static_cast<uint32_t>(begin + c));  // false for NaN
          }
          if (!ordered) return bad("input " + str(j) + ": categories are not strictly increasing");
        }
        if (size_of(op.category_order()) != 0) {
          std::vector<bool> seen(count, false);
          for (uint32_t c = 0; c < count; ++c) {
            const uint32_t pos = op.category_order()->Get(static_cast<uint32_t>(begin + c));
            if (pos >= count || seen[pos]) return bad("input " + str(j) + ": category_order is not a permutation");
            seen[pos] = true;
          }
        }
        int32_t dropped = -1;
        if (op.kind() == fb::OpKind::OneHot && size_of(op.drop()) != 0) {
          dropped = op.drop()->Get(j);
          if (dropped < -1 || dropped >= static_cast<int32_t>(count)) return bad("input " + str(j) + ": drop out of range");
        }
        outputs += op.kind() == fb::OpKind::OneHot ? count - (dropped >= 0 ? 1 : 0) : 1;
        begin += count;
      }
      n_out = outputs;
      break;
    }
  }
  if (!st) return st;
  if (op.n_out() != n_out) return bad("writes " + str(op.n_out()) + " slots, its inputs give " + str(n_out));
  frontier += n_out;
  if (frontier > limits::max_slots) return Error(error_code::limit_exceeded, where + ": more than 2^24 slots");
  return {};
}

// Index of `x` among the sorted categories [first, first + n), or -1.
int64_t find_number(const flatbuffers::Vector<double>& cats, uint32_t first, uint32_t n, double x) noexcept {
  uint32_t lo = first, hi = first + n;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (cats.Get(mid) < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < first + n && cats.Get(lo) == x ? static_cast<int64_t>(lo - first) : -1;
}

int64_t find_string(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>& cats, uint32_t first,
                    uint32_t n, std::string_view x) noexcept {
  uint32_t lo = first, hi = first + n;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (cats.Get(mid)->string_view() < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < first + n && cats.Get(lo)->string_view() == x ? static_cast<int64_t>(lo - first) : -1;
}

}  // namespace

Result<Preprocessor> Preprocessor::make(const fb::Preprocessing& p, uint32_t n_inputs,
                                        const std::vector<std::string>* names, PreprocessingSummary* summary) noexcept {
  try {
    Preprocessor pre;
    pre.program_ = &p;
    pre.names_ = names;
    pre.n_inputs_ = n_inputs;
    const auto* kinds = p.input_kinds();
    if (size_of(kinds) != 0 && size_of(kinds) != n_inputs)
      return Error(error_code::invalid_model, "preprocessing names the kind of " + str(size_of(kinds)) +
                                                  " input columns, the model has " + str(n_inputs));
    pre.string_input_.assign(n_inputs, false);
    for (uint32_t i = 0; i < size_of(kinds); ++i) {
      if (kinds->Get(i) > fb::InputKind::MAX)
        return Error(error_code::unsupported_model, "input column " + str(i) + " has a kind unknown to this reader");
      pre.string_input_[i] = kinds->Get(i) == fb::InputKind::String;
      pre.needs_strings_ = pre.needs_strings_ || pre.string_input_[i];
    }
    if (p.ops()->size() > limits::max_ops)
      return Error(error_code::limit_exceeded, "more than " + str(limits::max_ops) + " preprocessing steps");
    uint64_t numeric = n_inputs, strings = n_inputs;
    for (uint32_t i = 0; i < n_inputs; ++i) {
      pre.numeric_origin_.push_back(i);
      pre.string_origin_.push_back(i);
    }
    for (uint32_t k = 0; k < p.ops()->size(); ++k) {
      const fb::Op& op = *p.ops()->Get(k);
      auto st = check_op(op, k, pre.string_input_, &numeric, &strings);
      if (!st) return st.error();
      if (summary) summary->step_kinds.push_back(op_name(op.kind()));
      // One output per input carries that input's column.
      const bool per_column = op.kind() == fb::OpKind::Impute || op.kind() == fb::OpKind::Standardize ||
                              op.kind() == fb::OpKind::MinMax || op.kind() == fb::OpKind::MaxAbs ||
                              op.kind() == fb::OpKind::ImputeString;
      auto& origin = op.kind() == fb::OpKind::ImputeString ? pre.string_origin_ : pre.numeric_origin_;
      for (uint32_t o = 0; o < op.n_out(); ++o)
        origin.push_back(per_column ? origin[op.inputs()->Get(o)] : -1);
    }
    if (p.n_slots() != numeric || p.n_string_slots() != strings)
      return Error(error_code::invalid_model, "preprocessing declares " + str(p.n_slots()) + " + " +
                                                  str(p.n_string_slots()) + " slots, its steps use " + str(numeric) +
                                                  " + " + str(strings));
    pre.n_slots_ = numeric;
    pre.n_string_slots_ = strings;
    pre.features_ = p.features();
    if (pre.features_->size() == 0) return Error(error_code::invalid_model, "preprocessing gives the predictor no features");
    for (uint32_t s : *pre.features_) {
      if (s >= numeric) return Error(error_code::invalid_model, "a predictor feature reads slot " + str(s) + " of " + str(numeric));
      if (s < n_inputs && pre.string_input_[s])
        return Error(error_code::invalid_model, "a predictor feature reads string input column " + str(s));
    }
    if (summary) {
      summary->n_steps = p.ops()->size();
      summary->n_predictor_features = pre.features_->size();
      summary->needs_strings = pre.needs_strings_;
    }
    return pre;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory checking the preprocessing");
  }
}

Status Preprocessor::unknown(uint32_t slot, bool string_slot, const std::string& value) const noexcept {
  try {
    const auto& origins = string_slot ? string_origin_ : numeric_origin_;
    const int64_t column = slot < origins.size() ? origins[slot] : -1;
    const auto c = static_cast<size_t>(column);
    const std::string where = column < 0 ? "an intermediate column (slot " + str(slot) + ")"
                              : names_ && c < names_->size() && !(*names_)[c].empty() ? "column '" + (*names_)[c] + "'"
                                                                                      : "column " + str(c);
    return Error(error_code::unknown_category,
                 where + " has category " + value + ", unseen in training (the encoder has handle_unknown='error')");
  } catch (...) {
    return Error(error_code::unknown_category, "an unknown category");
  }
}

Status Preprocessor::run(double* slots, StringCell* strings, double* features) const noexcept {
  for (const fb::Op* op : *program_->ops()) {
    auto st = run_op(*op, slots, strings);
    if (!st) return st;
  }
  for (uint32_t i = 0; i < features_->size(); ++i) features[i] = slots[features_->Get(i)];
  return {};
}

Status Preprocessor::run_op(const fb::Op& op, double* slots, StringCell* strings) const noexcept {
  const auto& in = *op.inputs();
  const uint32_t n = in.size();
  double* out = slots + op.out_begin();
  auto missing = [&](double x) { return op.missing_is_nan() ? std::isnan(x) : x == op.missing_value(); };
  switch (op.kind()) {
    case fb::OpKind::Standardize:
      for (uint32_t j = 0; j < n; ++j) {
        double x = slots[in.Get(j)];
        if (op.a() && op.a()->size()) x -= op.a()->Get(j);
        if (op.b() && op.b()->size()) x /= op.b()->Get(j);
        out[j] = x;
      }
      return {};
    case fb::OpKind::MinMax:
      for (uint32_t j = 0; j < n; ++j) {
        double x = slots[in.Get(j)] * op.a()->Get(j) + op.b()->Get(j);
        if (op.clip()) x = std::min(std::max(x, op.clip_low()), op.clip_high());
        out[j] = x;
      }
      return {};
    case fb::OpKind::MaxAbs:
      for (uint32_t j = 0; j < n; ++j) out[j] = slots[in.Get(j)] / op.a()->Get(j);
      return {};
    case fb::OpKind::Normalize: {
      double norm = 0;
      for (uint32_t j = 0; j < n; ++j) {
        const double x = slots[in.Get(j)];
        switch (op.norm()) {
          case fb::Norm::L2: norm += x * x; break;
          case fb::Norm::L1: norm += std::fabs(x); break;
          case fb::Norm::Max: norm = std::max(norm, std::fabs(x)); break;
        }
      }
      if (op.norm() == fb::Norm::L2) norm = std::sqrt(norm);
      // As sklearn's dense path: norms below 10 epsilon count as zero, and
      // those rows are left as they are.
      if (norm < 10 * std::numeric_limits<double>::epsilon()) norm = 1;
      for (uint32_t j = 0; j < n; ++j) out[j] = slots[in.Get(j)] / norm;
      return {};
    }
    case fb::OpKind::Impute:
      for (uint32_t j = 0; j < n; ++j) {
        const double x = slots[in.Get(j)];
        out[j] = missing(x) ? op.a()->Get(j) : x;
      }
      return {};
    case fb::OpKind::MissingIndicator:
      for (uint32_t j = 0; j < n; ++j) out[j] = missing(slots[in.Get(j)]) ? 1.0 : 0.0;
      return {};
    case fb::OpKind::ImputeString:
      for (uint32_t j = 0; j < n; ++j) {
        const StringCell& c = strings[in.Get(j)];
        strings[op.out_begin() + j] = c.missing ? StringCell{op.fill_strings()->Get(j)->string_view(), false} : c;
      }
      return {};
    case fb::OpKind::Polynomial: {
      const auto& powers = *op.powers();
      for (uint32_t o = 0; o < op.n_out(); ++o) {
        double v = 1.0;
        for (uint32_t j = 0; j < n; ++j)
          for (uint32_t p = powers.Get(o * n + j); p > 0; --p) v *= slots[in.Get(j)];
        out[o] = v;
      }
      return {};
    }
    case fb::OpKind::OneHot:
    case fb::OpKind::Ordinal: {
      const bool one_hot = op.kind() == fb::OpKind::OneHot;
      const auto& counts = *op.category_counts();
      uint32_t first = 0, o = 0;
      for (uint32_t j = 0; j < n; ++j) {
        const uint32_t count = counts.Get(j);
        const int32_t missing_cat = op.missing_category()->Get(j);
        const uint32_t n_sorted = missing_cat == -1 ? count : count - 1;
        bool is_missing;
        int64_t idx = -1;
        std::string shown;
        if (op.string_inputs()) {
          const StringCell& c = strings[in.Get(j)];
          is_missing = c.missing;
          if (!is_missing) idx = find_string(*op.string_categories(), first, n_sorted, c.value);
          if (idx < 0 && !is_missing && op.unknown() == fb::UnknownCategory::Error) shown = "'" + std::string(c.value) + "'";
        } else {
          const double x = slots[in.Get(j)];
          is_missing = std::isnan(x);
          if (!is_missing) idx = find_number(*op.numeric_categories(), first, n_sorted, x);
          if (idx < 0 && !is_missing && op.unknown() == fb::UnknownCategory::Error) shown = number_text(x);
        }
        bool known = idx >= 0;
        if (is_missing && missing_cat >= 0) {
          idx = missing_cat;
          known = true;
        }
        if (!known && op.unknown() == fb::UnknownCategory::Error)
          return unknown(in.Get(j), op.string_inputs(), is_missing ? "a missing value" : shown);
        const int64_t pos = known && op.category_order() && op.category_order()->size()
                                ? op.category_order()->Get(static_cast<uint32_t>(first + idx))
                                : idx;
        if (one_hot) {
          const int32_t dropped = op.drop() && op.drop()->size() ? op.drop()->Get(j) : -1;
          const uint32_t width = count - (dropped >= 0 ? 1 : 0);
          for (uint32_t k = 0; k < width; ++k) out[o + k] = 0.0;
          if (known && pos != dropped) out[o + static_cast<uint32_t>(dropped >= 0 && pos > dropped ? pos - 1 : pos)] = 1.0;
          o += width;
        } else {
          if (is_missing && missing_cat >= 0)
            out[o] = op.missing_encoded();
          else
            out[o] = known ? static_cast<double>(pos) : op.unknown_value();
          o += 1;
        }
        first += count;
      }
      return {};
    }
  }
  return Error(error_code::internal_error, "unchecked preprocessing step");
}

}  // namespace mlmap::model
