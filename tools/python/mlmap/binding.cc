#include "binding.hpp"

#include <pybind11/stl.h>

namespace mlmap::python {

namespace {

// Exception classes live in Python (mlmap/_errors.py) so users can catch them
// without this extension; kept to the end of the process.
struct Exceptions {
  py::object format_error, unsupported_model_error, missing_value_error, unknown_category_error;
};
Exceptions* exceptions = nullptr;

}  // namespace

void init_errors() {
  auto errors = py::module_::import("mlmap._errors");
  exceptions = new Exceptions{errors.attr("FormatError"), errors.attr("UnsupportedModelError"),
                              errors.attr("MissingValueError"), errors.attr("UnknownCategoryError")};
}

void raise(const Error& e) {
  PyObject* type = PyExc_RuntimeError;
  switch (e.code()) {
    case error_code::invalid_argument:
    case error_code::feature_count_mismatch: type = PyExc_ValueError; break;
    case error_code::missing_value: type = exceptions->missing_value_error.ptr(); break;
    case error_code::unknown_category: type = exceptions->unknown_category_error.ptr(); break;
    case error_code::io_error:
    case error_code::write_failed: type = PyExc_OSError; break;
    case error_code::out_of_memory: type = PyExc_MemoryError; break;
    case error_code::unsupported_model: type = exceptions->unsupported_model_error.ptr(); break;
    case error_code::internal_error: type = PyExc_RuntimeError; break;
    default: type = exceptions->format_error.ptr(); break;  // everything a bad file can cause
  }
  py::object exc = py::reinterpret_borrow<py::object>(type)(e.message());
  if (type != PyExc_OSError && type != PyExc_MemoryError) exc.attr("code") = error_name(e.code());
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

ClassLabels parse_classes(const py::handle& labels) {
  const py::list classes = py::reinterpret_borrow<py::object>(labels);
  bool all_int = true;
  for (auto c : classes) all_int = all_int && py::isinstance<py::int_>(c);
  ClassLabels out;
  if (all_int) {
    out.kind = ClassLabels::Kind::integers;
    out.integers = classes.cast<std::vector<int64_t>>();
  } else {
    out.kind = ClassLabels::Kind::strings;
    out.strings = classes.cast<std::vector<std::string>>();
  }
  return out;
}

Provenance parse_provenance(const py::dict& p) {
  auto get = [&](const char* k) { return p.contains(k) ? p[k].cast<std::string>() : std::string(); };
  Provenance out;
  out.source_library = get("source_library");
  out.source_version = get("source_version");
  out.numpy_version = get("numpy_version");
  out.python_version = get("python_version");
  return out;
}

void refuse_bare_new(const py::handle& cls, const char* how) {
  // Set in the type's dict, __new__ also becomes its tp_new slot: Model()
  // and Model.__new__(Model) both end here.
  const std::string message = py::str(cls.attr("__name__")).cast<std::string>() +
                              " objects cannot be created directly: " + how;
  cls.attr("__new__") = py::cpp_function([message](const py::args&, const py::kwargs&) -> py::object {
    throw py::type_error(message);
  });
}

void built_in_new(const py::handle& cls) {
  // The object came whole from __new__: nothing to do, and nothing to redo
  // on a second explicit __init__ call.
  cls.attr("__init__") = py::cpp_function([](const py::handle&, const py::args&, const py::kwargs&) {},
                                          py::is_method(cls));
}

std::vector<std::pair<std::string, std::string>> parse_metadata(const py::dict& d) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto kv : d) out.emplace_back(kv.first.cast<std::string>(), kv.second.cast<std::string>());
  return out;
}

}  // namespace mlmap::python
