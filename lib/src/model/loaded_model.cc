#include "model/loaded_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "format/checksum.hpp"
#include "format/limits.hpp"
#include "format/schema_enums.hpp"
#include "model/dense_network.hpp"
#include "model/tree_ensemble.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }
std::string str_or_empty(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

Error invalid(const std::string& what) { return Error(error_code::invalid_model, what); }

Status read_classes(const fb::Model& m, ClassLabels* out) {
  switch (m.classes_type()) {
    case fb::ClassLabels::NONE: return {};
    case fb::ClassLabels::Int64Labels: {
      // A union's type may be set while its value is absent: the Verifier
      // accepts that, so check.
      if (!m.classes_as_Int64Labels()) return invalid("class labels are declared but absent");
      out->kind = ClassLabels::Kind::integers;
      const auto* v = m.classes_as_Int64Labels()->values();
      out->integers.assign(v->begin(), v->end());
      std::unordered_set<int64_t> seen(out->integers.begin(), out->integers.end());
      if (seen.size() != out->integers.size()) return invalid("class labels are not unique");
      return {};
    }
    case fb::ClassLabels::StringLabels: {
      if (!m.classes_as_StringLabels()) return invalid("class labels are declared but absent");
      out->kind = ClassLabels::Kind::strings;
      for (const auto* s : *m.classes_as_StringLabels()->values()) out->strings.push_back(s->str());
      std::unordered_set<std::string> seen(out->strings.begin(), out->strings.end());
      if (seen.size() != out->strings.size()) return invalid("class labels are not unique");
      return {};
    }
  }
  return Error(error_code::unsupported_model, "class label kind " + str(static_cast<unsigned>(m.classes_type())) +
                                                  " is unknown to this reader");
}

Status read_info(const format::FileView& file, const fb::Model& m, ModelInfo* info) {
  const fb::Header& h = file.header();
  info->format = {file.preamble().major, file.preamble().minor};
  if (const auto* p = h.provenance()) {
    info->provenance.producer = str_or_empty(p->producer());
    info->provenance.producer_version = str_or_empty(p->producer_version());
    info->provenance.source_library = str_or_empty(p->source_library());
    info->provenance.source_version = str_or_empty(p->source_version());
    info->provenance.numpy_version = str_or_empty(p->numpy_version());
    info->provenance.python_version = str_or_empty(p->python_version());
    info->provenance.created_unix_ms = p->created_unix_ms();
  }
  if (const auto* md = h.metadata())
    for (const auto* kv : *md) info->metadata.emplace_back(kv->key()->str(), kv->value()->str());
  info->estimator = m.estimator()->str();
  info->file_size = file.size();
  info->header_size = file.preamble().header_length;
  info->n_columns = h.columns()->size();
  info->content_hash = format::to_hex(file.preamble().header_hash);

  if (!format::from_schema(m.task(), info->task))
    return Error(error_code::unsupported_model, "task " + str(static_cast<unsigned>(m.task())) + " is unknown to this reader");
  if (m.n_features() < 1 || m.n_features() > limits::max_features)
    return Error(m.n_features() ? error_code::limit_exceeded : error_code::invalid_model,
                 "n_features is " + str(m.n_features()) + ", allowed [1, " + str(limits::max_features) + "]");
  if (m.n_outputs() < 1 || m.n_outputs() > limits::max_outputs || m.n_raw() < 1 || m.n_raw() > limits::max_outputs)
    return Error(error_code::invalid_model, "n_outputs " + str(m.n_outputs()) + " and n_raw " + str(m.n_raw()) +
                                                " must be in [1, " + str(limits::max_outputs) + "]");
  info->n_features = m.n_features();
  info->n_outputs = m.n_outputs();
  info->n_raw = m.n_raw();
  if (const auto* names = m.feature_names()) {
    if (names->size() != 0 && names->size() != m.n_features())
      return invalid("the model has " + str(m.n_features()) + " features but " + str(names->size()) + " feature names");
    for (const auto* s : *names) info->feature_names.push_back(s->str());
  }
  auto st = read_classes(m, &info->classes);
  if (!st) return st;
  if (info->task == Task::classification && info->classes.size() != m.n_outputs())
    return invalid("a classifier with " + str(m.n_outputs()) + " outputs has " + str(info->classes.size()) + " class labels");
  if (info->task != Task::classification && info->classes.size() != 0)
    return invalid(std::string("a ") + enum_name(info->task) + " model has class labels");
  return {};
}

// The predictor of one union member; `table` is null when the union's type
// is set but its value absent (the Verifier accepts that).
template <class Table, class Summary>
Result<std::unique_ptr<Predictor>> make_predictor(
    const format::FileView& file, const Table* table,
    Result<std::unique_ptr<Predictor>> (*make)(const format::FileView&, const Table&, uint32_t, uint32_t, Summary*) noexcept,
    uint32_t width, uint32_t n_raw, Summary* summary) noexcept {
  if (!table) return invalid("the predictor is declared but absent");
  return make(file, *table, width, n_raw, summary);
}

}  // namespace

