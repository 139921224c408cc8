// Import of XGBoost's JSON model format (xgboost 1.x: Booster.save_model("m.json"),
// save_raw("json")) into mlmap's tree ensemble.
//
// Three stages, each on untrusted input:
//   1. check_json_structure(): size, nesting depth, balanced brackets, one root
//      object (simdjson's On-Demand parser checks neither depth nor skipped parts);
//   2. parse: simdjson On-Demand walks the document once, in any key order, into
//      plain vectors.  Numbers are read from their tokens: float32 values are
//      rounded once from the decimal text (as xgboost does), xgboost's NaN /
//      Infinity literals are understood, integers are range-checked;
//   3. convert: every count, index and value is checked against the declared
//      counts and mlmap's limits, then each tree is rewritten for mlmap's rules
//      (see "Categorical splits" below) and added to a TreeEnsembleBuilder.
//
// XGBoost's semantics (1.7, checked against xgboost's predict by
// tests/importers/test_xgboost.py):
//   * numeric split: left iff x < split_condition (float32), NaN -> default_left;
//   * leaves: split_conditions holds the leaf value (already times eta);
//   * raw score = base margin + sum of the leaves of the trees of each output
//     group (tree_info), dart trees times weight_drop;
//   * base margin from base_score (a float32 in a string): logit(b) for
//     binary:logistic and reg:logistic, log(b) for count:poisson, reg:gamma and
//     reg:tweedie, b itself otherwise (binary:logitraw included), computed in
//     float32 as xgboost does.
//
// Categorical splits.  XGBoost sends the categories listed for a node RIGHT,
// every other valid category (0 <= c < 2^24, truncated to an integer, also
// those beyond the node's bit field) LEFT, and invalid ones (negative, >= 2^24,
// +-inf) LEFT too; NaN follows default_left.  mlmap sends the categories of a
// set LEFT and everything outside [0, 32 * words) -- and NaN -- the missing way.
// So each categorical node becomes an mlmap node with the listed set and the
// children swapped (set -> xgboost's right child, others -> its left child) and
// the missing bit clear (out-of-range -> xgboost's left child).  That is exact
// when default_left is set.  When NaN goes right instead, NaN and out-of-range
// categories part ways, which one mlmap node cannot express; the node becomes
//     T: x <= FLT_MAX (finite or -inf) ? C : U       (NaN and +inf go to U)
//     C: the categorical node above
//     U: x <= FLT_MAX ? ... : ...  with NaN left:  NaN -> copy of the right
//        subtree knowing x is NaN; +inf -> copy of the left subtree knowing x
//        is +inf (nodes on x are resolved in the copies, not repeated).
// The copies can multiply a tree's size; past a cap the import is refused.

#include "importers/xgboost_json.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "format/limits.hpp"
#include "mlmap/importers.hpp"

namespace mlmap {

namespace importers {

namespace od = simdjson::ondemand;

namespace {

std::string num(long long v) { return std::to_string(v); }
std::string unum(uint64_t v) { return std::to_string(v); }

Error failed(const std::string& message) { return Error(error_code::import_failed, "XGBoost JSON: " + message); }
Error unsupported(const std::string& message) {
  return Error(error_code::unsupported_model, "XGBoost model: " + message);
}

#define MLMAP_TRY(expr)              \
  do {                               \
    ::mlmap::Status st_ = (expr);    \
    if (!st_.ok()) return st_;       \
  } while (0)

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Text from the file for a message: quoted, control bytes escaped, cut short.
std::string quote_text(std::string_view s, size_t max = 48) {
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max) out += "...";
  return out + "'";
}

std::string_view trim(std::string_view t) {
  while (!t.empty() && is_ws(t.back())) t.remove_suffix(1);
  while (!t.empty() && is_ws(t.front())) t.remove_prefix(1);
  return t;
}

/// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool number_syntax(std::string_view t, bool& integer) {
  size_t i = 0;
  const size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i >= n) return false;
  if (t[i] == '0') {
    ++i;
  } else if (t[i] >= '1' && t[i] <= '9') {
    while (i < n && is_digit(t[i])) ++i;
  } else {
    return false;
  }
  integer = true;
  if (i < n && t[i] == '.') {
    const size_t d = ++i;
    while (i < n && is_digit(t[i])) ++i;
    if (i == d) return false;
    integer = false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    const size_t d = i;
    while (i < n && is_digit(t[i])) ++i;
    if (i == d) return false;
    integer = false;
  }
  return i == n;
}

/// For a valid number token whose value is outside float32's range: whether
/// it is tiny (|v| < 1) rather than huge.  Decimal exponent of the leading
/// nonzero digit, computed without converting.
bool out_of_range_is_tiny(std::string_view t) {
  size_t i = t.size() && t[0] == '-' ? 1 : 0;
  size_t int_digits = 0;
  for (size_t j = i; j < t.size() && is_digit(t[j]); ++j) ++int_digits;
  long long lead = std::numeric_limits<long long>::min();
  long long k = static_cast<long long>(int_digits) - 1;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') continue;
    if (t[i] != '0' && lead == std::numeric_limits<long long>::min()) lead = k;
    --k;
  }
  long long exp = 0;
  if (i < t.size()) {
    ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    for (; i < t.size(); ++i) exp = std::min<long long>(exp * 10 + (t[i] - '0'), 1000000000LL);
    if (neg) exp = -exp;
  }
  if (lead == std::numeric_limits<long long>::min()) return true;  // all zeros (cannot be out of range)
  return lead + exp < 0;
}

}  // namespace

bool parse_float_token(std::string_view t, float& out) noexcept {
  constexpr float inf = std::numeric_limits<float>::infinity();
  if (t == "NaN") {
    out = std::numeric_limits<float>::quiet_NaN();
    return true;
  }
  if (t == "Infinity") {
    out = inf;
    return true;
  }
  if (t == "-Infinity") {
    out = -inf;
    return true;
  }
  bool integer = false;
  if (!number_syntax(t, integer)) return false;
  float v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    const bool negative = t[0] == '-';
    v = out_of_range_is_tiny(t) ? (negative ? -0.0f : 0.0f) : (negative ? -inf : inf);
  } else if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
    return false;
  }
  out = v;
  return true;
}

