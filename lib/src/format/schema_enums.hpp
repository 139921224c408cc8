// The public enums (mlmap/info.hpp) and the schema's generated ones
// (mlmap_generated.h) share their numbers.  Each value is tied here with a
// static_assert, so converting either way is a cast and cannot drift: a value
// added to one side without the other stops the build.
#pragma once

#include <cstddef>
#include <iterator>

#include "mlmap/info.hpp"
#include "mlmap_generated.h"

namespace mlmap::format {

namespace detail {

template <class A, class B>
constexpr bool same(A a, B b) noexcept {
  return static_cast<int>(a) == static_cast<int>(b);
}

// Every public value has a schema counterpart and the other way round: the
// table lists values 0 .. MAX in order.
template <class Public, class Schema>
constexpr bool covers_schema() noexcept {
  constexpr auto& table = EnumNames<Public>::table;
  if (std::size(table) != static_cast<size_t>(Schema::MAX) + 1) return false;
  for (size_t i = 0; i < std::size(table); ++i)
    if (static_cast<size_t>(table[i].value) != i) return false;
  return true;
}

}  // namespace detail

using detail::same;

static_assert(detail::covers_schema<Task, fb::Task>());
static_assert(same(Task::regression, fb::Task::Regression) && same(Task::classification, fb::Task::Classification) &&
              same(Task::ranking, fb::Task::Ranking) && same(Task::outlier_detection, fb::Task::OutlierDetection));

static_assert(detail::covers_schema<LinkFunction, fb::Link>());
static_assert(same(LinkFunction::identity, fb::Link::Identity) && same(LinkFunction::logistic, fb::Link::Logistic) &&
              same(LinkFunction::softmax, fb::Link::Softmax) && same(LinkFunction::exp, fb::Link::Exp) &&
              same(LinkFunction::logistic_ovr, fb::Link::LogisticOvR) && same(LinkFunction::hard, fb::Link::Hard) &&
              same(LinkFunction::modified_huber, fb::Link::ModifiedHuber) &&
              same(LinkFunction::logistic_each, fb::Link::LogisticEach) &&
              same(LinkFunction::normalize, fb::Link::Normalize) &&
              same(LinkFunction::pairwise_coupling, fb::Link::PairwiseCoupling) &&
              same(LinkFunction::isolation, fb::Link::Isolation) &&
              same(LinkFunction::normalize_nan, fb::Link::NormalizeNan));

static_assert(detail::covers_schema<ClassDecision, fb::ClassDecision>());
static_assert(same(ClassDecision::argmax_outputs, fb::ClassDecision::ArgmaxOutputs) &&
              same(ClassDecision::argmax_raw, fb::ClassDecision::ArgmaxRaw) &&
              same(ClassDecision::raw_nonnegative, fb::ClassDecision::RawNonNegative) &&
              same(ClassDecision::ovo_votes, fb::ClassDecision::OvoVotes) &&
              same(ClassDecision::argmax_decision, fb::ClassDecision::ArgmaxDecision) &&
              same(ClassDecision::decision_nonnegative, fb::ClassDecision::DecisionNonNegative) &&
              same(ClassDecision::decision_positive, fb::ClassDecision::DecisionPositive) &&
              same(ClassDecision::argmax_raw_last, fb::ClassDecision::ArgmaxRawLast) &&
              same(ClassDecision::argmax_outputs_per_group, fb::ClassDecision::ArgmaxOutputsPerGroup));

static_assert(detail::covers_schema<DecisionFunction, fb::DecisionFunction>());
static_assert(same(DecisionFunction::raw, fb::DecisionFunction::Raw) &&
              same(DecisionFunction::ovo_to_ovr, fb::DecisionFunction::OvoToOvr) &&
              same(DecisionFunction::output_minus_offset, fb::DecisionFunction::OutputMinusOffset) &&
              same(DecisionFunction::trailing_features, fb::DecisionFunction::TrailingFeatures));

static_assert(detail::covers_schema<Metric, fb::Metric>());
static_assert(same(Metric::euclidean, fb::Metric::Euclidean) && same(Metric::squared_euclidean, fb::Metric::SquaredEuclidean) &&
              same(Metric::manhattan, fb::Metric::Manhattan) && same(Metric::chebyshev, fb::Metric::Chebyshev) &&
              same(Metric::minkowski, fb::Metric::Minkowski) && same(Metric::cosine, fb::Metric::Cosine));

static_assert(detail::covers_schema<NeighborWeights, fb::NeighborWeights>());
static_assert(same(NeighborWeights::uniform, fb::NeighborWeights::Uniform) &&
              same(NeighborWeights::distance, fb::NeighborWeights::Distance));

static_assert(detail::covers_schema<Kernel, fb::Kernel>());
static_assert(same(Kernel::linear, fb::Kernel::Linear) && same(Kernel::polynomial, fb::Kernel::Polynomial) &&
              same(Kernel::rbf, fb::Kernel::Rbf) && same(Kernel::sigmoid, fb::Kernel::Sigmoid));

static_assert(detail::covers_schema<NaiveBayesKind, fb::NaiveBayesKind>());
static_assert(same(NaiveBayesKind::gaussian, fb::NaiveBayesKind::Gaussian) &&
              same(NaiveBayesKind::bernoulli, fb::NaiveBayesKind::Bernoulli) &&
              same(NaiveBayesKind::categorical, fb::NaiveBayesKind::Categorical));

static_assert(detail::covers_schema<Aggregation, fb::Aggregation>());
static_assert(same(Aggregation::sum, fb::Aggregation::Sum) && same(Aggregation::mean, fb::Aggregation::Mean));

static_assert(detail::covers_schema<Activation, fb::Activation>());
static_assert(same(Activation::identity, fb::Activation::Identity) && same(Activation::relu, fb::Activation::Relu) &&
              same(Activation::tanh, fb::Activation::Tanh) && same(Activation::logistic, fb::Activation::Logistic) &&
              same(Activation::elu, fb::Activation::Elu) && same(Activation::selu, fb::Activation::Selu) &&
              same(Activation::gelu, fb::Activation::Gelu) && same(Activation::gelu_tanh, fb::Activation::GeluTanh) &&
              same(Activation::silu, fb::Activation::Silu) &&
              same(Activation::hard_sigmoid, fb::Activation::HardSigmoid) &&
              same(Activation::softplus, fb::Activation::Softplus) &&
              same(Activation::softsign, fb::Activation::Softsign) &&
              same(Activation::softmax, fb::Activation::Softmax) &&
              same(Activation::exponential, fb::Activation::Exponential) &&
              same(Activation::prelu, fb::Activation::PRelu) && same(Activation::leaky_relu, fb::Activation::LeakyRelu));

static_assert(detail::covers_schema<LayerKind, fb::LayerKind>());
static_assert(same(LayerKind::dense, fb::LayerKind::Dense) && same(LayerKind::affine, fb::LayerKind::Affine) &&
              same(LayerKind::layer_norm, fb::LayerKind::LayerNorm));

static_assert(detail::covers_schema<OpKind, fb::OpKind>());
static_assert(same(OpKind::standardize, fb::OpKind::Standardize) && same(OpKind::min_max, fb::OpKind::MinMax) &&
              same(OpKind::max_abs, fb::OpKind::MaxAbs) && same(OpKind::normalize, fb::OpKind::Normalize) &&
              same(OpKind::impute, fb::OpKind::Impute) && same(OpKind::impute_string, fb::OpKind::ImputeString) &&
              same(OpKind::one_hot, fb::OpKind::OneHot) && same(OpKind::ordinal, fb::OpKind::Ordinal) &&
              same(OpKind::polynomial, fb::OpKind::Polynomial) &&
              same(OpKind::missing_indicator, fb::OpKind::MissingIndicator) &&
              same(OpKind::binarize, fb::OpKind::Binarize) && same(OpKind::project, fb::OpKind::Project) &&
              same(OpKind::distance, fb::OpKind::Distance) && same(OpKind::discretize, fb::OpKind::Discretize) &&
              same(OpKind::yeo_johnson, fb::OpKind::YeoJohnson) && same(OpKind::box_cox, fb::OpKind::BoxCox) &&
              same(OpKind::quantile_uniform, fb::OpKind::QuantileUniform) &&
              same(OpKind::quantile_normal, fb::OpKind::QuantileNormal) && same(OpKind::spline, fb::OpKind::Spline) &&
              same(OpKind::refuse_missing, fb::OpKind::RefuseMissing) &&
              same(OpKind::sub_model, fb::OpKind::SubModel) && same(OpKind::weighted_mean, fb::OpKind::WeightedMean) &&
              same(OpKind::elementwise, fb::OpKind::Elementwise) &&
              same(OpKind::weighted_median, fb::OpKind::WeightedMedian) &&
              same(OpKind::text_count, fb::OpKind::TextCount) && same(OpKind::text_hash, fb::OpKind::TextHash) &&
              same(OpKind::interpolate, fb::OpKind::Interpolate) && same(OpKind::sum_to_one, fb::OpKind::SumToOne) &&
              same(OpKind::text_count_chars, fb::OpKind::TextCountChars) &&
              same(OpKind::text_hash_chars, fb::OpKind::TextHashChars));

static_assert(detail::covers_schema<Extrapolation, fb::Extrapolation>());
static_assert(same(Extrapolation::error, fb::Extrapolation::Error) &&
              same(Extrapolation::constant, fb::Extrapolation::Constant) &&
              same(Extrapolation::linear, fb::Extrapolation::Linear) &&
              same(Extrapolation::continue_, fb::Extrapolation::Continue) &&
              same(Extrapolation::periodic, fb::Extrapolation::Periodic));

static_assert(detail::covers_schema<ElementFunction, fb::ElementFunction>());
static_assert(same(ElementFunction::exp, fb::ElementFunction::Exp) && same(ElementFunction::expm1, fb::ElementFunction::Expm1) &&
              same(ElementFunction::log, fb::ElementFunction::Log) && same(ElementFunction::log1p, fb::ElementFunction::Log1p) &&
              same(ElementFunction::square, fb::ElementFunction::Square) && same(ElementFunction::sqrt, fb::ElementFunction::Sqrt) &&
              same(ElementFunction::expit, fb::ElementFunction::Expit));

static_assert(detail::covers_schema<SubModelOutput, fb::SubModelOutput>());
static_assert(same(SubModelOutput::outputs, fb::SubModelOutput::Outputs) && same(SubModelOutput::raw, fb::SubModelOutput::Raw) &&
              same(SubModelOutput::decision, fb::SubModelOutput::Decision) &&
              same(SubModelOutput::class_one_hot, fb::SubModelOutput::ClassOneHot) &&
              same(SubModelOutput::outputs_and_class_one_hot, fb::SubModelOutput::OutputsAndClassOneHot) &&
              same(SubModelOutput::outputs_and_decision, fb::SubModelOutput::OutputsAndDecision));

static_assert(detail::covers_schema<Norm, fb::Norm>());
static_assert(same(Norm::l2, fb::Norm::L2) && same(Norm::l1, fb::Norm::L1) && same(Norm::max, fb::Norm::Max));

static_assert(detail::covers_schema<UnknownCategory, fb::UnknownCategory>());
static_assert(same(UnknownCategory::error, fb::UnknownCategory::Error) &&
              same(UnknownCategory::ignore, fb::UnknownCategory::Ignore) &&
              same(UnknownCategory::use_value, fb::UnknownCategory::UseValue));

static_assert(detail::covers_schema<StringMissing, fb::StringMissing>());
static_assert(same(StringMissing::nan_or_none, fb::StringMissing::NanOrNone) &&
              same(StringMissing::nan_only, fb::StringMissing::NanOnly) &&
              same(StringMissing::none_only, fb::StringMissing::NoneOnly));

static_assert(detail::covers_schema<DType, fb::DType>());
static_assert(same(DType::float32, fb::DType::Float32) && same(DType::float64, fb::DType::Float64) &&
              same(DType::int32, fb::DType::Int32) && same(DType::uint32, fb::DType::UInt32) &&
              same(DType::int64, fb::DType::Int64) && same(DType::uint64, fb::DType::UInt64) &&
              same(DType::uint8, fb::DType::UInt8) && same(DType::int8, fb::DType::Int8));

/// A public value as the schema's (exact, see above).
inline fb::Task to_schema(Task v) noexcept { return static_cast<fb::Task>(v); }
inline fb::Link to_schema(LinkFunction v) noexcept { return static_cast<fb::Link>(v); }
inline fb::ClassDecision to_schema(ClassDecision v) noexcept { return static_cast<fb::ClassDecision>(v); }
inline fb::Aggregation to_schema(Aggregation v) noexcept { return static_cast<fb::Aggregation>(v); }
inline fb::Activation to_schema(Activation v) noexcept { return static_cast<fb::Activation>(v); }
inline fb::LayerKind to_schema(LayerKind v) noexcept { return static_cast<fb::LayerKind>(v); }
inline fb::DecisionFunction to_schema(DecisionFunction v) noexcept { return static_cast<fb::DecisionFunction>(v); }
inline fb::Metric to_schema(Metric v) noexcept { return static_cast<fb::Metric>(v); }
inline fb::NeighborWeights to_schema(NeighborWeights v) noexcept { return static_cast<fb::NeighborWeights>(v); }
inline fb::Kernel to_schema(Kernel v) noexcept { return static_cast<fb::Kernel>(v); }
inline fb::NaiveBayesKind to_schema(NaiveBayesKind v) noexcept { return static_cast<fb::NaiveBayesKind>(v); }
inline fb::OpKind to_schema(OpKind v) noexcept { return static_cast<fb::OpKind>(v); }
inline fb::SubModelOutput to_schema(SubModelOutput v) noexcept { return static_cast<fb::SubModelOutput>(v); }
inline fb::ElementFunction to_schema(ElementFunction v) noexcept { return static_cast<fb::ElementFunction>(v); }
inline fb::Norm to_schema(Norm v) noexcept { return static_cast<fb::Norm>(v); }
inline fb::UnknownCategory to_schema(UnknownCategory v) noexcept { return static_cast<fb::UnknownCategory>(v); }
inline fb::StringMissing to_schema(StringMissing v) noexcept { return static_cast<fb::StringMissing>(v); }
inline fb::Extrapolation to_schema(Extrapolation v) noexcept { return static_cast<fb::Extrapolation>(v); }

/// A schema value read from a file as the public enum `Public`; false for a
/// value this reader does not know (a newer minor version's).
template <class Public, class Schema>
bool from_schema(Schema v, Public& out) noexcept {
  static_assert(detail::covers_schema<Public, Schema>(), "not a tied pair of enums");
  if (static_cast<size_t>(v) > static_cast<size_t>(Schema::MAX)) return false;
  out = static_cast<Public>(v);
  return true;
}

}  // namespace mlmap::format
