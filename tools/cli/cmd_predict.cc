// mlmap predict FILE [INPUT.csv|-] [--proba] [--threads N] [--output OUT]
//               [--header | --no-header]
//
// Streams the input in chunks of rows (memory stays bounded, see
// rows_per_chunk), predicts each chunk from float64 values (as Python does for
// float64 input; string columns through the Table API, as the server does:
// tools/common/csv_rows.hpp reads both) and writes CSV: `label`
// (classifiers), one probability column per class (--proba), or
// `prediction` / `prediction_0..k-1` (regressors).

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common/batch.hpp"
#include "common/csv.hpp"
#include "common/csv_rows.hpp"
#include "mlmap/model.hpp"
#include "output.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

using tools::CsvReader;
using tools::CsvWriter;

// Rows per chunk: 4096, fewer for wide models so that a chunk's input and
// output stay within about 32 MiB.
constexpr size_t max_chunk_rows = 4096;
constexpr size_t chunk_bytes = size_t{32} << 20;

size_t rows_per_chunk(size_t n_features, size_t width) {
  const size_t row_bytes = sizeof(double) * (n_features + width) + sizeof(int64_t);
  return std::clamp<size_t>(chunk_bytes / row_bytes, 1, max_chunk_rows);
}

struct Options {
  std::string model_path;
  std::string input_path;
  std::string output_path;
  bool proba = false;
  int n_threads = 1;
  tools::HeaderMode header = tools::HeaderMode::detect;
};

// When the header was guessed, one line on stderr says what was chosen and
// how to choose otherwise (the output has one row per row of data either way).
void note_header(const tools::CsvRows& rows, const tools::CsvReader& input) {
  if (!rows.decided() || !rows.guessed()) return;
  const std::string where = printable(input.name()) + " line " + std::to_string(rows.first_line());
  const std::string note =
      rows.has_header()
          ? "mlmap: note: " + where + " is read as a header (it names the model's features); --no-header reads it as data\n"
          : "mlmap: note: " + where + " is read as data (it does not name the model's features); --header skips it\n";
  std::fflush(stdout);
  std::fputs(note.c_str(), stderr);
}

// What each output row holds.
enum class Kind { label, probabilities, values };

// A multi-output classifier (info.output_groups) gives label_0..m-1, and
// its probability columns are named output<j>_<class> (outputs may share
// labels).
std::vector<std::string> column_names(const ModelInfo& info, Kind kind, size_t width) {
  const auto& groups = info.output_groups;
  std::vector<std::string> names;
  if (kind == Kind::label) {
    if (groups.empty()) return {"label"};
    for (size_t j = 0; j < groups.size(); ++j) names.push_back("label_" + std::to_string(j));
    return names;
  }
  std::vector<size_t> output_of;  // probability column -> its output
  for (size_t j = 0; j < groups.size(); ++j) output_of.insert(output_of.end(), groups[j], j);
  for (size_t i = 0; i < width; ++i) {
    if (kind == Kind::probabilities) {
      std::string name = i < info.classes.size() ? info.classes.to_string(i) : std::to_string(i);
      names.push_back(i < output_of.size() ? "output" + std::to_string(output_of[i]) + "_" + name : name);
    } else
      names.push_back(width == 1 ? "prediction" : "prediction_" + std::to_string(i));
  }
  return names;
}

// Class labels, ready to write as CSV fields.
std::vector<std::string> label_fields(const ModelInfo& info, size_t n_classes) {
  std::vector<std::string> labels;
  for (size_t i = 0; i < n_classes; ++i)
    labels.push_back(tools::csv_field(i < info.classes.size() ? info.classes.to_string(i) : std::to_string(i)));
  return labels;
}

