#include "model/link.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/exp_kernels.hpp"
#include "model/numpy_sum.hpp"
#include "model/one_vs_one.hpp"

namespace mlmap::model {

namespace {

// Calls f(std::integral_constant<size_t, K>{}) with K = k for the usual
// class counts, so that the per-row loops below unroll, else with K = 0
// (the width is read at run time).
template <class F>
void by_width(size_t k, F&& f) noexcept {
  switch (k) {
    case 2: return f(std::integral_constant<size_t, 2>{});
    case 3: return f(std::integral_constant<size_t, 3>{});
    case 4: return f(std::integral_constant<size_t, 4>{});
    case 5: return f(std::integral_constant<size_t, 5>{});
    case 6: return f(std::integral_constant<size_t, 6>{});
    case 7: return f(std::integral_constant<size_t, 7>{});
    case 8: return f(std::integral_constant<size_t, 8>{});
    default: return f(std::integral_constant<size_t, 0>{});
  }
}

// Each row of k values divided by its sum: as a product with the reciprocal
// (within 1 ulp of dividing, one division per row instead of k) when both
// are normal numbers, else by division (a one-vs-rest row of subnormal
// sigmoids has a sum whose reciprocal overflows).
void normalise_rows(double* v, size_t n_rows, size_t k) noexcept {
  by_width(k, [&](auto K) {
    const size_t width = K() ? K() : k;
    constexpr double normal_min = 0x1p-1022, normal_max = 0x1p1022;
    for (size_t i = 0; i < n_rows; ++i) {
      double* o = v + i * width;
      double sum = 0;
      for (size_t j = 0; j < width; ++j) sum += o[j];
      if (sum >= normal_min && sum <= normal_max) {
        const double inverse = 1.0 / sum;
        for (size_t j = 0; j < width; ++j) o[j] *= inverse;
      } else {
        for (size_t j = 0; j < width; ++j) o[j] /= sum;
      }
    }
  });
}

// out = s * raw - (the row's largest s * raw): the arguments of softmax's exp.
void shift_by_max(double s, const double* raw, size_t n_rows, size_t k, double* out) noexcept {
  by_width(k, [&](auto K) {
    const size_t width = K() ? K() : k;
    for (size_t i = 0; i < n_rows; ++i) {
      const double* r = raw + i * width;
      double* o = out + i * width;
      double m = s * r[0];
      for (size_t j = 1; j < width; ++j) m = std::max(m, s * r[j]);
      for (size_t j = 0; j < width; ++j) o[j] = s * r[j] - m;
    }
  });
}

size_t argmax(const double* v, size_t n) noexcept {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;  // first of equals wins, as numpy's argmax
  return best;
}

// The last of equal largest values: scikit-learn 1.2 - 1.6's OneVsRestClassifier
// keeps a running maximum and takes every index whose score equals it.
size_t argmax_last(const double* v, size_t n) noexcept {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] >= v[best]) best = i;
  return best;
}

// One row's class; `votes` holds n_outputs entries (ovo_votes).
int64_t decide_class(const LinkSpec& spec, const double* raw, const double* out, const double* decision,
                     uint32_t* votes) noexcept {
  switch (spec.decision) {
    case ClassDecision::argmax_raw:
      if (spec.n_raw == 1) return raw[0] > 0 ? 1 : 0;
      return static_cast<int64_t>(argmax(raw, spec.n_raw));
    case ClassDecision::raw_nonnegative: return raw[0] >= 0 ? 1 : 0;
    case ClassDecision::argmax_raw_last: return static_cast<int64_t>(argmax_last(raw, spec.n_raw));
    case ClassDecision::ovo_votes: return static_cast<int64_t>(ovo_vote(raw, spec.n_outputs, votes));
    case ClassDecision::argmax_decision: return static_cast<int64_t>(argmax(decision, spec.decision_width()));
    case ClassDecision::decision_nonnegative: return decision[0] >= 0 ? 1 : 0;
    case ClassDecision::decision_positive: return decision[0] > 0 ? 1 : 0;
    case ClassDecision::argmax_outputs_per_group:  // decide_classes() calls decide_groups()
    case ClassDecision::argmax_outputs: break;
  }
  return static_cast<int64_t>(argmax(out, spec.n_outputs));
}

