// The XGBoost JSON front-end (xgboost 1.x to 3.x: Booster.save_model("m.json"),
// save_raw("json")), and the public entry points of mlmap/importers.hpp.
//
// Three stages, each on untrusted input:
//   1. check_json_structure() (json_text.cc): size, nesting depth, balanced
//      brackets, one root object (simdjson's On-Demand parser checks neither
//      depth nor skipped parts);
//   2. parse (here): simdjson On-Demand walks the document once, in any key
//      order, into an XgbModel of plain vectors (xgboost_model.hpp).  Numbers
//      are read from their tokens: float32 values are rounded once from the
//      decimal text (as xgboost does), xgboost's NaN / Infinity literals are
//      understood, integers are range-checked;
//   3. convert (xgboost_convert.cc, xgboost_trees.cc): every count, index and
//      value is checked against the declared counts and mlmap's limits, and
//      each tree is rewritten for mlmap's rules into a TreeEnsembleBuilder.
// A second front-end (UBJSON) would replace stages 1 and 2 and feed the same
// XgbModel to stage 3.

#include "importers/xgboost_json.hpp"

#include <simdjson.h>

#include <limits>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "format/foreign.hpp"
#include "format/limits.hpp"
#include "importers/ubjson.hpp"
#include "importers/xgboost_convert.hpp"

namespace mlmap {

namespace importers {

namespace od = simdjson::ondemand;

namespace {

Error failed(const std::string& message) { return malformed("XGBoost JSON", message); }

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

Status parse_tree(od::value& v, const std::string& path, XgbTree& t) {
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
    } else if (key == "base_weights") {
      return read_float_array(value, p, t.base_weights);
    } else if (key == "leaf_weights") {
      return read_float_array(value, p, t.leaf_weights);
    } else if (key == "sum_hessian") {
      return read_float_array(value, p, t.sum_hessian);
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

Status parse_gbtree_model(od::value& v, const std::string& path, XgbModel& m) {
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
    if (key == "cats") {  // 3.1+: {"enc": [{"values": [...], ...} per feature], ...}
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        if (k != "enc") return {};
        return for_each_element(x, p + ".enc", [&](size_t i, od::value& e) -> Status {
          const std::string q = p + ".enc[" + unum(i) + "]";
          return for_each_field(e, q, [&](std::string_view f, od::value& values) -> Status {
            if (f != "values") return {};
            size_t n = 0;
            MLMAP_TRY(for_each_element(values, q + ".values", [&](size_t, od::value&) -> Status {
              ++n;
              return {};
            }));
            if (n) ++m.cats_encoded;
            return {};
          });
        });
      });
    }
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

Status parse_gradient_booster(od::value& v, const std::string& path, XgbModel& m) {
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

Status parse_learner(od::value& v, const std::string& path, XgbModel& m) {
  return for_each_field(v, path, [&](std::string_view key, od::value& value) -> Status {
    const std::string p = path + "." + std::string(key);
    if (key == "attributes") {
      return for_each_field(value, p, [&](std::string_view k, od::value& x) -> Status {
        if (k == "best_iteration") {
          // xgboost 1.7 writes -1 for a booster of 0 rounds: no best iteration.
          MLMAP_TRY(read_int_string(x, p + ".best_iteration", -1, int32_max, m.best_iteration));
          if (m.best_iteration == -1) m.best_iteration.reset();
          return {};
        }
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

}  // namespace

Status parse_xgboost_json(std::string_view text, const ImportOptions& options, XgbModel& m) noexcept try {
  if (text.size() > options.max_input_bytes)
    return failed("the input has " + unum(text.size()) + " bytes, more than the limit of " +
                  unum(options.max_input_bytes));
  switch (xgboost_file_kind(text)) {
    case XgbFileKind::json: break;
    case XgbFileKind::ubjson:
      return failed("this is UBJSON (save_model('m.ubj'), xgboost's default format since 2.1), not JSON: "
                    "read it with import_xgboost_ubjson() or import_xgboost() (by content)");
    case XgbFileKind::other: return failed(describe_other_file(text));
  }
  if (text.size() > simdjson::SIMDJSON_MAXSIZE_BYTES - simdjson::SIMDJSON_PADDING)
    return failed("the input has " + unum(text.size()) + " bytes, more than the JSON parser's limit");
  if (format::looks_like_ubjson(reinterpret_cast<const uint8_t*>(text.data()), text.size()))
    return failed("this is UBJSON (XGBoost's binary JSON, what save_model writes by default since 2.1), not JSON "
                  "text; mlmap reads XGBoost's JSON: save the booster with booster.save_model('model.json'), or "
                  "from Python call mlmap.save(booster, path)");
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
} catch (const std::bad_alloc&) {
  return Error(error_code::out_of_memory, "out of memory parsing an XGBoost JSON model");
}

}  // namespace importers

Result<ImportedModel> import_xgboost_json(std::string_view json, const ImportOptions& options) noexcept {
  try {
    importers::XgbModel raw;
    MLMAP_TRY(importers::parse_xgboost_json(json, options, raw));
    return importers::convert_xgboost_model(raw, options);
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
