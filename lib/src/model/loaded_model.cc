#include "model/loaded_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "format/checksum.hpp"
#include "format/limits.hpp"
#include "format/schema_enums.hpp"
#include "model/dense_network.hpp"
#include "model/kernel_machine.hpp"
#include "model/naive_bayes.hpp"
#include "model/neighbors.hpp"
#include "model/one_vs_one.hpp"
#include "model/tree_ensemble.hpp"

namespace mlmap::model {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }
std::string str_or_empty(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

Error invalid(const std::string& what) { return Error(error_code::invalid_model, what); }

// Labels must be unique within each output group (groups: the class count of
// each; empty: one group, the whole list); groups may share labels (two
// yes/no outputs).
template <class T>
bool unique_in_groups(const std::vector<T>& labels, const std::vector<size_t>& groups) {
  size_t begin = 0;
  for (size_t g = 0; g < std::max<size_t>(1, groups.size()); ++g) {
    const size_t k = groups.empty() ? labels.size() : groups[g];
    if (begin + k > labels.size()) return true;  // the count check names this
    std::unordered_set<T> seen(labels.begin() + static_cast<std::ptrdiff_t>(begin),
                               labels.begin() + static_cast<std::ptrdiff_t>(begin + k));
    if (seen.size() != k) return false;
    begin += k;
  }
  return true;
}

Status read_classes(const fb::Model& m, const std::vector<size_t>& groups, ClassLabels* out) {
  switch (m.classes_type()) {
    case fb::ClassLabels::NONE: return {};
    case fb::ClassLabels::Int64Labels: {
      // A union's type may be set while its value is absent: the Verifier
      // accepts that, so check.
      if (!m.classes_as_Int64Labels()) return invalid("class labels are declared but absent");
      out->kind = ClassLabels::Kind::integers;
      const auto* v = m.classes_as_Int64Labels()->values();
      out->integers.assign(v->begin(), v->end());
      if (!unique_in_groups(out->integers, groups)) return invalid("class labels are not unique");
      return {};
    }
    case fb::ClassLabels::StringLabels: {
      if (!m.classes_as_StringLabels()) return invalid("class labels are declared but absent");
      out->kind = ClassLabels::Kind::strings;
      for (const auto* s : *m.classes_as_StringLabels()->values()) out->strings.push_back(s->str());
      if (!unique_in_groups(out->strings, groups)) return invalid("class labels are not unique");
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
  info->accepts_infinity_by_column.assign(m.n_features(), true);
  if (const auto* refused = m.refuses_infinity(); refused && refused->size() != 0) {
    if (refused->size() != m.n_features())
      return invalid("the model has " + str(m.n_features()) + " features but refuses_infinity has " +
                     str(refused->size()) + " entries");
    for (uint32_t c = 0; c < refused->size(); ++c) info->accepts_infinity_by_column[c] = refused->Get(c) == 0;
  }
  info->accepts_infinity = std::all_of(info->accepts_infinity_by_column.begin(),
                                       info->accepts_infinity_by_column.end(), [](bool a) { return a; });
  if (const auto* groups = m.output_groups()) {
    // Checked against the class decision in check_decisions(); here only
    // what bounds the label check.
    uint64_t sum = 0;
    for (uint32_t k : *groups) {
      if (k == 0) return invalid("an output group has no classes");
      sum += k;
      info->output_groups.push_back(k);
    }
    if (sum != m.n_outputs())
      return invalid("the output groups' class counts sum to " + str(sum) + ", not n_outputs " + str(m.n_outputs()));
  }
  auto st = read_classes(m, info->output_groups, &info->classes);
  if (!st) return st;
  if (info->task == Task::classification && info->classes.size() != m.n_outputs())
    return invalid("a classifier with " + str(m.n_outputs()) + " outputs has " + str(info->classes.size()) + " class labels");
  if (info->task == Task::outlier_detection && (info->classes.size() != 2 || m.n_outputs() != 1 || m.n_raw() != 1))
    return invalid("an outlier detector needs 1 output, 1 raw score and 2 class labels (outlier, inlier); it has " +
                   str(m.n_outputs()) + ", " + str(m.n_raw()) + " and " + str(info->classes.size()));
  if (info->task != Task::classification && info->task != Task::outlier_detection && info->classes.size() != 0)
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


// How outputs, decision values and classes follow from the raw scores: the
// combinations FORMAT.md §6 defines.
Status check_decisions(const fb::Model& m, const LinkSpec& l, Task task) {
  const bool classifier = task == Task::classification;
  const bool ovo_shape = l.n_outputs >= 2 && l.n_raw == ovo_pairs(l.n_outputs);
  switch (l.decision) {
    case ClassDecision::raw_nonnegative:
      if (l.n_raw != 1) return invalid("the raw_nonnegative class decision needs exactly one raw score");
      break;
    case ClassDecision::ovo_votes:
      if (!classifier || !ovo_shape)
        return invalid("the ovo_votes class decision needs a classifier with K(K-1)/2 raw scores for K classes");
      break;
    case ClassDecision::argmax_decision:
      if (!classifier || l.decision_width() != l.n_outputs)
        return invalid("the argmax_decision class decision needs one decision value per class");
      break;
    case ClassDecision::decision_nonnegative:
    case ClassDecision::decision_positive:
      if (task != Task::outlier_detection) return invalid(std::string("the ") + enum_name(l.decision) +
                                                          " class decision is for outlier detectors");
      break;
    case ClassDecision::argmax_raw_last:
      if (!classifier || l.n_raw < 2 || l.n_raw != l.n_outputs)
        return invalid("the argmax_raw_last class decision needs a classifier with one raw score per class");
      break;
    case ClassDecision::argmax_outputs_per_group:
      if (!classifier || l.output_groups.empty())
        return invalid("the argmax_outputs_per_group class decision needs a classifier with output_groups");
      if ((l.link != LinkFunction::identity && l.link != LinkFunction::hard && l.link != LinkFunction::normalize &&
           l.link != LinkFunction::normalize_nan) ||
          l.n_raw != l.n_outputs ||
          (l.decision_function != DecisionFunction::raw &&
           !(l.decision_function == DecisionFunction::trailing_features && l.link != LinkFunction::hard &&
             l.decision_features == l.n_outputs)))
        return invalid("the argmax_outputs_per_group class decision needs the identity, hard, normalize or "
                       "normalize_nan link, one raw score per output and the raw decision function (the raw "
                       "scores are the groups' probabilities, before normalize each group's by its sum, or class "
                       "indicators), or without the hard link trailing_features of one class indicator per "
                       "output");
      break;
    case ClassDecision::argmax_outputs:
    case ClassDecision::argmax_raw: break;
  }
  if (!l.output_groups.empty() && l.decision != ClassDecision::argmax_outputs_per_group)
    return invalid("output_groups needs the argmax_outputs_per_group class decision, not " +
                   std::string(enum_name(l.decision)));
  if (task == Task::outlier_detection) {
    if (l.decision != ClassDecision::decision_nonnegative && l.decision != ClassDecision::decision_positive)
      return invalid("an outlier detector decides its class from its decision value (decision_nonnegative or "
                     "decision_positive), not by " + std::string(enum_name(l.decision)));
    if (l.link != LinkFunction::identity && l.link != LinkFunction::isolation)
      return invalid(std::string("an outlier detector's link is identity or isolation, not ") + enum_name(l.link));
    if (l.decision_function != DecisionFunction::output_minus_offset)
      return invalid("an outlier detector's decision function is output_minus_offset");
  }
  if (l.link == LinkFunction::hard && l.decision == ClassDecision::argmax_outputs)
    return invalid("the hard link needs a class decision on raw scores");
  switch (l.decision_function) {
    case DecisionFunction::ovo_to_ovr:
      if (!classifier || !ovo_shape)
        return invalid("the ovo_to_ovr decision function needs a classifier with K(K-1)/2 raw scores for K classes");
      break;
    case DecisionFunction::output_minus_offset:
      if (l.link == LinkFunction::hard) return invalid("output_minus_offset cannot follow the hard link");
      if (!std::isfinite(l.decision_offset)) return invalid("decision_offset is not finite");
      break;
    case DecisionFunction::trailing_features:
      // The width and the program are checked with the predictor's features.
      if (l.decision_features == 0) return invalid("the trailing_features decision function needs decision_features");
      if (!m.preprocessing())
        return invalid("the trailing_features decision function needs a preprocessing program that computes them");
      break;
    case DecisionFunction::raw: break;
  }
  if (l.link == LinkFunction::pairwise_coupling) {
    const auto* c = m.coupling();
    if (!c || c->prob_a()->size() != l.n_raw || c->prob_b()->size() != l.n_raw)
      return invalid("the pairwise_coupling link needs prob_a and prob_b for each of the " + str(l.n_raw) +
                     " raw scores");
    for (uint32_t i = 0; i < l.n_raw; ++i)
      if (!std::isfinite(c->prob_a()->Get(i)) || !std::isfinite(c->prob_b()->Get(i)))
        return invalid("pairwise coupling coefficient " + str(i) + " is not finite");
  }
  return {};
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
    const bool classification = lm->info.task == Task::classification;  // outputs are probabilities
    if (!link_shape_ok(link, classification, m.n_raw(), m.n_outputs()))
      return invalid(std::string("link '") + enum_name(link) + "' cannot map " + str(m.n_raw()) + " raw scores to " +
                     str(m.n_outputs()) + " outputs");
    if (!std::isfinite(m.link_scale())) return invalid("link_scale is not finite");
    ClassDecision decision{};
    if (!format::from_schema(m.class_decision(), decision))
      return Error(error_code::unsupported_model, "class decision " + str(static_cast<unsigned>(m.class_decision())) +
                                                      " is unknown to this reader");
    DecisionFunction decision_function{};
    if (!format::from_schema(m.decision_function(), decision_function))
      return Error(error_code::unsupported_model, "decision function " +
                                                      str(static_cast<unsigned>(m.decision_function())) +
                                                      " is unknown to this reader");
    lm->link.link = link;
    lm->link.scale = m.link_scale();
    lm->link.n_raw = m.n_raw();
    lm->link.n_outputs = m.n_outputs();
    lm->link.decision = decision;
    lm->link.decision_function = decision_function;
    lm->link.decision_offset = m.decision_offset();
    lm->link.decision_features = m.decision_features();
    lm->link.output_groups = lm->info.output_groups;
    st = check_decisions(m, lm->link, lm->info.task);
    if (!st) return st.error();
    if (link == LinkFunction::pairwise_coupling) {
      lm->link.prob_a.assign(m.coupling()->prob_a()->begin(), m.coupling()->prob_a()->end());
      lm->link.prob_b.assign(m.coupling()->prob_b()->begin(), m.coupling()->prob_b()->end());
    }
    lm->info.link_function = link;
    lm->info.decision_function = decision_function;
    lm->info.decision_offset = lm->link.decision_offset;
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
      if (lm->link.decision_function == DecisionFunction::trailing_features &&
          lm->link.decision_features > lm->predictor_width)
        return invalid("decision_features is " + str(lm->link.decision_features) + " but the predictor reads " +
                       str(lm->predictor_width) + " features");
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
      case fb::Predictor::Neighbors: {
        const auto* table = m.predictor_as_Neighbors();
        predictor = table ? make_neighbors_predictor(lm->file, *table, width, lm->link, lm->info.task, &lm->info.neighbors)
                          : invalid("the predictor is declared but absent");
        break;
      }
      case fb::Predictor::KernelMachine:
        predictor = make_predictor(lm->file, m.predictor_as_KernelMachine(), make_kernel_predictor, width, m.n_raw(),
                                   &lm->info.kernel);
        break;
      case fb::Predictor::NaiveBayes:
        predictor = make_predictor(lm->file, m.predictor_as_NaiveBayes(), make_naive_bayes_predictor, width, m.n_raw(),
                                   &lm->info.naive_bayes);
        break;
      default:
        return Error(error_code::unsupported_model, "predictor kind " + str(static_cast<unsigned>(m.predictor_type())) +
                                                        " is unknown to this reader (format " +
                                                        str(lm->info.format.major) + "." + str(lm->info.format.minor) + ")");
    }
    if (!predictor) return predictor.error();
    lm->predictor = std::move(*predictor);
    lm->refuses_missing = !lm->predictor->accepts_missing();
    lm->nan_scores_mark_nan = lm->refuses_missing && lm->predictor->propagates_nan();
    lm->predictor_block_rows = lm->predictor->block_rows();
    lm->predictor_min_rows = lm->predictor->min_rows_per_call();
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