// One row's classes, one per output group: the group's first largest raw
// score (with the identity link, its output; with the hard link, its
// estimator's class indicator), as an index into the concatenated classes.
void decide_groups(const LinkSpec& spec, const double* raw, int64_t* classes) noexcept {
  size_t begin = 0;
  for (size_t g = 0; g < spec.output_groups.size(); ++g) {
    const size_t k = spec.output_groups[g];
    classes[g] = static_cast<int64_t>(begin + argmax(raw + begin, k));
    begin += k;
  }
}

// One row's decision values; `votes` holds n_outputs entries (ovo_to_ovr).
void decision_row(const LinkSpec& spec, const double* raw, const double* out, double* decision,
                  uint32_t* votes) noexcept {
  switch (spec.decision_function) {
    case DecisionFunction::raw: std::copy(raw, raw + spec.n_raw, decision); return;
    case DecisionFunction::ovo_to_ovr: ovo_to_ovr(raw, spec.n_outputs, decision, votes); return;
    case DecisionFunction::output_minus_offset:
      for (size_t j = 0; j < spec.n_outputs; ++j) decision[j] = out[j] - spec.decision_offset;
      return;
    case DecisionFunction::trailing_features: return;  // apply_decision_function copies them
  }
}

// Each row of k values divided by its sum (numpy's order, as np.sum(axis=1)),
// by division (k-nearest neighbours' counts / k are then exact, as
// sklearn's).  With output groups, each group by its own sum: a
// MultiOutputClassifier of OneVsRestClassifiers normalises each one's
// probabilities, a multi-output k-nearest neighbours classifier each output's
// votes.  A zero sum leaves the values as they are (sklearn 1.2's neighbours
// divide by 1 there, 1.9's OneVsRestClassifier skips the row), or with
// `zero_sum_nan` divides by it (numpy's 0 / 0 = NaN: 1.2 to 1.6's
// OneVsRestClassifier), NaN in that group alone.
void divide_by_sum(const double* raw, size_t n_rows, size_t k, const std::vector<size_t>& groups, double* out,
                   bool zero_sum_nan) noexcept {
  const size_t whole[] = {k};
  const size_t* widths = groups.empty() ? whole : groups.data();
  const size_t n_groups = groups.empty() ? 1 : groups.size();
  for (size_t i = 0; i < n_rows; ++i) {
    const double* r = raw + i * k;
    double* o = out + i * k;
    for (size_t g = 0; g < n_groups; ++g) {
      const size_t w = widths[g];
      const double sum = numpy_sum(r, w);
      const bool keep = sum == 0 && !zero_sum_nan;
      for (size_t j = 0; j < w; ++j) o[j] = keep ? r[j] : r[j] / sum;
      r += w;
      o += w;
    }
  }
}

}  // namespace

bool link_shape_ok(LinkFunction link, bool classification, size_t n_raw, size_t n_outputs) noexcept {
  switch (link) {
    case LinkFunction::identity:
    case LinkFunction::exp: return n_raw == n_outputs;
    // Regression applies the sigmoid to each raw score.
    case LinkFunction::logistic: return classification ? n_raw == 1 && n_outputs == 2 : n_raw == n_outputs;
    // Softmax also over one raw score d as the pair (-d, d): scikit-learn's
    // multinomial LogisticRegression on two classes.
    case LinkFunction::softmax: return n_raw == n_outputs ? n_raw >= 2 : classification && n_raw == 1 && n_outputs == 2;
    case LinkFunction::logistic_ovr:
    case LinkFunction::logistic_each: return n_raw == n_outputs && n_raw >= 2;
    // Classifiers without probabilities: also one-vs-one raw scores (SVC).
    case LinkFunction::hard:
      return classification && (n_raw == n_outputs ? n_raw >= 2
                                                   : (n_raw == 1 && n_outputs == 2) ||
                                                         (n_outputs >= 2 && n_raw == ovo_pairs(n_outputs)));
    case LinkFunction::modified_huber:
      return classification && (n_raw == n_outputs ? n_raw >= 2 : n_raw == 1 && n_outputs == 2);
    case LinkFunction::normalize:
    case LinkFunction::normalize_nan: return classification && n_raw == n_outputs && n_raw >= 2;
    case LinkFunction::pairwise_coupling: return classification && n_outputs >= 2 && n_raw == ovo_pairs(n_outputs);
    case LinkFunction::isolation: return !classification && n_raw == 1 && n_outputs == 1;
  }
  return false;
}