Result<std::shared_ptr<const LoadedModel>> load_model(format::FileView file) noexcept {
  try {
    auto lm = std::make_shared<LoadedModel>();
    lm->file = std::move(file);
    const fb::Model& m = *lm->file.header().model();
    auto st = read_info(lm->file, m, &lm->info);
    if (!st) return st.error();

    LinkFunction link{};
    if (!format::from_schema(m.link(), link))
      return Error(error_code::unsupported_model, "link function " + str(static_cast<unsigned>(m.link())) +
                                                      " is unknown to this reader");
    const bool classification = lm->info.task == Task::classification;
    if (!link_shape_ok(link, classification, m.n_raw(), m.n_outputs()))
      return invalid(std::string("link '") + enum_name(link) + "' cannot map " + str(m.n_raw()) + " raw scores to " +
                     str(m.n_outputs()) + " outputs");
    if (!std::isfinite(m.link_scale())) return invalid("link_scale is not finite");
    ClassDecision decision{};
    if (!format::from_schema(m.class_decision(), decision))
      return Error(error_code::unsupported_model, "class decision " + str(static_cast<unsigned>(m.class_decision())) +
                                                      " is unknown to this reader");
    if (decision == ClassDecision::raw_nonnegative && m.n_raw() != 1)
      return invalid("the raw_nonnegative class decision needs exactly one raw score");
    if (link == LinkFunction::hard && decision == ClassDecision::argmax_outputs)
      return invalid("the hard link needs a class decision on raw scores");
    lm->link = {link, m.link_scale(), m.n_raw(), m.n_outputs(), decision};
    lm->info.link_function = link;
    lm->info.link_scale = m.link_scale();
    lm->info.decision = decision;
    if (const auto* b = m.base_score()) {
      if (b->size() != 0 && b->size() != m.n_raw())
        return invalid("base_score has " + str(b->size()) + " values for " + str(m.n_raw()) + " raw scores");
      lm->base_score.assign(b->begin(), b->end());
      for (double x : lm->base_score)
        if (!std::isfinite(x)) return invalid("base_score is not finite");
      lm->info.base_score = lm->base_score;
    }

    lm->predictor_width = m.n_features();
    lm->info.string_inputs.assign(m.n_features(), false);
    if (const auto* pre = m.preprocessing()) {
      auto p = Preprocessor::make(lm->file, *pre, m.n_features(), &lm->info.feature_names, &lm->info.preprocessing);
      if (!p) return p.error();
      lm->preprocessing.emplace(std::move(*p));
      for (const auto* op : *pre->ops()) {
        OpKind kind{};
        if (!format::from_schema(op->kind(), kind))  // Preprocessor::make refuses these
          return Error(error_code::unsupported_model, "a preprocessing step of unknown kind");
        lm->info.preprocessing.steps.push_back(kind);
      }
      lm->predictor_width = lm->preprocessing->n_features();
      for (size_t c = 0; c < m.n_features(); ++c) lm->info.string_inputs[c] = lm->preprocessing->is_string_input(c);
    } else {
      lm->info.preprocessing.n_predictor_features = m.n_features();
    }
    const auto width = static_cast<uint32_t>(lm->predictor_width);
    Result<std::unique_ptr<Predictor>> predictor = Error(error_code::internal_error, "no predictor");
    switch (m.predictor_type()) {
      case fb::Predictor::TreeEnsemble:
        predictor = make_predictor(lm->file, m.predictor_as_TreeEnsemble(), make_tree_predictor, width, m.n_raw(),
                                   &lm->info.trees);
        break;
      case fb::Predictor::DenseNetwork:
        predictor = make_predictor(lm->file, m.predictor_as_DenseNetwork(), make_dense_predictor, width, m.n_raw(),
                                   &lm->info.dense);
        break;
      default:
        return Error(error_code::unsupported_model, "predictor kind " + str(static_cast<unsigned>(m.predictor_type())) +
                                                        " is unknown to this reader (format " +
                                                        str(lm->info.format.major) + "." + str(lm->info.format.minor) + ")");
    }
    if (!predictor) return predictor.error();
    lm->predictor = std::move(*predictor);
    lm->info.predictor_kind = lm->predictor->kind();
    // The names too, for ModelInfo's string fields.
    lm->info.predictor = enum_name(lm->info.predictor_kind);
    lm->info.link = enum_name(lm->info.link_function);
    lm->info.class_decision = enum_name(lm->info.decision);
    // Per input column, from the whole program (an imputer in front of a
    // model that refuses NaN accepts it).
    const bool predictor_accepts = lm->predictor->accepts_missing();
    if (lm->preprocessing)
      lm->info.accepts_missing_by_column = lm->preprocessing->accepts_missing(predictor_accepts);
    else
      lm->info.accepts_missing_by_column.assign(m.n_features(), predictor_accepts);
    const auto& by_column = lm->info.accepts_missing_by_column;
    lm->info.accepts_missing = std::all_of(by_column.begin(), by_column.end(), [](bool a) { return a; });
    return std::shared_ptr<const LoadedModel>(std::move(lm));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading the model header");
  }
}

Status verify_model(const LoadedModel& m) noexcept {
  // Checksums first: damaged bytes are better named as damage than as the
  // semantic error they happen to cause.
  auto st = m.file.verify_column_checksums();
  if (st) st = m.predictor->verify();
  if (st && m.preprocessing) st = m.preprocessing->verify();
  return st;
}

}  // namespace mlmap::model
