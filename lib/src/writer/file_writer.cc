#include "writer/file_writer.hpp"

#include <chrono>
#include <optional>
#include <set>

#include "format/checksum.hpp"
#include "format/limits.hpp"
#include "format/preamble.hpp"
#include "format/schema_enums.hpp"
#include "format/vocabulary.hpp"
#include "mlmap/version.hpp"

namespace mlmap::writer {

namespace {

namespace fbs = flatbuffers;

std::string str(uint64_t v) { return std::to_string(v); }

// From this many predictor features on, a program's features are written as
// runs of consecutive slots when that at least halves the entries
// (Preprocessing.feature_runs, FORMAT.md §7).
constexpr size_t feature_runs_from = 1024;

uint64_t align_up(uint64_t x) {
  return (x + limits::column_alignment - 1) / limits::column_alignment * limits::column_alignment;
}

// The header is small unless a caller passes millions of names; refuse before
// FlatBuffers' 2 GiB limit is near (its release builds do not check it).
Status check_header_budget(const ModelDescription& d, const std::vector<ColumnInput>& cols,
                           const PreprocessingSpec* pre) {
  uint64_t bytes = 0;
  if (pre)
    for (const auto& op : pre->ops) {
      bytes += 256 + 8 * (op.inputs.size() + op.a.size() + op.b.size() + op.numeric_categories.size() +
                          op.category_counts.size() + op.category_order.size() + op.missing_category.size() + op.none_category.size() +
                          op.drop.size() + op.powers.size());
      for (const auto& s : op.string_categories) bytes += s.size() + 16;
      for (const auto& s : op.fill_strings) bytes += s.size() + 16;
      bytes += op.name.size() + 16;
    }
  for (const auto& s : d.feature_names) bytes += s.size() + 16;
  for (const auto& s : d.classes.strings) bytes += s.size() + 16;
  bytes += d.classes.integers.size() * 8 + d.base_score.size() * 8 + (d.prob_a.size() + d.prob_b.size()) * 8;
  for (const auto& [k, v] : d.metadata) bytes += k.size() + v.size() + 32;
  for (const auto& c : cols) bytes += c.name.size() + c.shape.size() * 8 + 96;
  if (bytes > (uint64_t{1} << 30))
    return Error(error_code::limit_exceeded, "names, labels and metadata need about " + str(bytes) +
                                                 " header bytes; the limit is 1 GiB");
  return {};
}


// Text steps: which kind the file stores.  The character analyzers have
// their own kinds (FORMAT.md §7.4): a reader from before them, which ignores
// TextOptions.analyzer, refuses those rather than count words.
bool counts_vocabulary(OpKind k) { return k == OpKind::text_count || k == OpKind::text_count_chars; }
bool is_text(OpKind k) { return counts_vocabulary(k) || k == OpKind::text_hash || k == OpKind::text_hash_chars; }
OpKind stored_kind(const OpSpec& op) {
  if (!is_text(op.kind)) return op.kind;
  const bool chars = op.text.analyzer != 0;
  if (counts_vocabulary(op.kind)) return chars ? OpKind::text_count_chars : OpKind::text_count;
  return chars ? OpKind::text_hash_chars : OpKind::text_hash;
}

fbs::Offset<fb::Op> build_op(fbs::FlatBufferBuilder& b, const OpSpec& op, const std::vector<int32_t>& column_refs) {
  auto inputs = b.CreateVector(op.inputs);
  auto columns = b.CreateVector(column_refs);
  auto a = b.CreateVector(op.a);
  auto bb = b.CreateVector(op.b);
  auto fill = b.CreateVectorOfStrings(op.fill_strings);
  auto counts = b.CreateVector(op.category_counts);
  auto numeric = b.CreateVector(op.numeric_categories);
  auto strings = b.CreateVectorOfStrings(op.string_categories);
  auto order = b.CreateVector(op.category_order);
  auto missing = b.CreateVector(op.missing_category);
  auto drop = b.CreateVector(op.drop);
  auto none = b.CreateVector(op.none_category);
  auto powers = b.CreateVector(op.powers);
  fbs::Offset<fbs::String> name;
  if (!op.name.empty()) name = b.CreateString(op.name);
  flatbuffers::Offset<fb::TextOptions> text;
  if (is_text(op.kind)) {
    auto stop = b.CreateVectorOfStrings(op.text.stop_words);
    fb::TextOptionsBuilder t(b);
    t.add_lowercase(op.text.lowercase);
    t.add_ngram_min(op.text.ngram_min);
    t.add_ngram_max(op.text.ngram_max);
    if (!op.text.stop_words.empty()) t.add_stop_words(stop);
    t.add_binary(op.text.binary);
    t.add_sublinear_tf(op.text.sublinear_tf);
    t.add_normalize(op.text.normalize);
    t.add_norm(format::to_schema(op.text.norm));
    t.add_max_probe(op.text.max_probe);
    t.add_alternate_sign(op.text.alternate_sign);
    t.add_strip_accents(static_cast<fb::StripAccents>(op.text.strip_accents));
    t.add_analyzer(static_cast<fb::Analyzer>(op.text.analyzer));
    text = t.Finish();
  }
  fb::OpBuilder o(b);
  o.add_kind(format::to_schema(stored_kind(op)));
  o.add_inputs(inputs);
  o.add_string_inputs(op.string_inputs);
  o.add_out_begin(op.out_begin);
  o.add_n_out(op.n_out);
  o.add_a(a);
  o.add_b(bb);
  o.add_clip(op.clip);
  o.add_clip_low(op.clip_low);
  o.add_clip_high(op.clip_high);
  o.add_norm(format::to_schema(op.norm));
  o.add_missing_is_nan(op.missing_is_nan);
  o.add_missing_value(op.missing_value);
  o.add_fill_strings(fill);
  o.add_category_counts(counts);
  o.add_numeric_categories(numeric);
  o.add_string_categories(strings);
  o.add_category_order(order);
  o.add_missing_category(missing);
  o.add_drop(drop);
  o.add_unknown(format::to_schema(op.unknown));
  o.add_unknown_value(op.unknown_value);
  o.add_missing_encoded(op.missing_encoded);
  o.add_powers(powers);
  if (!column_refs.empty()) o.add_columns(columns);
  if (!op.none_category.empty()) o.add_none_category(none);  // absent: None is missing (older files)
  o.add_string_missing(format::to_schema(op.string_missing));
  o.add_degree(op.degree);
  o.add_extrapolation(format::to_schema(op.extrapolation));
  o.add_include_bias(op.include_bias);
  o.add_missing_zeros(op.missing_zeros);
  o.add_sub_model_output(format::to_schema(op.sub_model_output));
  o.add_function(format::to_schema(op.function));
  if (!op.name.empty()) o.add_name(name);
  if (!text.IsNull()) o.add_text(text);
  return o.Finish();
}

fbs::Offset<fb::Preprocessing> build_preprocessing(fbs::FlatBufferBuilder& b, const PreprocessingSpec& p,
                                                  const std::vector<std::vector<int32_t>>& op_columns) {
  std::vector<fb::InputKind> kinds;
  for (bool s : p.string_inputs) kinds.push_back(s ? fb::InputKind::String : fb::InputKind::Numeric);
  std::vector<uint8_t> kind_bytes(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) kind_bytes[i] = static_cast<uint8_t>(kinds[i]);
  auto input_kinds = b.CreateVector(reinterpret_cast<const fb::InputKind*>(kind_bytes.data()), kind_bytes.size());
  std::vector<fbs::Offset<fb::Op>> ops;
  for (size_t k = 0; k < p.ops.size(); ++k) ops.push_back(build_op(b, p.ops[k], op_columns[k]));
  auto op_vector = b.CreateVector(ops);
  // A long list of mostly consecutive slots (a text vectorizer's 2^20
  // outputs) goes as runs, so that the header and opening do not grow with
  // it; short lists stay a list, which readers before feature_runs read.
  std::vector<fb::FeatureRun> runs;
  for (uint32_t s : p.features) {
    if (!runs.empty() && runs.back().first() + runs.back().count() == s && runs.back().count() < UINT32_MAX)
      runs.back().mutate_count(runs.back().count() + 1);
    else
      runs.emplace_back(s, 1);
  }
  const bool as_runs = p.features.size() >= feature_runs_from && 2 * runs.size() <= p.features.size();
  auto features = b.CreateVector(as_runs ? std::vector<uint32_t>{} : p.features);
  auto feature_runs = as_runs ? b.CreateVectorOfStructs(runs) : fbs::Offset<fbs::Vector<const fb::FeatureRun*>>{};
  return fb::CreatePreprocessing(b, input_kinds, p.n_slots, p.n_string_slots, op_vector, features, feature_runs);
}

void build_header(fbs::FlatBufferBuilder& b, const ModelDescription& d, const std::vector<ColumnInput>& cols,
                  const std::vector<uint64_t>& offsets, const std::vector<uint64_t>& checksums,
                  uint32_t n_raw, const PredictorTableFn& predictor, const PreprocessingSpec* pre,
                  const std::vector<std::vector<int32_t>>& op_columns) {
  b.Clear();
  b.ForceDefaults(true);  // every scalar written: the size does not depend on offsets
  std::vector<fbs::Offset<fb::Column>> cs;
  for (size_t i = 0; i < cols.size(); ++i) {
    const auto& c = cols[i];
    cs.push_back(fb::CreateColumn(b, b.CreateString(c.name), c.dtype, b.CreateVector(c.shape), offsets[i], c.bytes,
                                  checksums[i]));
  }
  auto columns = b.CreateVector(cs);
  const auto& p = d.provenance;
  const int64_t created = p.created_unix_ms ? p.created_unix_ms
                                            : std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count();
  auto provenance =
      fb::CreateProvenance(b, b.CreateString("mlmap"), b.CreateString(MLMAP_VERSION), b.CreateString(p.source_library),
                           b.CreateString(p.source_version), b.CreateString(p.numpy_version),
                           b.CreateString(p.python_version), created);
  std::vector<fbs::Offset<fb::KeyValue>> kvs;
  for (const auto& [k, v] : d.metadata) kvs.push_back(fb::CreateKeyValue(b, b.CreateString(k), b.CreateString(v)));
  auto metadata = b.CreateVectorOfSortedTables(&kvs);
  auto feature_names = b.CreateVectorOfStrings(d.feature_names);
  fb::ClassLabels classes_type = fb::ClassLabels::NONE;
  fbs::Offset<void> classes;
  if (d.classes.kind == ClassLabels::Kind::integers) {
    classes_type = fb::ClassLabels::Int64Labels;
    classes = fb::CreateInt64Labels(b, b.CreateVector(d.classes.integers)).Union();
  } else if (d.classes.kind == ClassLabels::Kind::strings) {
    classes_type = fb::ClassLabels::StringLabels;
    classes = fb::CreateStringLabels(b, b.CreateVectorOfStrings(d.classes.strings)).Union();
  }
  auto base_score = b.CreateVector(d.base_score);
  flatbuffers::Offset<fb::PlattSigmoids> coupling;
  if (d.link == LinkFunction::pairwise_coupling)
    coupling = fb::CreatePlattSigmoids(b, b.CreateVector(d.prob_a), b.CreateVector(d.prob_b));
  auto refuses_infinity = b.CreateVector(d.refuses_infinity);
  auto output_groups = b.CreateVector(d.output_groups);
  auto estimator = b.CreateString(d.estimator);
  auto [ptype, pred] = predictor(b);
  fbs::Offset<fb::Preprocessing> preprocessing;
  if (pre) preprocessing = build_preprocessing(b, *pre, op_columns);
  fb::ModelBuilder mb(b);
  mb.add_task(format::to_schema(d.task));
  mb.add_estimator(estimator);
  mb.add_n_features(static_cast<uint32_t>(d.n_features));
  mb.add_n_outputs(static_cast<uint32_t>(d.n_outputs));
  mb.add_n_raw(n_raw);
  mb.add_feature_names(feature_names);
  mb.add_classes_type(classes_type);
  if (classes_type != fb::ClassLabels::NONE) mb.add_classes(classes);
  mb.add_base_score(base_score);
  if (!d.refuses_infinity.empty()) mb.add_refuses_infinity(refuses_infinity);
  mb.add_link(format::to_schema(d.link));
  mb.add_link_scale(d.link_scale);
  mb.add_class_decision(format::to_schema(d.class_decision));
  mb.add_predictor_type(ptype);
  mb.add_predictor(pred);
  if (pre) mb.add_preprocessing(preprocessing);
  mb.add_decision_function(format::to_schema(d.decision_function));
  mb.add_decision_offset(d.decision_offset);
  if (d.decision_features) mb.add_decision_features(d.decision_features);
  if (d.link == LinkFunction::pairwise_coupling) mb.add_coupling(coupling);
  if (!d.output_groups.empty()) mb.add_output_groups(output_groups);
  auto model = mb.Finish();
  fb::FinishHeaderBuffer(b, fb::CreateHeader(b, provenance, metadata, columns, model));
}

// FORMAT.md §13: a file carries the lowest minor version that can express
// it, read from the header just built (so no writer can forget a feature).
// 1.1 added: the LogisticEach, Normalize, PairwiseCoupling and Isolation
// links; k-nearest neighbours, kernel machines and naive Bayes; outlier
// detection, the one-vs-one and decision-value class decisions and the
// decision functions; dense layer kinds other than Dense, the activations
// after Logistic and Float32 layer columns; the preprocessing kinds from
// Binarize (10) on; a program's feature runs; the trees' leaf bit-vector
// layout.
bool ops_need_1_1(const fb::Model& m) {
  if (const auto* pre = m.preprocessing(); pre && pre->feature_runs()) return true;
  if (const auto* pre = m.preprocessing())
    for (const auto* op : *pre->ops())
      if (op->kind() >= fb::OpKind::Binarize) return true;
  return false;
}

bool dense_needs_1_1(const fb::Header& h, const fb::DenseNetwork& net) {
  for (const auto* L : *net.layers()) {
    if (L->kind() != fb::LayerKind::Dense || L->activation() > fb::Activation::Logistic || L->alpha() >= 0) return true;
    for (int32_t c : {L->weights(), L->bias()})
      if (c >= 0 && static_cast<uint32_t>(c) < h.columns()->size() &&
          h.columns()->Get(static_cast<uint32_t>(c))->dtype() == fb::DType::Float32)
        return true;
  }
  return false;
}

uint16_t lowest_minor(const fb::Header& h) {
  const fb::Model& m = *h.model();
  const bool v1_1 = m.predictor_type() == fb::Predictor::Neighbors ||
                    m.predictor_type() == fb::Predictor::KernelMachine ||
                    m.predictor_type() == fb::Predictor::NaiveBayes || m.task() == fb::Task::OutlierDetection ||
                    m.link() >= fb::Link::LogisticEach || m.class_decision() >= fb::ClassDecision::OvoVotes ||
                    m.decision_function() != fb::DecisionFunction::Raw || m.coupling() != nullptr ||
                    (m.predictor_as_DenseNetwork() && dense_needs_1_1(h, *m.predictor_as_DenseNetwork())) ||
                    ops_need_1_1(m) ||
                    (m.predictor_as_TreeEnsemble() && (m.predictor_as_TreeEnsemble()->leaf_bitvectors() ||
                                                       m.predictor_as_TreeEnsemble()->complete_trees()));
  return v1_1 ? 1 : 0;
}

}  // namespace

Status write_model_file(const std::string& path, const ModelDescription& d, const ColumnSet& set, uint32_t n_raw,
                        const PredictorTableFn& predictor, const PreprocessingSpec* pre, const CheckFn& check) noexcept {
  try {
    // The steps' parameter columns follow the predictor's.
    ColumnSet all = set;
    std::vector<std::vector<int32_t>> op_columns;
    // Text steps' vocabularies become hash tables (their max_probe goes
    // into the header: the steps are copied).
    std::optional<PreprocessingSpec> with_tables;
    std::vector<format::VocabularyTable> tables;
    if (pre) {
      size_t n_text = 0;
      for (const auto& op : pre->ops) n_text += counts_vocabulary(op.kind);
      if (n_text) {
        with_tables = *pre;
        tables.reserve(n_text);  // the columns point into them
        pre = &*with_tables;
      }
      for (size_t k = 0; k < pre->ops.size(); ++k) {
        op_columns.emplace_back();
        for (const auto& c : pre->ops[k].columns)
          op_columns.back().push_back(
              c.bytes.empty()
                  ? all.add("preprocessing." + str(k) + "." + c.role, c.values.data(), c.values.size(), c.shape)
                  : all.add("preprocessing." + str(k) + "." + c.role, c.bytes.data(), c.bytes.size()));
        if (!counts_vocabulary(pre->ops[k].kind)) continue;
        auto& op = with_tables->ops[k];
        if (op.text.idf.size() != op.text.vocabulary.size())
          return Error(error_code::invalid_argument, "preprocessing step " + str(k) + ": " + str(op.text.idf.size()) +
                                                         " idf values for " + str(op.text.vocabulary.size()) + " terms");
        auto t = format::build_vocabulary(op.text.vocabulary);
        if (!t) return Error(t.error().code(), "preprocessing step " + str(k) + ": " + t.error().message());
        tables.push_back(std::move(*t));
        op.text.max_probe = tables.back().max_probe;
        const std::string p = "preprocessing." + str(k) + ".";
        op_columns.back().push_back(all.add(p + "table", tables.back().table));
        op_columns.back().push_back(all.add(p + "offsets", tables.back().offsets));
        op_columns.back().push_back(all.add(p + "terms", tables.back().terms));
        op_columns.back().push_back(all.add(p + "idf", op.text.idf));
      }
    }
    const auto& cols = all.columns();
    if (cols.size() > limits::max_columns)
      return Error(error_code::limit_exceeded, str(cols.size()) + " columns; the limit is " + str(limits::max_columns));
    std::set<std::string> keys;
    for (const auto& kv : d.metadata)
      if (!keys.insert(kv.first).second) return Error(error_code::invalid_argument, "metadata key '" + kv.first + "' repeats");
    auto st = check_header_budget(d, cols, pre);
    if (!st) return st;

    std::vector<uint64_t> checksums(cols.size()), offsets(cols.size(), 0);
    for (size_t i = 0; i < cols.size(); ++i) checksums[i] = format::checksum64(cols[i].data, cols[i].bytes);

    fbs::FlatBufferBuilder b(4096);
    build_header(b, d, cols, offsets, checksums, n_raw, predictor, pre, op_columns);
    const uint64_t header_size = b.GetSize();
    if (header_size > limits::max_header_size) return Error(error_code::limit_exceeded, "header exceeds 2 GiB");
    uint64_t cursor = align_up(limits::preamble_size + header_size);
    for (size_t i = 0; i < cols.size(); ++i) {
      offsets[i] = cursor;
      cursor = align_up(cursor + cols[i].bytes);
    }
    const uint64_t file_length = cols.empty() ? limits::preamble_size + header_size : offsets.back() + cols.back().bytes;
    build_header(b, d, cols, offsets, checksums, n_raw, predictor, pre, op_columns);
    if (b.GetSize() != header_size)
      return Error(error_code::internal_error, "header size changed between layout passes");

    format::Preamble pre;
    pre.minor = lowest_minor(*fb::GetHeader(b.GetBufferPointer()));
    pre.header_length = header_size;
    pre.file_length = file_length;
    pre.header_hash = format::checksum128(b.GetBufferPointer(), header_size);
    uint8_t preamble[64];
    format::encode_preamble(pre, preamble);

    auto file = AtomicFile::create(path);
    if (!file) return file.status();
    static const uint8_t zeros[limits::column_alignment] = {};
    auto s = file->write(preamble, sizeof preamble);
    if (s) s = file->write(b.GetBufferPointer(), header_size);
    uint64_t pos = limits::preamble_size + header_size;
    for (size_t i = 0; s && i < cols.size(); ++i) {
      s = file->write(zeros, offsets[i] - pos);
      if (s) s = file->write(cols[i].data, cols[i].bytes);
      pos = offsets[i] + cols[i].bytes;
    }
    return s ? file->commit(check) : s;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

}  // namespace mlmap::writer
