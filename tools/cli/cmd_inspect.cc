// mlmap inspect FILE [--json] — what a model file says about itself.
//
// The text form is for people; --json prints one JSON object with the keys
// and values of Python's `mlmap.load(FILE).info()` (tools/python/mlmap/_core.cc
// info_dict), so scripts get the same answer from either.

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "json.hpp"
#include "mlmap/model.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

// --- text ------------------------------------------------------------------

// "2026-11-29T09:11:58.386Z" for milliseconds since 1970 (proleptic Gregorian, UTC).
std::string iso8601_utc(int64_t unix_ms) {
  int64_t ms = unix_ms % 1000;
  int64_t secs = unix_ms / 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64
                                 ".%03" PRId64 "Z",
                y, m, d, sod / 3600, sod / 60 % 60, sod % 60, ms);
  return buf;
}

// "n: a, b, c" — long lists show their first 8 and last 2 items.
std::string item_list(const std::vector<std::string>& items) {
  constexpr size_t head = 8, tail = 2;
  const size_t n = items.size();
  std::string s = std::to_string(n) + ":";
  for (size_t i = 0; i < n; ++i) {
    if (n > head + tail + 2 && i == head) {
      s += " ...,";
      i = n - tail;
    }
    s += " " + abbreviated(items[i], 40) + (i + 1 < n ? "," : "");
  }
  return s;
}

std::vector<std::string> class_labels(const ClassLabels& c) {
  std::vector<std::string> v;
  for (size_t i = 0; i < c.size(); ++i) v.push_back(c.to_string(i));
  return v;
}

std::string with_details(std::string base, const std::vector<std::string>& details) {
  std::string d;
  for (const auto& x : details)
    if (!x.empty()) d += (d.empty() ? "" : ", ") + x;
  return d.empty() ? base : base + " (" + d + ")";
}

std::string text_report(const std::string& path, const ModelInfo& i) {
  std::string out;
  const auto line = [&](const char* key, const std::string& value) {
    char label[32];
    std::snprintf(label, sizeof label, "%-17s", *key ? (std::string(key) + ":").c_str() : "");
    out += label;
    out += value;
    out += '\n';
  };
  const auto& p = i.provenance;
  line("file", printable(path));
  line("format version", std::to_string(i.format.major) + "." + std::to_string(i.format.minor));
  line("producer", printable(p.producer + (p.producer_version.empty() ? "" : " " + p.producer_version)));
  line("source", p.source_library.empty()
                     ? std::string("unknown")
                     : printable(with_details(p.source_library + " " + p.source_version,
                                              {p.numpy_version.empty() ? "" : "numpy " + p.numpy_version,
                                               p.python_version.empty() ? "" : "Python " + p.python_version})));
  line("created", p.created_unix_ms ? iso8601_utc(p.created_unix_ms) : std::string("unknown"));
  line("estimator", printable(i.estimator));
  line("predictor", printable(i.predictor + ", link " + i.link));
  line("task", task_name(i.task));
  line("features", i.feature_names.empty() ? std::to_string(i.n_features) + " (unnamed)" : item_list(i.feature_names));
  line("outputs", std::to_string(i.n_outputs) + " (raw scores: " + std::to_string(i.n_raw) + ")");
  if (i.classes.kind != ClassLabels::Kind::none) line("classes", item_list(class_labels(i.classes)));
  line("missing values", i.accepts_missing ? "accepted (NaN is routed)" : "not accepted");
  if (i.metadata.empty()) line("metadata", "(none)");
  for (size_t k = 0; k < i.metadata.size(); ++k)
    line(k ? "" : "metadata", abbreviated(i.metadata[k].first, 60) + ": " + abbreviated(i.metadata[k].second, 200));
  if (i.trees.n_trees) {
    const auto& t = i.trees;
    line("trees", std::to_string(t.n_trees) + " trees, " + std::to_string(t.n_nodes) + " nodes, " +
                      std::to_string(t.n_leaves) + " leaves, max depth " + std::to_string(t.max_depth) +
                      ", leaf width " + std::to_string(t.leaf_width) +
                      (t.has_categorical ? ", categorical splits" : "") +
                      (t.threshold_bits == 64 ? ", float64 thresholds" : ""));
  }
  line("file size", std::to_string(i.file_size) + " bytes (header " + std::to_string(i.header_size) + " bytes, " +
                        std::to_string(i.n_columns) + " columns)");
  line("content hash", i.content_hash);
  return out;
}

