#include <cmath>
#include <string>
#include <vector>

#include "format/schema_enums.hpp"
#include "writer/row_blocks.hpp"
#include "writer/sample_writers.hpp"

namespace mlmap::writer {

Status write_neighbors_model(const std::string& path, const ModelDescription& d, const NeighborsSpec& n,
                             const PreprocessingSpec* pre, const CheckFn& check) noexcept {
  try {
    auto st = check_rows(n.samples, "neighbors");
    if (!st) return st;
    const size_t width = pre ? pre->features.size() : d.n_features;
    if (n.samples.n_features != width)
      return Error(error_code::invalid_argument, "neighbors: the training rows have " +
                                                     std::to_string(n.samples.n_features) + " features, the input " +
                                                     std::to_string(width));
    const bool classifier = d.task == Task::classification;
    if (classifier ? !n.labels : (!n.targets || n.n_targets != d.n_outputs))
      return Error(error_code::invalid_argument, classifier ? "neighbors: a classifier needs labels"
                                                            : "neighbors: a regressor needs n_outputs targets per row");
    const size_t label_outputs = d.output_groups.empty() ? 1 : d.output_groups.size();
    if (classifier && n.n_label_outputs != label_outputs)
      return Error(error_code::invalid_argument, "neighbors: " + std::to_string(n.n_label_outputs) +
                                                     " labels per row for " + std::to_string(label_outputs) +
                                                     " outputs");
    const bool radius = n.reduced_radius >= 0;
    if (radius && !std::isfinite(n.reduced_radius))
      return Error(error_code::invalid_argument, "neighbors: the radius is not finite");
    if (!n.outlier_slots.empty() && (!radius || !classifier || n.outlier_slots.size() != label_outputs))
      return Error(error_code::invalid_argument, "neighbors: outlier slots go with radius classifiers, one per output");
    const uint32_t n_raw = static_cast<uint32_t>(d.n_outputs);
    ColumnSet cols;
    // Cosine rows are stored normalised, always as float64.
    const bool cosine = n.metric == Metric::cosine;
    std::vector<double> rows64;
    std::vector<float> rows32;
    int32_t samples;
    if (n.samples.rows64 || cosine) {
      rows64 = to_row_blocks<double>(n.samples, cosine);
      samples = cols.add("neighbors.samples", rows64,
                         {rows64.size() / (n.samples.n_features * 8), n.samples.n_features, 8});
    } else {
      rows32 = to_row_blocks<float>(n.samples);
      samples = cols.add("neighbors.samples", rows32,
                         {rows32.size() / (n.samples.n_features * 8), n.samples.n_features, 8});
    }
    // Each row's x . x, as the pairwise kernels sum it: the reader bounds
    // euclidean distances from dot products with them (FORMAT.md §5.3), in
    // k-nearest and radius searches alike.
    std::vector<double> sq_norms;
    int32_t norms = -1;
    if (n.metric == Metric::euclidean || n.metric == Metric::squared_euclidean) {
      const size_t nf = n.samples.n_features;
      sq_norms.assign((n.samples.n_rows + 7) / 8 * 8, 0.0);
      for (size_t r = 0; r < n.samples.n_rows; ++r) {
        double acc = 0;
        for (size_t f = 0; f < nf; ++f) {
          const double y = n.samples.rows64 ? n.samples.rows64[r * nf + f] : static_cast<double>(n.samples.rows32[r * nf + f]);
          acc = acc + y * y;
        }
        sq_norms[r] = acc;
      }
      norms = cols.add("neighbors.sq_norms", sq_norms);
    }
    int32_t labels = -1, targets = -1;
    if (classifier)
      labels = label_outputs == 1 ? cols.add("neighbors.labels", n.labels, n.samples.n_rows)
                                  : cols.add("neighbors.labels", n.labels, uint64_t{n.samples.n_rows} * label_outputs,
                                             {n.samples.n_rows, label_outputs});
    else
      targets = cols.add("neighbors.targets", n.targets, uint64_t{n.samples.n_rows} * n.n_targets,
                         {n.samples.n_rows, n.n_targets});
    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      const auto outliers = n.outlier_slots.empty() ? 0 : b.CreateVector(n.outlier_slots).o;
      fb::NeighborsBuilder t(b);
      t.add_n_samples(n.samples.n_rows);
      t.add_n_neighbors(radius ? 0 : static_cast<uint32_t>(n.n_neighbors));
      if (radius) t.add_reduced_radius(n.reduced_radius);
      if (outliers) t.add_outlier_slots(flatbuffers::Offset<flatbuffers::Vector<uint32_t>>(outliers));
      t.add_metric(format::to_schema(n.metric));
      t.add_p(n.p);
      t.add_weights(format::to_schema(n.weights));
      t.add_samples(samples);
      t.add_labels(labels);
      t.add_targets(targets);
      t.add_sq_norms(norms);
      return std::make_pair(fb::Predictor::Neighbors, t.Finish().Union());
    };
    return write_model_file(path, d, cols, n_raw, table, pre, check);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

Status write_kernel_model(const std::string& path, const ModelDescription& d, const KernelMachineSpec& k,
                          const PreprocessingSpec* pre, const CheckFn& check) noexcept {
  try {
    auto st = check_rows(k.support_vectors, "kernel machine");
    if (!st) return st;
    const size_t width = pre ? pre->features.size() : d.n_features;
    const size_t n = k.support_vectors.n_rows, n_classes = k.n_support.size();
    const size_t coef_rows = n_classes >= 2 ? n_classes - 1 : 1;
    const size_t n_raw = n_classes >= 2 ? n_classes * (n_classes - 1) / 2 : 1;
    if (k.support_vectors.n_features != width || k.dual_coef.size() != coef_rows * n || k.intercept.size() != n_raw)
      return Error(error_code::invalid_argument,
                   "kernel machine: shapes disagree (" + std::to_string(k.support_vectors.n_features) + " features for " +
                       std::to_string(width) + " inputs, " + std::to_string(k.dual_coef.size()) +
                       " dual coefficients for " + std::to_string(coef_rows * n) + ", " +
                       std::to_string(k.intercept.size()) + " intercepts for " + std::to_string(n_raw) + ")");
    ColumnSet cols;
    const auto vectors = to_row_blocks<double>(k.support_vectors);
    const int32_t sv = cols.add("kernel_machine.support_vectors", vectors, {vectors.size() / (width * 8), width, 8});
    const int32_t n_support = n_classes >= 2 ? cols.add("kernel_machine.n_support", k.n_support) : -1;
    const int32_t coef = cols.add("kernel_machine.dual_coef", k.dual_coef, {coef_rows, n});
    const int32_t intercept = cols.add("kernel_machine.intercept", k.intercept);
    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      fb::KernelMachineBuilder t(b);
      t.add_kernel(format::to_schema(k.kernel));
      t.add_gamma(k.gamma);
      t.add_coef0(k.coef0);
      t.add_degree(k.degree);
      t.add_n_support_vectors(static_cast<uint32_t>(n));
      t.add_n_classes(static_cast<uint32_t>(n_classes));
      t.add_support_vectors(sv);
      t.add_n_support(n_support);
      t.add_dual_coef(coef);
      t.add_intercept(intercept);
      return std::make_pair(fb::Predictor::KernelMachine, t.Finish().Union());
    };
    return write_model_file(path, d, cols, static_cast<uint32_t>(n_raw), table, pre, check);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

Status write_naive_bayes_model(const std::string& path, const ModelDescription& d, const NaiveBayesSpec& nb,
                               const PreprocessingSpec* pre, const CheckFn& check) noexcept {
  try {
    const size_t width = pre ? pre->features.size() : d.n_features;
    const size_t C = nb.n_classes, F = nb.n_features;
    bool ok = F == width && C >= 2 && nb.bias.size() == C;
    size_t n_log_probs = 0;
    switch (nb.kind) {
      case NaiveBayesKind::gaussian:
        ok = ok && nb.theta.size() == C * F && nb.var.size() == C * F && nb.log_norm.size() == C;
        break;
      case NaiveBayesKind::bernoulli: ok = ok && nb.weights.size() == C * F; break;
      case NaiveBayesKind::categorical:
        for (uint32_t c : nb.category_counts) n_log_probs += C * c;
        ok = ok && nb.category_counts.size() == F && nb.log_probs.size() == n_log_probs;
        break;
    }
    if (!ok) return Error(error_code::invalid_argument, "naive Bayes: the parameters' shapes disagree");
    ColumnSet cols;
    const int32_t bias = cols.add("naive_bayes.bias", nb.bias);
    int32_t theta = -1, var = -1, log_norm = -1, weights = -1, counts = -1, log_probs = -1;
    switch (nb.kind) {
      case NaiveBayesKind::gaussian:
        theta = cols.add("naive_bayes.theta", nb.theta, {C, F});
        var = cols.add("naive_bayes.var", nb.var, {C, F});
        log_norm = cols.add("naive_bayes.log_norm", nb.log_norm);
        break;
      case NaiveBayesKind::bernoulli: weights = cols.add("naive_bayes.weights", nb.weights, {C, F}); break;
      case NaiveBayesKind::categorical:
        counts = cols.add("naive_bayes.category_counts", nb.category_counts);
        log_probs = cols.add("naive_bayes.log_probs", nb.log_probs);
        break;
    }
    auto table = [&](flatbuffers::FlatBufferBuilder& b) {
      fb::NaiveBayesBuilder t(b);
      t.add_kind(format::to_schema(nb.kind));
      t.add_n_classes(static_cast<uint32_t>(C));
      t.add_bias(bias);
      t.add_theta(theta);
      t.add_var(var);
      t.add_log_norm(log_norm);
      t.add_threshold(nb.threshold);
      t.add_weights(weights);
      t.add_category_counts(counts);
      t.add_n_log_probs(n_log_probs);
      t.add_log_probs(log_probs);
      return std::make_pair(fb::Predictor::NaiveBayes, t.Finish().Union());
    };
    return write_model_file(path, d, cols, static_cast<uint32_t>(C), table, pre, check);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

}  // namespace mlmap::writer
