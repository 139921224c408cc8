// The Python binding's shared pieces: errors as the exceptions of
// mlmap._errors, names through the enums' tables (mlmap/info.hpp), and the
// dict fields several binders read.  One binder per class family registers
// it on the module (_core.cc calls them): bind_model.cc, bind_writer.cc,
// bind_store.cc.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mlmap/mlmap.hpp"

namespace mlmap::python {

namespace py = pybind11;

/// Looks up the exception classes of mlmap._errors (once, at import).
void init_errors();
/// Raises `e` as the matching Python exception (FormatError ... OSError),
/// with its code name as `.code`.
[[noreturn]] void raise(const Error& e);
/// raise() if `s` failed.
inline void check(const Status& s) {
  if (!s.ok()) raise(s.error());
}
/// The value of `r`, or raise().
template <class T>
T value_or_raise(Result<T> r) {
  if (!r) raise(r.error());
  return std::move(*r);
}

/// f() with the GIL released (for calls into the library that may take
/// long).  CPython's own save and restore, not pybind11's
/// gil_scoped_release, which also looks up and keeps pybind11's thread state:
/// with model_of() (bind_model.cc), a one-row predict_proba from Python ran
/// 5,595 -> 5,015 instructions (callgrind; x_d2_t10_f5, AVX2).
template <class F>
auto without_gil(F&& f) {
  struct Release {
    PyThreadState* state = PyEval_SaveThread();
    ~Release() { PyEval_RestoreThread(state); }
  } release;
  return f();
}

/// A name from the enum's one table; ValueError naming the valid ones.
template <class E>
E parse_name(const char* what, const std::string& name) {
  E value{};
  if (!parse_enum(name, value))
    throw py::value_error(std::string("unknown ") + what + " '" + name + "' (" + enum_name_list<E>() + ")");
  return value;
}

/// Whether `d` has `key` and it is not None.
inline bool has(const py::dict& d, const char* key) { return d.contains(key) && !d[key].is_none(); }

/// d[key] parsed as an E into `out`, when present.
template <class E>
void read_name(const py::dict& d, const char* key, E& out) {
  if (has(d, key)) out = parse_name<E>(key, d[key].cast<std::string>());
}

/// d[key] as a vector, empty when absent.
template <class T>
std::vector<T> vec(const py::dict& d, const char* key) {
  return has(d, key) ? d[key].cast<std::vector<T>>() : std::vector<T>();
}

/// Class labels from a list: integers if every label is a Python int, else strings.
ClassLabels parse_classes(const py::handle& labels);
/// The source_* / numpy / python fields of a provenance dict.
Provenance parse_provenance(const py::dict& p);
/// A dict of str -> str, in its order.
std::vector<std::pair<std::string, std::string>> parse_metadata(const py::dict& d);

/// The library reads T through T*; numpy arrays rebuilt from buffers may
/// start at any byte.  The Python layer aligns them; this keeps direct
/// callers honest.
template <class T>
const T* aligned_data(const py::array_t<T, py::array::c_style>& a, const char* what) {
  if (reinterpret_cast<uintptr_t>(a.data()) % alignof(T) != 0)
    throw py::value_error(std::string(what) + " is not aligned for its dtype; pass numpy.require(X, requirements='CA')");
  return a.data();
}

/// Makes `cls.__new__` raise TypeError naming `how` (the way to get one),
/// for a class that only C++ makes (no py::init): pybind11's __new__ alone
/// returns an instance holding no object, whose methods would read
/// unconstructed bytes.  Its casts from C++ do not call __new__.
void refuse_bare_new(const py::handle& cls, const char* how);

/// For a class that Python calls build (Store(dir), ...): the caller sets
/// its `__new__` to build the C++ object, and this makes `__init__` do
/// nothing.  With py::init instead, `cls.__new__(cls)` alone returned an
/// instance with no object behind it (its methods read unconstructed bytes).
void built_in_new(const py::handle& cls);

/// Model (and the kernel switches).
void bind_model(py::module_& m);
/// TreeEnsembleBuilder, save_trees, save_dense, convert_xgboost_json.
void bind_writer(py::module_& m);
/// Store and Watch.
void bind_store(py::module_& m);

}  // namespace mlmap::python