bool parse_int_token(std::string_view t, long long& out) noexcept {
  bool integer = false;
  if (!number_syntax(t, integer) || !integer) return false;
  long long v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return false;
  out = v;
  return true;
}

Status check_json_structure(std::string_view s, size_t max_depth) noexcept try {
  size_t depth = 0;
  std::string stack;  // the open brackets: at most max_depth bytes
  bool root_done = false;
  const size_t n = s.size();
  size_t i = 0;
  while (i < n && is_ws(s[i])) ++i;
  if (i == n) return failed("the input is empty");
  if (s[i] != '{') return failed("the input is not a JSON object (byte " + unum(i) + " is " + quote_text(s.substr(i, 1)) + ")");
  for (; i < n; ++i) {
    const char c = s[i];
    if (root_done) {
      if (!is_ws(c)) return failed("unexpected text after the JSON object at byte " + unum(i));
      continue;
    }
    switch (c) {
      case '"': {
        const size_t start = i++;
        for (;; ++i) {
          if (i >= n) return failed("the input ends inside a string that starts at byte " + unum(start) + " (truncated?)");
          const auto d = static_cast<unsigned char>(s[i]);
          if (d == '"') break;
          if (d == '\\') {
            ++i;  // the escaped byte; the loop's check catches the end
            continue;
          }
          if (d < 0x20) return failed("control character in a string at byte " + unum(i));
        }
        break;
      }
      case '{':
      case '[':
        if (depth >= max_depth)
          return failed("JSON nesting deeper than " + unum(max_depth) + " levels at byte " + unum(i));
        stack.push_back(c);
        ++depth;
        break;
      case '}':
      case ']':
        if (depth == 0 || stack.back() != (c == '}' ? '{' : '['))
          return failed("unbalanced " + quote_text(std::string_view(&s[i], 1)) + " at byte " + unum(i));
        stack.pop_back();
        if (--depth == 0) root_done = true;
        break;
      default:
        break;
    }
  }
  if (depth != 0) return failed("the input ends inside " + unum(depth) + " unclosed objects or arrays (truncated?)");
  return {};
} catch (const std::bad_alloc&) {
  return Error(error_code::out_of_memory, "out of memory checking the JSON text");
}

namespace {

// --- stage 2: the document as plain vectors ----------------------------------

struct RawTree {
  std::optional<long long> id;
  std::optional<long long> num_nodes, size_leaf_vector;
  std::optional<std::vector<int32_t>> left, right, split_type, categories_nodes;
  std::optional<std::vector<uint32_t>> split_indices;
  std::optional<std::vector<float>> split_conditions;
  std::optional<std::vector<uint8_t>> default_left;
  std::optional<std::vector<int64_t>> categories_segments, categories_sizes;
  std::optional<std::vector<int32_t>> categories;
};

struct RawModel {
  std::optional<std::vector<long long>> version;
  std::optional<std::string> objective;
  std::optional<std::string> base_score;
  std::optional<long long> num_class, num_feature, num_target;
  std::optional<long long> best_iteration;
  std::vector<std::string> feature_names, feature_types;
  std::optional<std::string> booster;  // gradient_booster.name
  bool have_model = false;             // a gbtree model object was found
  std::optional<long long> num_trees, num_parallel_tree, size_leaf_vector;
  std::optional<std::vector<int32_t>> tree_info;
  std::vector<RawTree> trees;
  bool have_trees = false;
  std::optional<std::vector<float>> weight_drop;
};

std::string json_message(simdjson::error_code e) {
  switch (e) {
    case simdjson::INCORRECT_TYPE: return "has the wrong type";
    case simdjson::TAPE_ERROR: return "is malformed (missing or extra commas, brackets or keys)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "is truncated (an object or array does not end)";
    case simdjson::UTF8_ERROR: return "is not valid UTF-8";
    case simdjson::UNCLOSED_STRING: return "has an unterminated string";
    case simdjson::STRING_ERROR: return "has an invalid string (bad escape)";
    default: return std::string("is malformed: ") + simdjson::error_message(e);
  }
}

Status json_error(simdjson::error_code e, const std::string& path) {
  if (e == simdjson::MEMALLOC) return Error(error_code::out_of_memory, "out of memory parsing the JSON text");
  return failed(path + " " + json_message(e));
}

Status as_object(od::value& v, od::object& o, const std::string& path) {
  if (auto e = v.get_object().get(o)) {
    if (e == simdjson::INCORRECT_TYPE) return failed(path + " is not an object");
    return json_error(e, path);
  }
  return {};
}

Status as_array(od::value& v, od::array& a, const std::string& path) {
  if (auto e = v.get_array().get(a)) {
    if (e == simdjson::INCORRECT_TYPE) return failed(path + " is not an array");
    return json_error(e, path);
  }
  return {};
}

Status as_string(od::value& v, std::string& out, const std::string& path) {
  std::string_view s;
  if (auto e = v.get_string().get(s)) {
    if (e == simdjson::INCORRECT_TYPE) return failed(path + " is not a string");
    return json_error(e, path);
  }
  out.assign(s.data(), s.size());
  return {};
}

/// Calls f(key, value) for each field; a key that repeats is an error (which
/// of two values xgboost would take is not something to guess).
template <class F>
Status for_each_field(od::value& v, const std::string& path, F&& f) {
  od::object o;
  MLMAP_TRY(as_object(v, o, path));
  std::set<std::string, std::less<>> seen;
  for (auto item : o) {
    od::field field;
    if (auto e = std::move(item).get(field)) return json_error(e, path);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e, path);
    if (!seen.emplace(key).second) return failed(path + ": key " + quote_text(key) + " appears twice");
    MLMAP_TRY(f(key, field.value()));
  }
  return {};
}

/// Calls f(index, value) for each element.
template <class F>
Status for_each_element(od::value& v, const std::string& path, F&& f) {
  od::array a;
  MLMAP_TRY(as_array(v, a, path));
  size_t i = 0;
  for (auto item : a) {
    od::value element;
    if (auto e = std::move(item).get(element)) return json_error(e, path + "[" + unum(i) + "]");
    MLMAP_TRY(f(i, element));
    ++i;
  }
  return {};
}