// --- JSON: the keys of Python's Model.info() ---------------------------------

std::string json_report(const ModelInfo& i) {
  std::string out;
  JsonWriter j(out);
  j.begin_object();
  j.member("format_version", std::to_string(i.format.major) + "." + std::to_string(i.format.minor));
  j.key("provenance");
  j.begin_object();
  const auto& p = i.provenance;
  j.member("producer", p.producer);
  j.member("producer_version", p.producer_version);
  j.member("source_library", p.source_library);
  j.member("source_version", p.source_version);
  j.member("numpy_version", p.numpy_version);
  j.member("python_version", p.python_version);
  j.member("created_unix_ms", p.created_unix_ms);
  j.end_object();
  j.key("metadata");
  j.begin_object();
  for (const auto& [k, v] : i.metadata) {
    j.key(k);
    j.string(v);
  }
  j.end_object();
  j.member("estimator", i.estimator);
  j.member("predictor", i.predictor);
  j.member("task", task_name(i.task));
  j.member("link", i.link);
  j.member("link_scale", i.link_scale);
  j.member("class_decision", i.class_decision);
  j.key("base_score");
  j.begin_array();
  for (double b : i.base_score) j.number(b);
  j.end_array();
  j.member("n_features", i.n_features);
  j.member("n_outputs", i.n_outputs);
  j.member("n_raw", i.n_raw);
  j.member("accepts_missing", i.accepts_missing);
  j.key("feature_names");
  j.begin_array();
  for (const auto& n : i.feature_names) j.string(n);
  j.end_array();
  j.key("classes");
  switch (i.classes.kind) {
    case ClassLabels::Kind::none: j.null(); break;
    case ClassLabels::Kind::integers:
      j.begin_array();
      for (int64_t c : i.classes.integers) j.integer(c);
      j.end_array();
      break;
    case ClassLabels::Kind::strings:
      j.begin_array();
      for (const auto& c : i.classes.strings) j.string(c);
      j.end_array();
      break;
  }
  if (i.trees.n_trees) {
    const auto& t = i.trees;
    j.key("trees");
    j.begin_object();
    j.member("n_trees", t.n_trees);
    j.member("n_nodes", t.n_nodes);
    j.member("n_leaves", t.n_leaves);
    j.member("max_depth", t.max_depth);
    j.member("leaf_width", t.leaf_width);
    j.member("has_categorical", t.has_categorical);
    j.member("threshold_bits", t.threshold_bits);
    j.end_object();
  }
  if (i.dense.n_layers) {
    j.key("dense");
    j.begin_object();
    j.member("n_layers", i.dense.n_layers);
    j.member("n_weights", i.dense.n_weights);
    j.end_object();
  }
  if (i.preprocessing.n_steps) {
    j.key("preprocessing");
    j.begin_object();
    j.key("steps");
    j.begin_array();
    for (const auto& s : i.preprocessing.step_kinds) j.string(s);
    j.end_array();
    j.member("n_predictor_features", i.preprocessing.n_predictor_features);
    j.end_object();
  }
  j.key("string_columns");
  j.begin_array();
  for (size_t c = 0; c < i.string_inputs.size(); ++c)
    if (i.string_inputs[c]) j.string(c < i.feature_names.size() ? i.feature_names[c] : std::to_string(c));
  j.end_array();
  j.member("file_size", i.file_size);
  j.member("header_size", i.header_size);
  j.member("n_columns", i.n_columns);
  j.member("content_hash", i.content_hash);
  j.end_object();
  out += '\n';
  return out;
}

int run(const Args& args) {
  const std::string& path = args.positional()[0];
  auto model = Model::open(path);
  if (!model) return fail(model.error());
  const std::string report = args.has("--json") ? json_report(model->info()) : text_report(path, model->info());
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

}  // namespace

const Command& inspect_command() {
  static const Command command{
      "inspect",
      "FILE [--json]",
      "show what a model file holds (versions, estimator, features, classes, sizes)",
      "Opens the file with the structural checks only (fast); `mlmap verify` checks everything.\n"
      "--json prints the keys and values of Python's mlmap.load(FILE).info().",
      ArgSpec{{{"--json", "", "one JSON object instead of text"}}, {"FILE"}, 1, 1},
      run};
  return command;
}

}  // namespace mlmap::cli
