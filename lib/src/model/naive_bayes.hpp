// Naive Bayes joint log-likelihoods that are not a linear layer (FORMAT.md
// §5.5): GaussianNB, BernoulliNB with a binarize threshold, CategoricalNB.
// MultinomialNB, ComplementNB and BernoulliNB without a threshold are dense
// networks (one layer).
#pragma once

#include <memory>
#include <string>

#include "format/file_view.hpp"
#include "model/predictor.hpp"

namespace mlmap::model {

/// `kind` receives "gaussian", "bernoulli" or "categorical".
[[nodiscard]] Result<std::unique_ptr<Predictor>> make_naive_bayes_predictor(const format::FileView& file,
                                                                            const fb::NaiveBayes& nb,
                                                                            uint32_t n_features, uint32_t n_raw,
                                                                            std::string* kind) noexcept;

/// numpy's pairwise summation (pairwise_sum_DOUBLE: sequential below 8
/// values, 8 interleaved partial sums up to 128, halves beyond), so that a
/// sum over a row is bit for bit numpy's np.sum(..., axis=-1).
double numpy_sum(const double* a, size_t n) noexcept;

}  // namespace mlmap::model