int predict(const Options& o) {
  auto model = Model::open(o.model_path);
  if (!model) return fail(model.error());
  const ModelInfo& info = model->info();
  const bool classifier = info.task == Task::classification;
  if (o.proba && !classifier)
    return usage_error(predict_command(), "--proba needs a classifier, but '" + o.model_path + "' holds a " +
                                              task_name(info.task) + " model");
  if (o.proba && !info.gives_probabilities())
    return usage_error(predict_command(), "--proba is not available: this " + info.estimator +
                                              " gives no probabilities (it decides classes without them)");
  const Kind kind = !info.gives_labels() ? Kind::values : o.proba ? Kind::probabilities : Kind::label;
  const size_t width = model->output_width(Output::value);
  const size_t nf = model->num_features();

  if (auto clash = output_overwrites_input(o.output_path, {o.model_path, o.input_path}))
    return usage_error(predict_command(), *clash);
  std::string error;
  auto input = CsvReader::open(o.input_path, error);
  if (!input) return fail(error);
  auto output = OutputFile::open(o.output_path);
  if (!output) return fail(output.error());

  tools::CsvRows rows(*input, info, o.header);
  const size_t per_row = model->class_width();  // labels per row
  const size_t chunk_rows = rows_per_chunk(nf, std::max(width, per_row));
  tools::Batch batch(info);
  batch.reserve(chunk_rows);
  std::vector<double> values(kind == Kind::label ? 0 : chunk_rows * width);
  std::vector<int64_t> classes(kind == Kind::label ? chunk_rows * per_row : 0);
  // Class indices name info.classes (an outlier detector: 1 output, classes -1 and 1).
  const std::vector<std::string> labels = label_fields(info, std::max(width, info.classes.size()));
  PredictOptions options;
  options.n_threads = o.n_threads;

  std::string text;
  CsvWriter csv(text);
  // The header goes out with the first chunk: an input rejected at its first
  // line leaves standard output empty.
  for (const auto& name : column_names(info, kind, width)) csv.field(name);
  csv.end_row();
  for (;;) {
    batch.clear();
    const bool first = !rows.decided();
    const bool ok = rows.read(batch, chunk_rows, error);
    if (first) note_header(rows, *input);
    if (!ok) return fail(error);
    const size_t n = batch.n_rows();
    if (kind == Kind::label) {
      auto st = batch.predict_class(*model, classes.data(), o.n_threads);
      if (!st) return fail(st.error());
      for (size_t r = 0; r < n; ++r) {
        for (size_t j = 0; j < per_row; ++j) {
          const int64_t c = classes[r * per_row + j];
          if (j) text += ',';
          if (c >= 0 && static_cast<size_t>(c) < labels.size())
            text += labels[static_cast<size_t>(c)];
          else
            text += std::to_string(c);
        }
        text += '\n';
      }
    } else {
      auto st = batch.predict(*model, values.data(), options);
      if (!st) return fail(st.error());
      for (size_t r = 0; r < n; ++r) {
        for (size_t j = 0; j < width; ++j) csv.number(values[r * width + j]);
        csv.end_row();
      }
    }
    if (auto st = output->write(text); !st) return fail(st.error());
    text.clear();
    if (n < chunk_rows) break;
  }
  if (auto st = output->commit(); !st) return fail(st.error());
  return exit_ok;
}

int run(const Args& args) {
  Options o;
  o.model_path = args.positional()[0];
  o.input_path = args.positional_or(1, "-");
  o.output_path = args.value("--output").value_or("-");
  if (o.output_path.empty()) return usage_error(predict_command(), "--output needs a file name");
  o.proba = args.has("--proba");
  if (args.has("--header") && args.has("--no-header"))
    return usage_error(predict_command(), "--header and --no-header contradict each other");
  if (args.has("--header")) o.header = tools::HeaderMode::present;
  if (args.has("--no-header")) o.header = tools::HeaderMode::absent;
  if (auto t = args.value("--threads")) {
    auto n = parse_non_negative_int(*t);
    if (!n) return usage_error(predict_command(), "--threads takes a whole number >= 0, not '" + *t + "'");
    o.n_threads = *n;
  }
  return predict(o);
}

}  // namespace

const Command& predict_command() {
  static const Command command{
      "predict",
      "FILE [INPUT.csv|-]",
      "predict the rows of a CSV file (default: standard input)",
      "Input: CSV with an optional header.  By default the first line is a header\n"
      "when it names the model's features (any order, extra columns allowed) or is\n"
      "0,1,...,n-1 (pandas' unnamed columns); otherwise it is data, and a cell that\n"
      "is not a number is an error naming its line and column: every line of data\n"
      "gives one output row.  The choice is noted on stderr; --header or\n"
      "--no-header makes it.  With a header of feature names, columns are matched\n"
      "by name; otherwise they are positional.  Empty fields, NA and nan are\n"
      "missing values; infinities (inf, 1e999) where the model takes them (FORMAT.md §3).\n"
      "Output: CSV with a header: `label` for classifiers (outlier detectors: -1 or 1;\n"
      "multi-output classifiers: label_0..m-1), one probability column per class with\n"
      "--proba (multi-output: output<j>_<class>), `prediction` (or\n"
      "prediction_0..k-1) for regressors.",
      ArgSpec{{{"--proba", "", "classifiers: class probabilities instead of labels"},
               {"--threads", "N", "threads per chunk of rows (default 1; 0 = all cores)"},
               {"--output", "OUT", "write to OUT (a file: replaced atomically; a FIFO or device: written to) instead of standard output"},
               {"--header", "", "the first line is a header (default: detected)"},
               {"--no-header", "", "the first line is data (default: detected)"}},
              {"FILE", "INPUT"},
              1,
              2},
      run};
  return command;
}

}  // namespace mlmap::cli
