#include "mlmap/model.hpp"
#include "mlmap/writer.hpp"
#include "writer/dense_writer.hpp"
#include "writer/sample_writers.hpp"
#include "writer/tree_writer.hpp"

namespace mlmap {

namespace {

// What we write must open and verify: the reader checks the temporary file
// before it replaces anything.
Status check_written(const std::string& tmp) {
  OpenOptions o;
  o.verify = true;
  auto m = Model::open(tmp, o);
  if (!m) return Error(m.code(), "refusing to write an invalid model: " + m.message());
  return {};
}

}  // namespace

Status save(const std::string& path, const ModelDescription& description, const TreeEnsembleBuilder& trees,
            const PreprocessingSpec* preprocessing) noexcept {
  return writer::write_tree_model(path, description, trees, preprocessing, check_written);
}

Status save(const std::string& path, const ModelDescription& description, const DenseNetworkSpec& network,
            const PreprocessingSpec* preprocessing) noexcept {
  return writer::write_dense_model(path, description, network, preprocessing, check_written);
}

Status save(const std::string& path, const ModelDescription& description, const NeighborsSpec& neighbors,
            const PreprocessingSpec* preprocessing) noexcept {
  return writer::write_neighbors_model(path, description, neighbors, preprocessing, check_written);
}

Status save(const std::string& path, const ModelDescription& description, const KernelMachineSpec& machine,
            const PreprocessingSpec* preprocessing) noexcept {
  return writer::write_kernel_model(path, description, machine, preprocessing, check_written);
}

Status save(const std::string& path, const ModelDescription& description, const NaiveBayesSpec& naive_bayes,
            const PreprocessingSpec* preprocessing) noexcept {
  return writer::write_naive_bayes_model(path, description, naive_bayes, preprocessing, check_written);
}

}  // namespace mlmap