/// Why `t` is no integer in [lo, hi]: an integer too large for int64 is out
/// of range, anything else not an integer.
Status bad_int(const std::string& path, std::string_view t, long long lo, long long hi) {
  bool integer = false;
  if (number_syntax(t, integer) && integer)
    return failed(path + " = " + quote_text(t) + " is outside [" + num(lo) + ", " + num(hi) + "]");
  return failed(path + " = " + quote_text(t) + " is not an integer");
}

Status read_int(od::value& v, const std::string& path, long long lo, long long hi, long long& out) {
  const std::string_view t = trim(v.raw_json_token());
  long long x = 0;
  if (!parse_int_token(t, x)) return bad_int(path, t, lo, hi);
  if (x < lo || x > hi) return failed(path + " = " + num(x) + " is outside [" + num(lo) + ", " + num(hi) + "]");
  out = x;
  return {};
}

/// An integer written as a string ("3"), as xgboost writes its parameters.
Status read_int_string(od::value& v, const std::string& path, long long lo, long long hi, std::optional<long long>& out) {
  std::string s;
  MLMAP_TRY(as_string(v, s, path));
  long long x = 0;
  if (!parse_int_token(s, x)) return bad_int(path, s, lo, hi);
  if (x < lo || x > hi) return failed(path + " = " + num(x) + " is outside [" + num(lo) + ", " + num(hi) + "]");
  out = x;
  return {};
}

template <class T>
Status read_int_array(od::value& v, const std::string& path, long long lo, long long hi,
                      std::optional<std::vector<T>>& out, bool booleans = false) {
  std::vector<T> values;
  MLMAP_TRY(for_each_element(v, path, [&](size_t i, od::value& e) -> Status {
    const std::string_view t = trim(e.raw_json_token());
    long long x = 0;
    if (booleans && (t == "true" || t == "false")) {
      x = t == "true";
    } else if (!parse_int_token(t, x)) {
      return bad_int(path + "[" + unum(i) + "]", t, lo, hi);
    }
    if (x < lo || x > hi)
      return failed(path + "[" + unum(i) + "] = " + num(x) + " is outside [" + num(lo) + ", " + num(hi) + "]");
    values.push_back(static_cast<T>(x));
    return {};
  }));
  out = std::move(values);
  return {};
}

Status read_float_array(od::value& v, const std::string& path, std::optional<std::vector<float>>& out) {
  std::vector<float> values;
  MLMAP_TRY(for_each_element(v, path, [&](size_t i, od::value& e) -> Status {
    const std::string_view t = trim(e.raw_json_token());
    float x = 0;
    if (!parse_float_token(t, x)) return failed(path + "[" + unum(i) + "] = " + quote_text(t) + " is not a number");
    values.push_back(x);
    return {};
  }));
  out = std::move(values);
  return {};
}

Status read_string_array(od::value& v, const std::string& path, std::vector<std::string>& out) {
  out.clear();
  return for_each_element(v, path, [&](size_t i, od::value& e) -> Status {
    std::string s;
    MLMAP_TRY(as_string(e, s, path + "[" + unum(i) + "]"));
    out.push_back(std::move(s));
    return {};
  });
}

constexpr long long int32_max = std::numeric_limits<int32_t>::max();
constexpr long long int32_min = std::numeric_limits<int32_t>::min();
constexpr long long uint32_max = std::numeric_limits<uint32_t>::max();
constexpr long long int62 = (1LL << 62);

Status parse_tree(od::value& v, const std::string& path, RawTree& t) {
  return for_each_field(v, path, [&](std::string_view key, od::value& value) -> Status {
    const std::string p = path + "." + std::string(key);
    if (key == "id") {
      long long id = 0;
      MLMAP_TRY(read_int(value, p, 0, int32_max, id));
      t.id = id;
    } else if (key == "left_children") {
      return read_int_array(value, p, int32_min, int32_max, t.left);
    } else if (key == "right_children") {
      return read_int_array(value, p, int32_min, int32_max, t.right);
    } else if (key == "split_indices") {
      return read_int_array(value, p, 0, uint32_max, t.split_indices);
    } else if (key == "split_type") {
      return read_int_array(value, p, 0, 255, t.split_type);
    } else if (key == "split_conditions") {
      return read_float_array(value, p, t.split_conditions);
    } else if (key == "default_left") {
      return read_int_array(value, p, 0, 1, t.default_left, /*booleans=*/true);
    } else if (key == "categories") {
      return read_int_array(value, p, int32_min, int32_max, t.categories);
    } else if (key == "categories_nodes") {
      return read_int_array(value, p, int32_min, int32_max, t.categories_nodes);
    } else if (key == "categories_segments") {
      return read_int_array(value, p, 0, int62, t.categories_segments);
    } else if (key == "categories_sizes") {
      return read_int_array(value, p, 0, int62, t.categories_sizes);
    } else if (key == "tree_param") {
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        const std::string q = p + "." + std::string(k);
        if (k == "num_nodes") return read_int_string(x, q, 0, int32_max, t.num_nodes);
        if (k == "size_leaf_vector") return read_int_string(x, q, 0, int32_max, t.size_leaf_vector);
        return {};
      });
    }
    return {};
  });
}

Status parse_gbtree_model(od::value& v, const std::string& path, RawModel& m) {
  m.have_model = true;
  return for_each_field(v, path, [&](std::string_view key, od::value& value) -> Status {
    const std::string p = path + "." + std::string(key);
    if (key == "gbtree_model_param") {
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        const std::string q = p + "." + std::string(k);
        if (k == "num_trees") return read_int_string(x, q, 0, int32_max, m.num_trees);
        if (k == "num_parallel_tree") return read_int_string(x, q, 1, int32_max, m.num_parallel_tree);
        if (k == "size_leaf_vector") return read_int_string(x, q, 0, int32_max, m.size_leaf_vector);
        return {};
      });
    }
    if (key == "tree_info") return read_int_array(value, p, int32_min, int32_max, m.tree_info);
    if (key == "trees") {
      m.have_trees = true;
      return for_each_element(value, p, [&](size_t i, od::value& tree) -> Status {
        if (m.trees.size() >= limits::max_trees)
          return failed(p + " has more than " + unum(limits::max_trees) + " trees (mlmap's limit)");
        m.trees.emplace_back();
        return parse_tree(tree, p + "[" + unum(i) + "]", m.trees.back());
      });
    }
    return {};
  });
}

