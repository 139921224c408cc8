// mlmap._core, the Python binding: a thin layer over the C++ API (use the
// mlmap package, not this module).  Errors become the exception classes of
// mlmap._errors (binding.cc); each class family has its binder:
// bind_model.cc (Model, kernels), bind_writer.cc (TreeEnsembleBuilder, save,
// XGBoost, LightGBM and Keras import; neighbours, kernel machines, naive Bayes), bind_store.cc (Store, Watch).
#include <string>

#include "binding.hpp"
#include "mlmap/version.hpp"

PYBIND11_MODULE(_core, mod) {
  namespace python = mlmap::python;
  mod.doc() = "mlmap C++ core (use the mlmap package, not this module)";
  python::init_errors();
  mod.attr("__version__") = MLMAP_VERSION;
  mod.attr("format_version") = std::to_string(MLMAP_FORMAT_MAJOR) + "." + std::to_string(MLMAP_FORMAT_MINOR);
  python::bind_model(mod);
  python::bind_writer(mod);
  python::bind_store(mod);
}
