// Stage 1 of the LightGBM importer: the text's sections (see lightgbm_text.hpp).
//
// The layout, as LightGBM 4.7 writes it (GBDT::SaveModelToString) and reads
// it (GBDT::LoadModelFromString, Tree::Tree):
//
//   tree                                  the booster type's line
//   version=v4                            header: key=value, up to the first tree
//   num_class=1 ... feature_names=a b ... tree_sizes=...
//   average_output                        (rf only; a key without a value)
//
//   Tree=0                                one block per tree: key=value lines
//   num_leaves=3 ...                      up to an empty line
//
//   end of trees
//   feature_importances: ...              ignored
//   parameters:                           [key: value] lines
//   end of parameters
//   pandas_categorical:[["a", "b"]]       appended by the Python package
//
// Lines end at \n, \r\n or \r, as LightGBM's GetLine/SkipNewLine read them.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <system_error>

#include "importers/json_text.hpp"
#include "importers/lightgbm_text.hpp"

namespace mlmap::importers::lightgbm {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Bounds on how many fields a section may hold (real files: ~12 header keys,
// ~22 per tree, ~150 parameters): duplicate checks stay cheap.
constexpr size_t max_header_fields = 256;
constexpr size_t max_tree_fields = 64;
constexpr size_t max_parameters = 4096;

/// The lines of a text, one at a time.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}

  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = pos_;
    while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
    line = text_.substr(pos_, end - pos_);
    if (end < text_.size() && text_[end] == '\r') ++end;
    if (end < text_.size() && text_[end] == '\n') ++end;
    pos_ = end;
    ++number_;
    return true;
  }
  size_t number() const noexcept { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

Status add_field(Fields& fields, Field f, size_t cap, const std::string& section) {
  if (fields.items.size() >= cap)
    return failed("line " + num(f.line) + ": " + section + " has more than " + num(cap) + " fields");
  if (const Field* seen = fields.find(f.key))
    return failed("line " + num(f.line) + ": " + quote(f.key) + " appears twice in " + section + " (also line " +
                  num(seen->line) + ")");
  fields.items.push_back(f);
  return {};
}

/// "key=value" (or a bare "key", as `average_output`).
Status key_value(std::string_view line, size_t number, bool bare_allowed, Field& out) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    if (!bare_allowed) return failed("line " + num(number) + ": " + quote(line) + " is not key=value");
    out = Field{line, std::string_view(), number};
    return {};
  }
  if (eq == 0) return failed("line " + num(number) + ": " + quote(line) + " has no key before '='");
  out = Field{line.substr(0, eq), line.substr(eq + 1), number};
  return {};
}

}  // namespace

const Field* Fields::find(std::string_view key) const noexcept {
  for (const Field& f : items)
    if (f.key == key) return &f;
  return nullptr;
}

Error failed(const std::string& message) { return Error(error_code::import_failed, "LightGBM text: " + message); }
Error unsupported(const std::string& message) {
  return Error(error_code::unsupported_model, "LightGBM model: " + message);
}

std::string quote(std::string_view s, size_t max) { return quote_text(s, max); }

std::vector<std::string_view> tokens(std::string_view value) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && value[i] == ' ') ++i;
    const size_t start = i;
    while (i < value.size() && value[i] != ' ') ++i;
    if (i > start) out.push_back(value.substr(start, i - start));
  }
  return out;
}

bool parse_integer(std::string_view t, long long& out) noexcept {
  if (t.empty() || t.size() > 24) return false;
  const size_t digits = t[0] == '-' ? 1 : 0;
  if (digits == t.size()) return false;
  for (size_t i = digits; i < t.size(); ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  long long v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return false;
  out = v;
  return true;
}

bool parse_double(std::string_view t, double& out) noexcept {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (t == "inf" || t == "+inf") return out = inf, true;
  if (t == "-inf") return out = -inf, true;
  if (t == "nan" || t == "-nan") return out = std::numeric_limits<double>::quiet_NaN(), true;
  // -?digits(.digits)?([eE][+-]?digits)?  (fmt's "{:.17g}" and C's "%g")
  size_t i = 0;
  const size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  const size_t int_start = i;
  while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
  if (i == int_start) return false;
  if (i < n && t[i] == '.') {
    const size_t frac = ++i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == frac) return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    const size_t exp = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == exp) return false;
  }
  if (i != n) return false;
  double v = 0;
  const auto r = std::from_chars(t.data(), t.data() + n, v);
  // Beyond double's range (LightGBM never writes such a number): refused
  // rather than rounded to +-inf or 0.
  if (r.ec != std::errc() || r.ptr != t.data() + n) return false;
  out = v;
  return true;
}

