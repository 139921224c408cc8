// Naive Bayes joint log-likelihoods that are not a linear layer (FORMAT.md
// §5.5): GaussianNB, BernoulliNB with a binarize threshold, CategoricalNB.
// MultinomialNB, ComplementNB and BernoulliNB without a threshold are dense
// networks (one layer).
#pragma once

#include <memory>
#include <string>

#include "format/file_view.hpp"
#include "model/numpy_sum.hpp"
#include "model/predictor.hpp"

namespace mlmap::model {

/// `kind` receives "gaussian", "bernoulli" or "categorical".
[[nodiscard]] Result<std::unique_ptr<Predictor>> make_naive_bayes_predictor(const format::FileView& file,
                                                                            const fb::NaiveBayes& nb,
                                                                            uint32_t n_features, uint32_t n_raw,
                                                                            std::string* kind) noexcept;

}  // namespace mlmap::model
