// Writing an imported model, alone or behind a preprocessing program.

#include "mlmap/importers.hpp"

namespace mlmap {

Status save_imported(const std::string& path, const ImportedModel& model, const PreprocessingSpec* inputs,
                     size_t n_inputs, const std::vector<std::string>& input_names) noexcept {
  if (!inputs)
    return save(path, model.description, model.trees, model.preprocessing ? &*model.preprocessing : nullptr);
  if (model.preprocessing)
    return Error(error_code::unsupported_model,
                 model.description.estimator + " maps its own inputs (pandas categories) and cannot also take "
                 "preprocessing steps in front of it");
  if (!input_names.empty() && input_names.size() != n_inputs)
    return Error(error_code::invalid_argument, std::to_string(input_names.size()) + " input names for " +
                                                   std::to_string(n_inputs) + " input columns");
  try {
    ModelDescription d = model.description;
    d.n_features = n_inputs;
    d.feature_names = input_names;
    return save(path, d, model.trees, inputs);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory saving '" + path + "'");
  }
}

}  // namespace mlmap