namespace {

// The links; only pairwise_coupling and hard (one-vs-one votes) allocate.
void link_rows(const LinkSpec& spec, const double* raw, size_t n_rows, double* out) {
  const double s = spec.scale;
  const size_t k = spec.n_raw, w = spec.n_outputs;
  switch (spec.link) {
    case LinkFunction::identity:
      std::copy(raw, raw + n_rows * k, out);
      return;
    case LinkFunction::exp:
      for (size_t i = 0; i < n_rows * k; ++i) out[i] = s * raw[i];
      kernels::exp_inplace(out, n_rows * k);
      return;
    case LinkFunction::isolation:
      // -2^(-s raw) = -exp(-(s raw) ln 2): IsolationForest's score_samples.
      for (size_t i = 0; i < n_rows; ++i) out[i] = -(s * raw[i]) * 0x1.62e42fefa39efp-1;
      kernels::exp_inplace(out, n_rows);
      for (size_t i = 0; i < n_rows; ++i) out[i] = -out[i];
      return;
    case LinkFunction::normalize:
      divide_by_sum(raw, n_rows, k, spec.output_groups, out, /*zero_sum_nan=*/false);
      return;
    case LinkFunction::normalize_nan:
      divide_by_sum(raw, n_rows, k, spec.output_groups, out, /*zero_sum_nan=*/true);
      return;
    case LinkFunction::pairwise_coupling: {
      // Binary: the raw score is sklearn's decision_function, libsvm's
      // decision value negated.
      PairwiseCoupler coupler(w);
      for (size_t i = 0; i < n_rows; ++i) {
        if (w == 2) {
          const double dec = -raw[i];
          coupler.probabilities(&dec, spec.prob_a.data(), spec.prob_b.data(), out + i * w);
        } else {
          coupler.probabilities(raw + i * k, spec.prob_a.data(), spec.prob_b.data(), out + i * w);
        }
      }
      return;
    }
    case LinkFunction::logistic:
      if (w == 2 && k == 1) {
        kernels::sigmoid_pairs(s, raw, n_rows, out);  // binary: (1 - p, p)
      } else {
        kernels::sigmoids(s, raw, n_rows * k, out);
      }
      return;
    case LinkFunction::hard: {
      if (spec.decision == ClassDecision::argmax_outputs_per_group) {
        // 1 for each output group's class (n_raw = n_outputs)
        std::vector<int64_t> classes(spec.output_groups.size());
        for (size_t i = 0; i < n_rows; ++i) {
          double* o = out + i * w;
          std::fill(o, o + w, 0.0);
          decide_groups(spec, raw + i * k, classes.data());
          for (int64_t c : classes) o[c] = 1.0;
        }
        return;
      }
      // The class may come from decision values (SVC's break_ties: the
      // one-vs-rest values); a hard link's decision function never reads
      // the outputs (checked at open).
      std::vector<uint32_t> votes(w);
      std::vector<double> decision(spec.class_from_decision() ? spec.decision_width() : 0);
      for (size_t i = 0; i < n_rows; ++i) {
        double* o = out + i * w;
        if (!decision.empty()) decision_row(spec, raw + i * k, nullptr, decision.data(), votes.data());
        std::fill(o, o + w, 0.0);
        o[decide_class(spec, raw + i * k, o, decision.data(), votes.data())] = 1.0;
      }
      return;
    }
    case LinkFunction::modified_huber:
      // sklearn's SGDClassifier: (clip(d, -1, 1) + 1) / 2, rows normalised;
      // a row of zeros becomes uniform.
      for (size_t i = 0; i < n_rows; ++i) {
        const double* r = raw + i * k;
        double* o = out + i * w;
        auto p = [&](double d) { return (std::min(1.0, std::max(-1.0, s * d)) + 1.0) / 2.0; };
        if (k == 1) {
          o[1] = p(r[0]);
          o[0] = 1.0 - o[1];
          continue;
        }
        double sum = 0;
        for (size_t j = 0; j < k; ++j) sum += o[j] = p(r[j]);
        for (size_t j = 0; j < k; ++j) o[j] = sum == 0 ? 1.0 / static_cast<double>(k) : o[j] / sum;
      }
      return;
    case LinkFunction::softmax:
      if (k == 1 && w == 2) {
        // scikit-learn's softmax of (-d, d), step by step: both columns
        // exact, where 1 - p would lose the small one (1.8e-35 came out 0).
        for (size_t i = 0; i < n_rows; ++i) {
          const double d = s * raw[i], m = std::max(-d, d);
          out[2 * i] = -d - m;
          out[2 * i + 1] = d - m;
        }
        kernels::exp_inplace(out, n_rows * 2);
        normalise_rows(out, n_rows, 2);
        return;
      }
      shift_by_max(s, raw, n_rows, k, out);
      kernels::exp_inplace(out, n_rows * k);
      normalise_rows(out, n_rows, k);
      return;
    case LinkFunction::logistic_ovr:
      kernels::sigmoids(s, raw, n_rows * k, out);
      normalise_rows(out, n_rows, k);
      return;
    case LinkFunction::logistic_each:
      kernels::sigmoids(s, raw, n_rows * k, out);
      return;
  }
}

}  // namespace