Status parse_gradient_booster(od::value& v, const std::string& path, RawModel& m) {
  return for_each_field(v, path, [&](std::string_view key, od::value& value) -> Status {
    const std::string p = path + "." + std::string(key);
    if (key == "name") {
      std::string s;
      MLMAP_TRY(as_string(value, s, p));
      m.booster = std::move(s);
    } else if (key == "model") {
      if (m.have_model) return failed(p + ": more than one tree model");
      return parse_gbtree_model(value, p, m);
    } else if (key == "gbtree") {  // dart: {"gbtree": {"model": ..., "name": "gbtree"}, "weight_drop": [...]}
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        if (k != "model") return {};
        if (m.have_model) return failed(p + ".model: more than one tree model");
        return parse_gbtree_model(x, p + ".model", m);
      });
    } else if (key == "weight_drop") {
      return read_float_array(value, p, m.weight_drop);
    }
    return {};
  });
}

Status parse_learner(od::value& v, const std::string& path, RawModel& m) {
  return for_each_field(v, path, [&](std::string_view key, od::value& value) -> Status {
    const std::string p = path + "." + std::string(key);
    if (key == "attributes") {
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        if (k == "best_iteration") return read_int_string(x, p + ".best_iteration", 0, int32_max, m.best_iteration);
        return {};
      });
    }
    if (key == "feature_names") return read_string_array(value, p, m.feature_names);
    if (key == "feature_types") return read_string_array(value, p, m.feature_types);
    if (key == "gradient_booster") return parse_gradient_booster(value, p, m);
    if (key == "learner_model_param") {
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        const std::string q = p + "." + std::string(k);
        if (k == "base_score") {
          std::string s;
          MLMAP_TRY(as_string(x, s, q));
          m.base_score = std::move(s);
          return {};
        }
        if (k == "num_class") return read_int_string(x, q, 0, int32_max, m.num_class);
        if (k == "num_feature") return read_int_string(x, q, 0, std::numeric_limits<long long>::max(), m.num_feature);
        if (k == "num_target") return read_int_string(x, q, 0, int32_max, m.num_target);
        return {};
      });
    }
    if (key == "objective") {
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        if (k != "name") return {};
        std::string s;
        MLMAP_TRY(as_string(x, s, p + ".name"));
        m.objective = std::move(s);
        return {};
      });
    }
    return {};
  });
}

Status parse_document(std::string_view text, const ImportOptions& options, RawModel& m) {
  if (text.size() > options.max_input_bytes)
    return failed("the input has " + unum(text.size()) + " bytes, more than the limit of " +
                  unum(options.max_input_bytes));
  if (text.size() > simdjson::SIMDJSON_MAXSIZE_BYTES - simdjson::SIMDJSON_PADDING)
    return failed("the input has " + unum(text.size()) + " bytes, more than the JSON parser's limit");
  MLMAP_TRY(check_json_structure(text, options.max_nesting_depth));
  simdjson::padded_string padded(text.data(), text.size());
  if (padded.data() == nullptr) return Error(error_code::out_of_memory, "out of memory copying the JSON text");
  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return json_error(e, "the document");
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    if (e == simdjson::INCORRECT_TYPE) return failed("the document is not a JSON object");
    return json_error(e, "the document");
  }
  std::set<std::string, std::less<>> seen;
  bool have_learner = false;
  for (auto item : root) {
    od::field field;
    if (auto e = std::move(item).get(field)) return json_error(e, "the document");
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e, "the document");
    if (!seen.emplace(key).second) return failed("the top-level key " + quote_text(key) + " appears twice");
    if (key == "learner") {
      have_learner = true;
      MLMAP_TRY(parse_learner(field.value(), "learner", m));
    } else if (key == "version") {
      MLMAP_TRY(read_int_array(field.value(), "version", 0, int32_max, m.version));
    }
  }
  if (!have_learner) return failed("no 'learner' object: not an XGBoost JSON model");
  return {};
}

// --- stage 3: checks and conversion ------------------------------------------

enum class Objective {
  binary_logistic,
  binary_logitraw,
  multi_softprob,
  multi_softmax,
  reg_squarederror,
  reg_logistic,
  reg_pseudohubererror,
  count_poisson,
  reg_gamma,
  reg_tweedie,
  rank_pairwise,
};

const std::pair<const char*, Objective> objective_names[] = {
    {"binary:logistic", Objective::binary_logistic},
    {"binary:logitraw", Objective::binary_logitraw},
    {"multi:softprob", Objective::multi_softprob},
    {"multi:softmax", Objective::multi_softmax},
    {"reg:squarederror", Objective::reg_squarederror},
    {"reg:logistic", Objective::reg_logistic},
    {"reg:pseudohubererror", Objective::reg_pseudohubererror},
    {"count:poisson", Objective::count_poisson},
    {"reg:gamma", Objective::reg_gamma},
    {"reg:tweedie", Objective::reg_tweedie},
    {"rank:pairwise", Objective::rank_pairwise},
};

std::string supported_objectives() {
  std::string s;
  for (const auto& [name, o] : objective_names) s += (s.empty() ? "" : ", ") + std::string(name);
  return s;
}

/// What the objective's predict computes, in FORMAT.md §6 terms.
struct Mapping {
  Task task = Task::regression;
  LinkFunction link = LinkFunction::identity;
  ClassDecision decision = ClassDecision::argmax_outputs;
  enum class Margin { same, logit, log } margin = Margin::same;
  bool multiclass = false;   // n_raw = num_class
  bool multi_target = true;  // n_raw = num_target allowed
};