Status parse_text(std::string_view text, size_t max_trees, RawModel& m) try {
  Lines lines(text);
  std::string_view line;
  // The booster type.
  bool have_line = false;
  while ((have_line = lines.next(line)) && line.empty()) {
  }
  if (!have_line) return failed("the input is empty");
  if (line != "tree")
    return failed("line " + num(lines.number()) + " is " + quote(line) +
                  ", expected 'tree' (a LightGBM text model starts with its booster type)");
  // LightGBM reads the text as a C string: a NUL would end it.
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos)
    return failed("byte " + num(nul) + " is NUL: not a LightGBM text model");

  // The header, up to the first tree.
  bool end_of_trees = false;
  RawTree* tree = nullptr;
  while (lines.next(line)) {
    if (line.empty()) {
      tree = nullptr;
      continue;
    }
    if (line == "end of trees") {
      end_of_trees = true;
      break;
    }
    if (starts_with(line, "Tree=")) {
      long long index = -1;
      if (!parse_integer(line.substr(5), index) || index != static_cast<long long>(m.trees.size()))
        return failed("line " + num(lines.number()) + ": " + quote(line) + ", expected 'Tree=" + num(m.trees.size()) + "'");
      if (m.trees.size() >= max_trees)
        return failed("line " + num(lines.number()) + ": more than " + num(max_trees) + " trees (mlmap's limit)");
      tree = &m.trees.emplace_back();
      tree->line = lines.number();
      continue;
    }
    if (!m.trees.empty() && tree == nullptr)
      return failed("line " + num(lines.number()) + ": " + quote(line) + " between trees (expected 'Tree=" +
                    num(m.trees.size()) + "' or 'end of trees')");
    Field f;
    if (tree) {
      MLMAP_IMPORT_TRY(key_value(line, lines.number(), false, f));
      MLMAP_IMPORT_TRY(add_field(tree->fields, f, max_tree_fields, "tree " + num(m.trees.size() - 1)));
    } else {
      MLMAP_IMPORT_TRY(key_value(line, lines.number(), true, f));
      // LightGBM refuses more than one '=' except in these two lists.
      if (f.value.find('=') != std::string_view::npos && f.key != "feature_names" && f.key != "monotone_constraints")
        return failed("line " + num(lines.number()) + ": " + quote(line) + " has more than one '='");
      MLMAP_IMPORT_TRY(add_field(m.header, f, max_header_fields, "the header"));
    }
  }
  if (!end_of_trees) return failed("no 'end of trees' line after " + num(m.trees.size()) + " trees (truncated?)");

  // After the trees: the parameters and the pandas categories.
  bool in_parameters = false;
  while (lines.next(line)) {
    if (in_parameters) {
      if (line == "end of parameters") {
        in_parameters = false;
      } else if (line.size() >= 4 && line.front() == '[' && line.back() == ']') {
        const size_t colon = line.find(": ");
        if (colon != std::string_view::npos && colon > 1)
          MLMAP_IMPORT_TRY(add_field(m.parameters,
                                     Field{line.substr(1, colon - 1), line.substr(colon + 2, line.size() - colon - 3),
                                           lines.number()},
                                     max_parameters, "the parameters"));
      }
    } else if (line == "parameters:") {
      in_parameters = true;
    } else if (starts_with(line, "pandas_categorical:")) {
      MLMAP_IMPORT_TRY(add_field(m.extra, Field{line.substr(0, 18), line.substr(19), lines.number()}, 1,
                                 "the lines after the trees"));
    }
  }
  m.pandas_categorical = m.extra.find("pandas_categorical");
  m.n_lines = lines.number();
  return {};
} catch (const std::bad_alloc&) {
  return Error(error_code::out_of_memory, "out of memory reading a LightGBM text model");
}

}  // namespace mlmap::importers::lightgbm