Status apply_link(const LinkSpec& spec, const double* raw, size_t n_rows, double* out) noexcept {
  try {
    link_rows(spec, raw, n_rows, out);
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory for the link function's scratch");
  }
}

Status apply_decision_function(const LinkSpec& spec, const double* raw, const double* out, size_t n_rows,
                               double* decision, const double* features, size_t feature_width) noexcept {
  if (spec.decision_function == DecisionFunction::trailing_features) {
    const size_t dw = spec.decision_features;
    for (size_t i = 0; i < n_rows; ++i) {
      const double* f = features + i * feature_width + (feature_width - dw);
      std::copy(f, f + dw, decision + i * dw);
    }
    return {};
  }
  try {
    std::vector<uint32_t> votes(spec.decision_function == DecisionFunction::ovo_to_ovr ? spec.n_outputs : 0);
    const size_t dw = spec.decision_width();
    for (size_t i = 0; i < n_rows; ++i)
      decision_row(spec, raw + i * spec.n_raw, out ? out + i * spec.n_outputs : nullptr, decision + i * dw,
                   votes.data());
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory for the decision function's scratch");
  }
}

Status decide_classes(const LinkSpec& spec, const double* raw, const double* out, const double* decision,
                      size_t n_rows, int64_t* classes) noexcept {
  try {
    if (spec.decision == ClassDecision::argmax_outputs_per_group) {
      const size_t m = spec.classes_per_row();
      // The groups' class indicators beside the probabilities (trailing
      // features: each estimator's own predict), else the raw scores.
      const bool indicators = spec.class_from_decision();
      const size_t width = indicators ? spec.decision_width() : spec.n_raw;
      for (size_t i = 0; i < n_rows; ++i)
        decide_groups(spec, (indicators ? decision : raw) + i * width, classes + i * m);
      return {};
    }
    std::vector<uint32_t> votes(spec.decision == ClassDecision::ovo_votes ? spec.n_outputs : 0);
    const size_t dw = spec.decision_width();
    for (size_t i = 0; i < n_rows; ++i)
      classes[i] = decide_class(spec, raw + i * spec.n_raw, out + i * spec.n_outputs,
                                decision ? decision + i * dw : nullptr, votes.data());
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory for the class decision's scratch");
  }
}

}  // namespace mlmap::model