Mapping mapping_of(Objective o) {
  Mapping m;
  switch (o) {
    case Objective::binary_logistic:
      m.task = Task::classification, m.link = LinkFunction::logistic, m.margin = Mapping::Margin::logit;
      m.multi_target = false;
      break;
    case Objective::binary_logitraw:
      // predict gives the margin; the class is margin > 0.  base_score is NOT
      // turned into a logit (xgboost 1.7 adds it as it is).
      m.task = Task::classification, m.link = LinkFunction::logistic, m.decision = ClassDecision::argmax_raw;
      m.multi_target = false;
      break;
    case Objective::multi_softprob:
      m.task = Task::classification, m.link = LinkFunction::softmax, m.multiclass = true, m.multi_target = false;
      break;
    case Objective::multi_softmax:
      // predict gives argmax of the margins; XGBClassifier.predict_proba the softmax.
      m.task = Task::classification, m.link = LinkFunction::softmax, m.decision = ClassDecision::argmax_raw, m.multiclass = true;
      m.multi_target = false;
      break;
    case Objective::reg_squarederror:
    case Objective::reg_pseudohubererror: break;
    case Objective::reg_logistic:
      m.link = LinkFunction::logistic, m.margin = Mapping::Margin::logit, m.multi_target = false;
      break;
    case Objective::count_poisson:
    case Objective::reg_gamma:
    case Objective::reg_tweedie: m.link = LinkFunction::exp, m.margin = Mapping::Margin::log; break;
    case Objective::rank_pairwise: m.task = Task::ranking, m.multi_target = false; break;
  }
  return m;
}

/// One xgboost tree, checked, node by node.
struct OutTree : TreeNodeList {
  size_t add() {
    left.push_back(-1);
    right.push_back(-1);
    feature.push_back(0);
    threshold.push_back(0);
    values.push_back(0);
    missing_left.push_back(0);
    categorical.push_back(0);
    category_set.push_back(0);
    return left.size() - 1;
  }
  void clear() {  // keeps the capacity for the next tree
    for (auto* v : {&left, &right, &feature}) v->clear();
    threshold.clear();
    values.clear();
    missing_left.clear();
    categorical.clear();
    category_set.clear();
  }
};

constexpr uint64_t max_category = uint64_t{limits::max_category_set_words} * 32 - 1;

class Converter {
 public:
  Converter(TreeEnsembleBuilder& builder, size_t n_features) : builder_(builder), n_features_(n_features) {}

