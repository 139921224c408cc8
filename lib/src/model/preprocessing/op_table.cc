// Every op kind this reader knows, in fb::OpKind order.  A new kind is a new
// unit (its check, its Step) defining an OpKind, plus one line here.
#include "model/preprocessing/op_table.hpp"

namespace mlmap::model::prep {

extern const OpKind standardize_kind, min_max_kind, max_abs_kind, normalize_kind, impute_kind, impute_string_kind,
    one_hot_kind, ordinal_kind, polynomial_kind, missing_indicator_kind, binarize_kind, project_kind, distance_kind,
    discretize_kind, yeo_johnson_kind, box_cox_kind, quantile_uniform_kind, quantile_normal_kind,
    spline_kind, refuse_missing_kind,
    sub_model_kind, weighted_mean_kind, elementwise_kind, weighted_median_kind, text_count_kind,
    text_hash_kind, interpolate_kind, sum_to_one_kind, text_count_chars_kind, text_hash_chars_kind;

namespace {

const OpKind* const table[] = {
    &standardize_kind,        // Standardize = 0
    &min_max_kind,            // MinMax = 1
    &max_abs_kind,            // MaxAbs = 2
    &normalize_kind,          // Normalize = 3
    &impute_kind,             // Impute = 4
    &impute_string_kind,      // ImputeString = 5
    &one_hot_kind,            // OneHot = 6
    &ordinal_kind,            // Ordinal = 7
    &polynomial_kind,         // Polynomial = 8
    &missing_indicator_kind,  // MissingIndicator = 9
    &binarize_kind,           // Binarize = 10 (binarize.cc)
    &project_kind,            // Project = 11 (projection.cc)
    &distance_kind,           // Distance = 12 (projection.cc)
    &discretize_kind,         // Discretize = 13 (discretize.cc)
    &yeo_johnson_kind,        // YeoJohnson = 14 (power.cc)
    &box_cox_kind,            // BoxCox = 15 (power.cc)
    &quantile_uniform_kind,   // QuantileUniform = 16 (quantile.cc)
    &quantile_normal_kind,    // QuantileNormal = 17 (quantile.cc)
    &spline_kind,             // Spline = 18 (spline.cc)
    &refuse_missing_kind,     // RefuseMissing = 19 (refuse_missing.cc)
    &sub_model_kind,          // SubModel = 20 (sub_model.cc)
    &weighted_mean_kind,      // WeightedMean = 21 (weighted_mean.cc)
    &elementwise_kind,        // Elementwise = 22 (elementwise.cc)
    &weighted_median_kind,    // WeightedMedian = 23 (weighted_median.cc)
    &text_count_kind,         // TextCount = 24 (text.cc)
    &text_hash_kind,          // TextHash = 25 (text.cc)
    &interpolate_kind,        // Interpolate = 26 (interpolate.cc)
    &sum_to_one_kind,         // SumToOne = 27 (sum_to_one.cc)
    &text_count_chars_kind,   // TextCountChars = 28 (text.cc)
    &text_hash_chars_kind,    // TextHashChars = 29 (text.cc)
};

static_assert(sizeof table / sizeof table[0] == static_cast<size_t>(fb::OpKind::MAX) + 1,
              "one entry per fb::OpKind");
static_assert(static_cast<int>(fb::OpKind::Standardize) == 0 && static_cast<int>(fb::OpKind::MinMax) == 1 &&
                  static_cast<int>(fb::OpKind::MaxAbs) == 2 && static_cast<int>(fb::OpKind::Normalize) == 3 &&
                  static_cast<int>(fb::OpKind::Impute) == 4 && static_cast<int>(fb::OpKind::ImputeString) == 5 &&
                  static_cast<int>(fb::OpKind::OneHot) == 6 && static_cast<int>(fb::OpKind::Ordinal) == 7 &&
                  static_cast<int>(fb::OpKind::Polynomial) == 8 && static_cast<int>(fb::OpKind::MissingIndicator) == 9 &&
                  static_cast<int>(fb::OpKind::Binarize) == 10 && static_cast<int>(fb::OpKind::Project) == 11 &&
                  static_cast<int>(fb::OpKind::Distance) == 12 && static_cast<int>(fb::OpKind::Discretize) == 13 &&
                  static_cast<int>(fb::OpKind::YeoJohnson) == 14 && static_cast<int>(fb::OpKind::BoxCox) == 15 &&
                  static_cast<int>(fb::OpKind::QuantileUniform) == 16 &&
                  static_cast<int>(fb::OpKind::QuantileNormal) == 17 && static_cast<int>(fb::OpKind::Spline) == 18 &&
                  static_cast<int>(fb::OpKind::RefuseMissing) == 19 &&
                  static_cast<int>(fb::OpKind::SubModel) == 20 && static_cast<int>(fb::OpKind::WeightedMean) == 21 &&
                  static_cast<int>(fb::OpKind::Elementwise) == 22 &&
                  static_cast<int>(fb::OpKind::WeightedMedian) == 23 &&
                  static_cast<int>(fb::OpKind::TextCount) == 24 && static_cast<int>(fb::OpKind::TextHash) == 25 &&
                  static_cast<int>(fb::OpKind::Interpolate) == 26 && static_cast<int>(fb::OpKind::SumToOne) == 27 &&
                  static_cast<int>(fb::OpKind::TextCountChars) == 28 &&
                  static_cast<int>(fb::OpKind::TextHashChars) == 29,
              "the table follows fb::OpKind");

}  // namespace

const OpKind* op_kind(fb::OpKind k) noexcept {
  const auto i = static_cast<size_t>(k);
  // An entry in the wrong place would run one kind's code for another's
  // step: refuse the kind rather (each entry names its public value, which
  // format/schema_enums.hpp ties to fb::OpKind).
  if (i >= sizeof table / sizeof table[0] || static_cast<size_t>(table[i]->kind) != i) return nullptr;
  return table[i];
}

}  // namespace mlmap::model::prep
