// mlmap inspect FILE [--json] — what a model file says about itself.
//
// The text form is for people; --json prints mlmap::to_json(info), the one
// serialisation that Python's `mlmap.load(FILE).info()` and the server's
// GET /model also print, so scripts get the same answer from each.

#include <algorithm>
#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
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
  line("predictor", std::string(enum_name(i.predictor_kind)) + ", link " + enum_name(i.link_function));
  line("task", enum_name(i.task));
  line("features", i.feature_names.empty() ? std::to_string(i.n_features) + " (unnamed)" : item_list(i.feature_names));
  line("outputs", std::to_string(i.n_outputs) + " (raw scores: " + std::to_string(i.n_raw) + ")");
  if (!i.output_groups.empty()) {
    // a multi-output classifier: each output's classes
    const auto all = class_labels(i.classes);
    size_t begin = 0;
    for (size_t j = 0; j < i.output_groups.size(); ++j) {
      const size_t end = std::min(all.size(), begin + i.output_groups[j]);
      line(j ? "" : "classes", "output " + std::to_string(j) + ": " +
                                   item_list(std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(begin),
                                                                      all.begin() + static_cast<std::ptrdiff_t>(end))));
      begin = end;
    }
  } else if (i.classes.kind != ClassLabels::Kind::none) {
    line("classes", item_list(class_labels(i.classes)));
  }
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
    line("tree layouts", std::string("nodes") + (t.complete_layout ? ", complete trees (one row)" : "") +
                             (t.bitvector_layout ? ", leaf bit-vectors (batches)" : ""));
  }
  line("file size", std::to_string(i.file_size) + " bytes (header " + std::to_string(i.header_size) + " bytes, " +
                        std::to_string(i.n_columns) + " columns)");
  line("content hash", i.content_hash);
  return out;
}

int run(const Args& args) {
  const std::string& path = args.positional()[0];
  auto model = Model::open(path);
  if (!model) return fail(model.error());
  const std::string report = args.has("--json") ? to_json(model->info()) + "\n" : text_report(path, model->info());
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

}  // namespace

const Command& inspect_command() {
  static const Command command{
      "inspect",
      "FILE",
      "show what a model file holds (versions, estimator, features, classes, sizes)",
      "Opens the file with the structural checks only (fast); `mlmap verify` checks everything.\n"
      "--json prints the keys and values of Python's mlmap.load(FILE).info().",
      ArgSpec{{{"--json", "", "one JSON object instead of text"}}, {"FILE"}, 1, 1},
      run};
  return command;
}

}  // namespace mlmap::cli