  /// Checks tree `index` and, when `add`, adds it with `options`.
  Status tree(const RawTree& t, size_t index, bool add, const TreeOptions& options) {
    const std::string where = "tree " + unum(index);
    if (!t.id) return failed(where + ": no 'id'");
    if (*t.id != static_cast<long long>(index)) return failed(where + ": 'id' is " + num(*t.id) + ", expected " + unum(index));
    if (!t.num_nodes) return failed(where + ": no 'tree_param.num_nodes'");
    if (t.size_leaf_vector && *t.size_leaf_vector > 1)
      return unsupported(where + ": vector leaves (size_leaf_vector " + num(*t.size_leaf_vector) + ")");
    const auto n = static_cast<size_t>(*t.num_nodes);
    if (n < 1) return failed(where + ": tree_param.num_nodes is 0");
    auto need = [&](const auto& field, const char* name) -> Status {
      if (!field) return failed(where + ": no '" + std::string(name) + "'");
      if (field->size() != n)
        return failed(where + ": '" + std::string(name) + "' has " + unum(field->size()) + " entries, but num_nodes is " +
                      unum(n));
      return {};
    };
    MLMAP_TRY(need(t.left, "left_children"));
    MLMAP_TRY(need(t.right, "right_children"));
    MLMAP_TRY(need(t.split_indices, "split_indices"));
    MLMAP_TRY(need(t.split_conditions, "split_conditions"));
    MLMAP_TRY(need(t.default_left, "default_left"));
    if (t.split_type) MLMAP_TRY(need(t.split_type, "split_type"));
    const auto& left = *t.left;
    const auto& right = *t.right;
    const auto& feature = *t.split_indices;
    const auto& cond = *t.split_conditions;
    const auto& dleft = *t.default_left;
    auto is_categorical = [&](size_t i) { return t.split_type && (*t.split_type)[i] == 1; };

    // Walk the reachable nodes once: indices, cycles, depth, values.
    std::vector<uint8_t> seen(n, 0);
    std::vector<std::pair<int32_t, uint32_t>> stack{{0, 0}};
    bool any_categorical = false;
    while (!stack.empty()) {
      const auto [i, depth] = stack.back();
      stack.pop_back();
      const std::string node = where + ", node " + num(i);
      if (seen[i]) return failed(node + " is reached twice (a cycle or a shared child)");
      seen[i] = 1;
      if (depth > limits::max_tree_depth)
        return failed(where + " is deeper than " + unum(limits::max_tree_depth) + " (mlmap's limit)");
      if (left[i] == -1) {
        if (right[i] != -1) return failed(node + ": a leaf (left_children -1) with right_children " + num(right[i]));
        if (!std::isfinite(cond[i])) return failed(node + ": leaf value (split_conditions) is not finite");
        continue;
      }
      for (const int32_t c : {left[i], right[i]})
        if (c < 0 || static_cast<size_t>(c) >= n)
          return failed(node + ": child " + num(c) + " is outside [0, " + unum(n) + ")");
      if (left[i] == right[i]) return failed(node + ": both children are node " + num(left[i]));
      if (feature[i] >= n_features_)
        return failed(node + ": split_indices " + unum(feature[i]) + " is outside [0, " + unum(n_features_) +
                      ") (num_feature)");
      if (t.split_type && (*t.split_type)[i] > 1)
        return failed(node + ": split_type " + num((*t.split_type)[i]) + " is neither 0 (numeric) nor 1 (categorical)");
      if (is_categorical(i)) {
        any_categorical = true;
      } else if (!std::isfinite(cond[i])) {
        return failed(node + ": split_conditions (threshold) is not finite");
      }
      stack.push_back({right[i], depth + 1});
      stack.push_back({left[i], depth + 1});
    }

    // Categorical splits: the listed categories of each node.
    std::vector<int32_t> cat_entry(any_categorical ? n : 0, -1);
    if (any_categorical || (t.categories_nodes && !t.categories_nodes->empty())) {
      if (!t.categories_nodes || !t.categories_segments || !t.categories_sizes || !t.categories)
        return failed(where + ": categorical splits without 'categories', 'categories_nodes', "
                              "'categories_segments' and 'categories_sizes'");
      const auto& nodes = *t.categories_nodes;
      const auto& segs = *t.categories_segments;
      const auto& sizes = *t.categories_sizes;
      const auto& cats = *t.categories;
      if (segs.size() != nodes.size() || sizes.size() != nodes.size())
        return failed(where + ": categories_nodes, categories_segments and categories_sizes have " +
                      unum(nodes.size()) + ", " + unum(segs.size()) + " and " + unum(sizes.size()) + " entries");
      if (cat_entry.empty()) cat_entry.assign(n, -1);
      for (size_t k = 0; k < nodes.size(); ++k) {
        const std::string e = where + ": categories_nodes[" + unum(k) + "]";
        const int32_t node = nodes[k];
        if (node < 0 || static_cast<size_t>(node) >= n)
          return failed(e + " = " + num(node) + " is outside [0, " + unum(n) + ")");
        if (!is_categorical(static_cast<size_t>(node)))
          return failed(e + " = " + num(node) + " is not a categorical split (split_type)");
        if (cat_entry[node] != -1) return failed(e + " = " + num(node) + " is listed twice");
        const auto seg = static_cast<uint64_t>(segs[k]), size = static_cast<uint64_t>(sizes[k]);
        if (seg > cats.size() || size > cats.size() - seg)
          return failed(where + ", node " + num(node) + ": categories [" + unum(seg) + ", " + unum(seg) + " + " +
                        unum(size) + ") are outside the " + unum(cats.size()) + " entries of 'categories'");
        for (uint64_t j = seg; j < seg + size; ++j) {
          if (cats[j] < 0)
            return failed(where + ", node " + num(node) + ": category " + num(cats[j]) + " is negative");
          if (static_cast<uint64_t>(cats[j]) > max_category)
            return unsupported(where + ", node " + num(node) + ": category " + num(cats[j]) +
                               " is above mlmap's largest category " + unum(max_category));
        }
        cat_entry[node] = static_cast<int32_t>(k);
      }
      for (size_t i = 0; i < n; ++i)
        if (seen[i] && left[i] != -1 && is_categorical(i) && cat_entry[i] == -1)
          return failed(where + ", node " + unum(i) + ": a categorical split missing from categories_nodes");
    }
    if (!add) return {};

    // Emit in mlmap's rules (see the top of this file).
    out_.clear();
    ctx_.clear();
    const uint64_t cap = 64 * uint64_t{n} + 4096;
    struct Item {
      int32_t src;
      int32_t ctx;
      size_t dst;
    };
    std::vector<Item> work{{0, -1, out_.add()}};
    constexpr double inf = std::numeric_limits<double>::infinity();
    while (!work.empty()) {
      Item it = work.back();
      work.pop_back();
      int32_t i = it.src;
      // Resolve nodes whose feature is known to be NaN or +inf on this path.
      while (left[i] != -1) {
        const int state = known(it.ctx, feature[i]);
        if (state == unknown) break;
        if (state == is_nan)
          i = dleft[i] ? left[i] : right[i];
        else  // +inf: numeric x < cond is false (cond is finite); an invalid category goes left
          i = is_categorical(i) ? left[i] : right[i];
      }
      const size_t k = it.dst;
      if (left[i] == -1) {
        out_.values[k] = cond[i];
        continue;
      }
      if (out_.left.size() + 4 > cap)
        return unsupported(where + ": its categorical splits that send missing values right would need more than " +
                           unum(cap) + " nodes once rewritten for mlmap");
      out_.feature[k] = feature[i];
      if (!is_categorical(i)) {
        out_.threshold[k] = cond[i];
        out_.missing_left[k] = dleft[i];
        const size_t l = out_.add(), r = out_.add();
        out_.left[k] = static_cast<int64_t>(l);
        out_.right[k] = static_cast<int64_t>(r);
        work.push_back({right[i], it.ctx, r});
        work.push_back({left[i], it.ctx, l});
        continue;
      }
      const uint32_t set = category_set(t, static_cast<size_t>(cat_entry[i]));
      size_t c = k;
      if (!dleft[i]) {
        // T at k, C and U below it.
        out_.threshold[k] = inf;
        out_.missing_left[k] = 0;
        c = out_.add();
        const size_t u = out_.add();
        out_.left[k] = static_cast<int64_t>(c);
        out_.right[k] = static_cast<int64_t>(u);
        out_.feature[c] = feature[i];
        out_.feature[u] = feature[i];
        out_.threshold[u] = inf;
        out_.missing_left[u] = 1;
        const size_t un = out_.add(), ui = out_.add();
        out_.left[u] = static_cast<int64_t>(un);
        out_.right[u] = static_cast<int64_t>(ui);
        work.push_back({left[i], with(it.ctx, feature[i], is_pinf), ui});
        work.push_back({right[i], with(it.ctx, feature[i], is_nan), un});
      }
      out_.categorical[c] = 1;
      out_.category_set[c] = set;
      out_.missing_left[c] = 0;
      const size_t listed = out_.add(), others = out_.add();
      out_.left[c] = static_cast<int64_t>(listed);
      out_.right[c] = static_cast<int64_t>(others);
      work.push_back({left[i], it.ctx, others});
      work.push_back({right[i], it.ctx, listed});
    }
    if (Status s = builder_.add_tree(out_.view(), options); !s)
      return Error(s.code() == error_code::out_of_memory ? s.code() : error_code::import_failed,
                   "XGBoost JSON: " + where + ": " + s.message());
    return {};
  }

 private:
  enum { unknown = 0, is_nan = 1, is_pinf = 2 };
  struct Known {
    uint32_t feature;
    int state;
    int32_t parent;
  };

  int known(int32_t ctx, uint32_t feature) const {
    for (; ctx >= 0; ctx = ctx_[ctx].parent)
      if (ctx_[ctx].feature == feature) return ctx_[ctx].state;
    return unknown;
  }
  int32_t with(int32_t ctx, uint32_t feature, int state) {
    ctx_.push_back({feature, state, ctx});
    return static_cast<int32_t>(ctx_.size() - 1);
  }

