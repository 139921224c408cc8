#include "model/one_vs_one.hpp"

#include <algorithm>
#include <cmath>

namespace mlmap::model {

size_t ovo_vote(const double* dec, size_t k, uint32_t* votes) noexcept {
  std::fill(votes, votes + k, 0u);
  size_t p = 0;
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j, ++p) ++votes[dec[p] > 0 ? i : j];
  size_t best = 0;
  for (size_t i = 1; i < k; ++i)
    if (votes[i] > votes[best]) best = i;
  return best;
}

void ovo_to_ovr(const double* dec, size_t k, double* out, uint32_t* votes) noexcept {
  // sklearn: sum_of_confidences[i] -= -dec, [j] += -dec, pair by pair; the
  // votes go to i when dec >= 0 (prediction dec < 0 is 0), else to j.
  std::fill(out, out + k, 0.0);
  std::fill(votes, votes + k, 0u);
  size_t p = 0;
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j, ++p) {
      out[i] -= -dec[p];
      out[j] += -dec[p];
      ++votes[dec[p] < 0 ? j : i];
    }
  for (size_t c = 0; c < k; ++c) out[c] = static_cast<double>(votes[c]) + out[c] / (3 * (std::fabs(out[c]) + 1));
}

PairwiseCoupler::PairwiseCoupler(size_t k) : k_(k), r_(k * k), q_(k * k), qp_(k) {}

namespace {

// libsvm's sigmoid_predict: 1 - p is used later, so each branch avoids
// cancellation.
double sigmoid_predict(double decision_value, double a, double b) noexcept {
  const double fApB = decision_value * a + b;
  if (fApB >= 0) return std::exp(-fApB) / (1.0 + std::exp(-fApB));
  return 1.0 / (1 + std::exp(fApB));
}

}  // namespace

void PairwiseCoupler::probabilities(const double* dec, const double* prob_a, const double* prob_b, double* p) noexcept {
  const size_t k = k_;
  auto r = [&](size_t i, size_t j) -> double& { return r_[i * k + j]; };
  auto Q = [&](size_t i, size_t j) -> double& { return q_[i * k + j]; };
  constexpr double min_prob = 1e-7;
  size_t pair = 0;
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j, ++pair) {
      r(i, j) = std::min(std::max(sigmoid_predict(dec[pair], prob_a[pair], prob_b[pair]), min_prob), 1 - min_prob);
      r(j, i) = 1 - r(i, j);
    }
  // multiclass_probability, operation for operation.
  const size_t max_iter = std::max<size_t>(100, k);
  const double eps = 0.005 / static_cast<double>(k);
  for (size_t t = 0; t < k; ++t) {
    p[t] = 1.0 / static_cast<double>(k);
    Q(t, t) = 0;
    for (size_t j = 0; j < t; ++j) {
      Q(t, t) += r(j, t) * r(j, t);
      Q(t, j) = Q(j, t);
    }
    for (size_t j = t + 1; j < k; ++j) {
      Q(t, t) += r(j, t) * r(j, t);
      Q(t, j) = -r(j, t) * r(t, j);
    }
  }
  double* Qp = qp_.data();
  for (size_t iter = 0; iter < max_iter; ++iter) {
    double pQp = 0;
    for (size_t t = 0; t < k; ++t) {
      Qp[t] = 0;
      for (size_t j = 0; j < k; ++j) Qp[t] += Q(t, j) * p[j];
      pQp += p[t] * Qp[t];
    }
    double max_error = 0;
    for (size_t t = 0; t < k; ++t) {
      const double error = std::fabs(Qp[t] - pQp);
      if (error > max_error) max_error = error;
    }
    if (max_error < eps) break;
    for (size_t t = 0; t < k; ++t) {
      const double diff = (-Qp[t] + pQp) / Q(t, t);
      p[t] += diff;
      pQp = (pQp + diff * (diff * Q(t, t) + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (size_t j = 0; j < k; ++j) {
        Qp[j] = (Qp[j] + diff * Q(t, j)) / (1 + diff);
        p[j] /= (1 + diff);
      }
    }
  }
}

}  // namespace mlmap::model