  /// The builder's set for categories entry `k` of tree `t` (deduplicated).
  uint32_t category_set(const RawTree& t, size_t k) {
    const auto seg = static_cast<size_t>((*t.categories_segments)[k]);
    const auto size = static_cast<size_t>((*t.categories_sizes)[k]);
    const auto& cats = *t.categories;
    uint32_t top = 0;
    for (size_t j = seg; j < seg + size; ++j) top = std::max(top, static_cast<uint32_t>(cats[j]));
    std::vector<uint32_t> words(top / 32 + 1, 0);
    for (size_t j = seg; j < seg + size; ++j) {
      const auto c = static_cast<uint32_t>(cats[j]);
      words[c / 32] |= 1u << (c % 32);
    }
    while (words.size() > 1 && words.back() == 0) words.pop_back();
    auto [pos, added] = sets_.try_emplace(words, 0);
    if (added) pos->second = builder_.add_category_set(words.data(), words.size());
    return pos->second;
  }

  TreeEnsembleBuilder& builder_;
  size_t n_features_;
  OutTree out_;
  std::vector<Known> ctx_;
  std::map<std::vector<uint32_t>, uint32_t> sets_;
};

Result<ImportedModel> convert(const RawModel& m, const ImportOptions& options) {
  // Version: the format this importer was checked against.
  if (!m.version) return failed("no 'version': not an XGBoost JSON model");
  if (m.version->size() < 2) return failed("'version' has " + unum(m.version->size()) + " numbers, expected 3");
  std::string version;
  for (size_t i = 0; i < m.version->size() && i < 3; ++i) version += (i ? "." : "") + num((*m.version)[i]);
  if ((*m.version)[0] != 1)
    return unsupported("written by xgboost " + version + "; this importer reads the JSON of xgboost 1.x");

  // Booster and objective.
  if (!m.booster) return failed("no 'learner.gradient_booster.name'");
  if (*m.booster == "gblinear") return unsupported("booster 'gblinear' (linear models) is not supported; use gbtree or dart");
  if (*m.booster != "gbtree" && *m.booster != "dart")
    return unsupported("booster " + quote_text(*m.booster) + " is not supported; use gbtree or dart");
  const bool dart = *m.booster == "dart";
  if (!m.objective) return failed("no 'learner.objective.name'");
  std::optional<Objective> objective;
  for (const auto& [name, o] : objective_names)
    if (*m.objective == name) objective = o;
  if (!objective)
    return unsupported("objective " + quote_text(*m.objective) + " is not supported; supported: " + supported_objectives());
  const Mapping map = mapping_of(*objective);

  // Shape.
  if (!m.num_feature) return failed("no 'learner.learner_model_param.num_feature'");
  if (*m.num_feature < 1 || static_cast<uint64_t>(*m.num_feature) > limits::max_features)
    return failed("learner_model_param.num_feature = " + num(*m.num_feature) + " is outside [1, " +
                  unum(limits::max_features) + "]");
  const auto n_features = static_cast<size_t>(*m.num_feature);
  const long long num_class = m.num_class.value_or(0);
  const long long num_target = m.num_target.value_or(1);
  if (num_target < 1) return failed("learner_model_param.num_target is 0");
  size_t n_raw = 1;
  if (map.multiclass) {
    if (num_class < 2) return failed(*m.objective + " with num_class " + num(num_class) + " (expected >= 2)");
    if (num_target != 1) return unsupported(*m.objective + " with num_target " + num(num_target));
    n_raw = static_cast<size_t>(num_class);
  } else {
    if (num_class > 1) return failed(*m.objective + " with num_class " + num(num_class) + " (expected 0)");
    if (num_target > 1 && !map.multi_target)
      return unsupported(*m.objective + " with " + num(num_target) + " targets (num_target)");
    n_raw = static_cast<size_t>(num_target);
  }
  if (n_raw > limits::max_outputs)
    return failed("learner_model_param: " + unum(n_raw) + " outputs, more than mlmap's limit " + unum(limits::max_outputs));

  // Base margin, computed in float32 as xgboost 1.7 does (ObjFunction::ProbToMargin).
  if (!m.base_score) return failed("no 'learner.learner_model_param.base_score'");
  float base = 0;
  if (!parse_float_token(trim(*m.base_score), base) || !std::isfinite(base))
    return failed("learner_model_param.base_score = " + quote_text(*m.base_score) + " is not a finite number");
  float margin = base;
  if (map.margin == Mapping::Margin::logit) {
    if (!(base > 0.0f && base < 1.0f))
      return failed("base_score " + quote_text(*m.base_score) + " must be in (0, 1) for " + *m.objective);
    margin = -std::log(1.0f / base - 1.0f);
  } else if (map.margin == Mapping::Margin::log) {
    if (!(base > 0.0f)) return failed("base_score " + quote_text(*m.base_score) + " must be > 0 for " + *m.objective);
    margin = std::log(base);
  }
  if (!std::isfinite(margin)) return failed("base_score " + quote_text(*m.base_score) + " gives a non-finite margin");

  // Trees and their groups.
  if (!m.have_model) return failed("no 'learner.gradient_booster.model' (tree model)");
  if (!m.num_trees) return failed("no 'gbtree_model_param.num_trees'");
  if (m.size_leaf_vector && *m.size_leaf_vector > 1)
    return unsupported("vector leaves (gbtree_model_param.size_leaf_vector " + num(*m.size_leaf_vector) + ")");
  if (!m.have_trees) return failed("no 'gradient_booster.model.trees'");
  const auto n_trees = static_cast<size_t>(*m.num_trees);
  if (m.trees.size() != n_trees)
    return failed("'trees' has " + unum(m.trees.size()) + " trees, but gbtree_model_param.num_trees is " + unum(n_trees));
  if (!m.tree_info) return failed("no 'gradient_booster.model.tree_info'");
  if (m.tree_info->size() != n_trees)
    return failed("'tree_info' has " + unum(m.tree_info->size()) + " entries, but num_trees is " + unum(n_trees));
  for (size_t i = 0; i < n_trees; ++i)
    if ((*m.tree_info)[i] < 0 || static_cast<size_t>((*m.tree_info)[i]) >= n_raw)
      return failed("tree_info[" + unum(i) + "] = " + num((*m.tree_info)[i]) + " is outside [0, " + unum(n_raw) +
                    ") (output groups)");
  if (dart) {
    if (!m.weight_drop) return failed("a dart booster without 'weight_drop'");
    if (m.weight_drop->size() != n_trees)
      return failed("'weight_drop' has " + unum(m.weight_drop->size()) + " entries, but num_trees is " + unum(n_trees));
    for (size_t i = 0; i < n_trees; ++i)
      if (!std::isfinite((*m.weight_drop)[i])) return failed("weight_drop[" + unum(i) + "] is not finite");
  }

  // Which rounds predict uses.
  if (options.use_best_iteration && options.iteration_end)
    return Error(error_code::invalid_argument, "use_best_iteration and iteration_end exclude each other");
  uint64_t rounds_used = options.iteration_end;
  if (options.use_best_iteration && m.best_iteration) rounds_used = static_cast<uint64_t>(*m.best_iteration) + 1;
  size_t n_used = n_trees;
  if (rounds_used) {
    const uint64_t layer = static_cast<uint64_t>(m.num_parallel_tree.value_or(1)) * n_raw;
    if (n_trees % layer != 0)
      return failed(unum(n_trees) + " trees are not whole boosting rounds of " + unum(layer) +
                    " trees (num_parallel_tree x output groups)");
    if (rounds_used > n_trees / layer) {
      const std::string what = "keeping " + unum(rounds_used) + " boosting rounds of a model that has " +
                               unum(n_trees / layer);
      if (options.iteration_end) return Error(error_code::invalid_argument, what);
      return failed("attributes.best_iteration: " + what);
    }
    n_used = static_cast<size_t>(rounds_used * layer);
  }

  // Description.
  ModelDescription d;
  d.estimator = options.estimator.empty() ? "xgboost.Booster" : options.estimator;
  d.task = map.task;
  d.n_features = n_features;
  d.n_outputs = map.task == Task::classification ? (n_raw == 1 ? 2 : n_raw) : n_raw;
  d.link = map.link;
  d.class_decision = map.decision;
  d.base_score.assign(n_raw, static_cast<double>(margin));
  if (!options.feature_names.empty()) {
    d.feature_names = options.feature_names;
    if (d.feature_names.size() != n_features)
      return Error(error_code::invalid_argument, unum(d.feature_names.size()) + " feature names given for " +
                                                     unum(n_features) + " features");
  } else if (!m.feature_names.empty()) {
    if (m.feature_names.size() != n_features)
      return failed("learner.feature_names has " + unum(m.feature_names.size()) + " names, but num_feature is " +
                    unum(n_features));
    d.feature_names = m.feature_names;
  }
  {
    std::set<std::string_view> names;
    for (const auto& s : d.feature_names)
      if (!names.insert(s).second) {
        if (!options.feature_names.empty())
          return Error(error_code::invalid_argument, "feature name " + quote_text(s) + " is given twice");
        return failed("learner.feature_names: " + quote_text(s) + " appears twice");
      }
  }
  if (!m.feature_types.empty() && m.feature_types.size() != n_features)
    return failed("learner.feature_types has " + unum(m.feature_types.size()) + " entries, but num_feature is " +
                  unum(n_features));
  if (options.classes.kind != ClassLabels::Kind::none) {
    if (map.task != Task::classification)
      return Error(error_code::invalid_argument, "class labels given for objective " + *m.objective);
    if (options.classes.size() != d.n_outputs)
      return Error(error_code::invalid_argument,
                   unum(options.classes.size()) + " class labels given for " + unum(d.n_outputs) + " classes");
    d.classes = options.classes;
  } else if (map.task == Task::classification) {
    d.classes.kind = ClassLabels::Kind::integers;
    for (size_t c = 0; c < d.n_outputs; ++c) d.classes.integers.push_back(static_cast<int64_t>(c));
  }
  d.provenance = options.provenance;
  if (d.provenance.source_library.empty()) d.provenance.source_library = "xgboost";
  if (d.provenance.source_version.empty()) d.provenance.source_version = version;
  std::map<std::string, std::string> metadata{
      {"xgboost.objective", *m.objective},
      {"xgboost.booster", *m.booster},
      {"xgboost.base_score", *m.base_score},
  };
  if (n_used != n_trees) metadata["xgboost.iteration_end"] = unum(rounds_used);
  for (const auto& [k, v] : options.metadata) metadata[k] = v;
  d.metadata.assign(metadata.begin(), metadata.end());

  // Trees: check every one, add those predict uses.
  TreeEnsembleBuilder builder(n_features, 1, n_raw, Aggregation::sum, SplitRule::less, ThresholdType::float32);
  Converter converter(builder, n_features);
  for (size_t i = 0; i < n_trees; ++i) {
    TreeOptions o;
    o.output = static_cast<uint32_t>((*m.tree_info)[i]);
    if (dart) o.leaf_scale = static_cast<double>((*m.weight_drop)[i]);
    MLMAP_TRY(converter.tree(m.trees[i], i, i < n_used, o));
  }
  if (builder.n_trees() == 0) {
    // No trees: predict gives the base margin alone.  One leaf of 0 says so.
    const int64_t none = -1, zero_feature = 0;
    const double zero = 0;
    TreeNodes t;
    t.n_nodes = 1;
    t.left = &none;
    t.right = &none;
    t.feature = &zero_feature;
    t.values = &zero;
    t.value_stride = 1;
    MLMAP_TRY(builder.add_tree(t));
  }
  builder.set_accepts_missing(true);  // xgboost routes NaN everywhere (default_left)
  return ImportedModel{std::move(d), std::move(builder)};
}

}  // namespace

}  // namespace importers

Result<ImportedModel> import_xgboost_json(std::string_view json, const ImportOptions& options) noexcept {
  try {
    importers::RawModel raw;
    MLMAP_TRY(importers::parse_document(json, options, raw));
    return importers::convert(raw, options);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory importing an XGBoost JSON model");
  } catch (const std::exception& e) {
    return Error(error_code::internal_error, std::string("importing an XGBoost JSON model: ") + e.what());
  }
}

Status convert_xgboost_json(std::string_view json, const std::string& out_path, const ImportOptions& options) noexcept {
  auto imported = import_xgboost_json(json, options);
  if (!imported) return imported.status();
  return save(out_path, imported->description, imported->trees);
}

}  // namespace mlmap
