// mlmap._core.Model: open, verify, info, predict (matrices and tables), and
// the process-wide kernel switch.  Predictions release the GIL.
#include <pybind11/stl.h>

#include <climits>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binding.hpp"

namespace mlmap::python {

namespace {

// Python objects from the calls of a ValueWriter: dict, list, str, int,
// float, bool and None, as json.loads would give for JSONWriter's text.
class PyValueWriter final : public ValueWriter {
 public:
  py::object result() const { return root_; }

  void begin_object() override { open(py::dict()); }
  void end_object() override { stack_.pop_back(); }
  void begin_array() override { open(py::list()); }
  void end_array() override { stack_.pop_back(); }
  void key(std::string_view name) override { key_ = text(name); }
  void string(std::string_view s) override { put(text(s)); }
  void integer(int64_t v) override { put(py::int_(v)); }
  void uinteger(uint64_t v) override { put(py::int_(v)); }
  void number(double v) override { put(std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none())); }
  void boolean(bool v) override { put(py::bool_(v)); }
  void null() override { put(py::none()); }

 private:
  // Invalid UTF-8 becomes U+FFFD, as in the JSON text.
  static py::object text(std::string_view s) {
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (!o) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(o);
  }
  void put(const py::object& v) {
    if (stack_.empty()) {
      root_ = v;
    } else if (PyDict_Check(stack_.back().ptr())) {
      if (PyDict_SetItem(stack_.back().ptr(), key_.ptr(), v.ptr()) != 0) throw py::error_already_set();
    } else if (PyList_Append(stack_.back().ptr(), v.ptr()) != 0) {
      throw py::error_already_set();
    }
  }
  void open(const py::object& container) {
    put(container);
    stack_.push_back(container);
  }

  std::vector<py::object> stack_;
  py::object root_, key_;
};

// Model.info(): ModelInfo's one serialisation (write_json_members, also
// behind `mlmap inspect --json` and the server's GET /model) into a dict.
py::object info_dict(const ModelInfo& info) {
  PyValueWriter out;
  out.begin_object();
  write_json_members(out, info);
  out.end_object();
  return out.result();
}

// The rows of X: a 2-D C-contiguous float32 or float64 array (the Python
// layer converts everything else), as wide as the model's input.
template <class In>
size_t rows_of(const Model& m, const py::array_t<In, py::array::c_style>& X) {
  if (X.ndim() != 2) throw py::value_error("X must be 2-D");
  if (static_cast<size_t>(X.shape(1)) != m.num_features())
    raise(Error(error_code::feature_count_mismatch, "X has " + std::to_string(X.shape(1)) +
                                                        " features, but the model expects " +
                                                        std::to_string(m.num_features())));
  return static_cast<size_t>(X.shape(0));
}

// Output arrays, with their strides given explicitly: without them pybind11
// takes the item size from the dtype at run time, and pybind11 < 2.12
// (Debian's 2.10) misreads it under numpy 2 -- arrays came back with strides
// 0, every row a copy of the first.
py::array_t<double> values_array(size_t rows, size_t width) {
  return py::array_t<double>({rows, width}, {static_cast<py::ssize_t>(width * sizeof(double)),
                                             static_cast<py::ssize_t>(sizeof(double))});
}
// Class indices: (rows,), or (rows, outputs) for a multi-output classifier.
py::array_t<int64_t> labels_array(const Model& m, size_t rows) {
  const size_t width = m.class_width();
  if (width == 1) return py::array_t<int64_t>({rows}, {static_cast<py::ssize_t>(sizeof(int64_t))});
  return py::array_t<int64_t>({rows, width}, {static_cast<py::ssize_t>(width * sizeof(int64_t)),
                                              static_cast<py::ssize_t>(sizeof(int64_t))});
}

// Float64 predictions of X, `output` ("value" or "raw") per row.
template <class In>
py::array_t<double> predict_values(const Model& m, py::array_t<In, py::array::c_style> X, const std::string& output,
                                   int n_threads) {
  const auto kind = parse_name<Output>("output", output);
  const size_t rows = rows_of(m, X);
  py::array_t<double> out = values_array(rows, m.output_width(kind));
  const In* x = aligned_data(X, "X");
  double* y = out.mutable_data();
  check(without_gil([&] { return m.predict(x, rows, y, PredictOptions{kind, n_threads}); }));
  return out;
}

template <class In>
py::array_t<int64_t> predict_class(const Model& m, py::array_t<In, py::array::c_style> X, int n_threads) {
  const size_t rows = rows_of(m, X);
  py::array_t<int64_t> out = labels_array(m, rows);
  const In* x = aligned_data(X, "X");
  int64_t* y = out.mutable_data();
  check(without_gil([&] { return m.predict_class(x, rows, y, n_threads); }));
  return out;
}

// What a Python object in a string column is: a string (anything but the
// below, by str()), NaN (a float NaN), None, or pandas.NA (Table::Cell::other,
// as scikit-learn takes it: no category, refused by imputers).
Table::Cell cell_of(py::handle v) {
  if (v.is_none()) return Table::Cell::none;
  if (PyFloat_Check(v.ptr())) return std::isnan(PyFloat_AS_DOUBLE(v.ptr())) ? Table::Cell::nan : Table::Cell::value;
  if (PyUnicode_Check(v.ptr())) return Table::Cell::value;
  if (std::string_view(Py_TYPE(v.ptr())->tp_name) == "NAType") return Table::Cell::other;
  return Table::Cell::value;
}

// The fast path of one call from Python (issue 14: per-call overhead): X
// taken as it is when it is a 2-D, C-contiguous, aligned, native float32 /
// float64 ndarray as wide as the model and the model reads no strings; else
// None, and the Python layer converts and checks (DataFrames, lists, dtypes,
// and the messages for wrong shapes).  No conversion, no copy of X; the only
// allocation is the output array.  `output`: 0 value, 1 raw, 2 class index,
// 3 decision; + fast_flat: one value per row comes back 1-D, (n,), as
// predict gives it (the Python layer then needs no slice).
//
// A plain CPython method (METH_FASTCALL), not a pybind11 one: pybind11's
// dispatch (overload loop, argument casters) and its array_t checks and
// constructor (shape and stride vectors) were ~0.35 us of a ~0.6 us call
// on a linear model.  Only the ndarray object's fields are read
// (PyArray_Proxy, the same in NumPy 1 and 2); dtypes are compared through
// NumPy (PyArray_EquivTypes), never by their struct fields, whose layout
// changed in NumPy 2.
constexpr long fast_flat = 4;

// The dtype of In, from NumPy once.
template <class In>
PyObject* native_dtype() {
  static PyObject* const d = py::dtype::of<In>().release().ptr();  // kept to the end of the process
  return d;
}

template <class In>
bool has_dtype(PyObject* descr) {
  return descr == native_dtype<In>() || py::detail::npy_api::get().PyArray_EquivTypes_(descr, native_dtype<In>());
}

// A new C-contiguous array of `dims` (1 or 2 of them) of In.
template <class In>
py::object new_array(int nd, Py_intptr_t* dims) {
  const auto& api = py::detail::npy_api::get();
  PyObject* descr = native_dtype<In>();
  Py_INCREF(descr);  // PyArray_NewFromDescr steals it
  PyObject* a = api.PyArray_NewFromDescr_(api.PyArray_Type_, descr, nd, dims, nullptr, nullptr, 0, nullptr);
  if (!a) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(a);
}

template <class In>
py::object fast_call(const Model& m, const py::detail::PyArray_Proxy* a, long output, int n_threads) {
  const In* x = reinterpret_cast<const In*>(a->data);
  const auto rows = static_cast<size_t>(a->dimensions[0]);
  Py_intptr_t dims[2] = {a->dimensions[0], 1};
  if ((output & 3) == 2) {  // one label per row, or one per output (multi-output classifiers)
    dims[1] = static_cast<Py_intptr_t>(m.class_width());
    py::object out = new_array<int64_t>(dims[1] == 1 ? 1 : 2, dims);
    auto* y = reinterpret_cast<int64_t*>(py::detail::array_proxy(out.ptr())->data);
    check(without_gil([&] { return m.predict_class(x, rows, y, n_threads); }));
    return out;
  }
  const Output kind = (output & 3) == 1 ? Output::raw : (output & 3) == 3 ? Output::decision : Output::value;
  const size_t width = m.output_width(kind);
  dims[1] = static_cast<Py_intptr_t>(width);
  py::object out = new_array<double>(width == 1 && (output & fast_flat) ? 1 : 2, dims);
  auto* y = reinterpret_cast<double*>(py::detail::array_proxy(out.ptr())->data);
  const PredictOptions options{kind, n_threads};
  check(without_gil([&] { return m.predict(x, rows, y, options); }));
  return out;
}

py::object fast(const Model& m, PyObject* X, long output, int n_threads) {
  const auto& api = py::detail::npy_api::get();
  if (m.info().preprocessing.needs_strings || !api.PyArray_Check_(X)) return py::none();
  const auto* a = py::detail::array_proxy(X);
  constexpr int wanted = py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_ | py::detail::npy_api::NPY_ARRAY_ALIGNED_;
  if (a->nd != 2 || static_cast<size_t>(a->dimensions[1]) != m.num_features() || (a->flags & wanted) != wanted)
    return py::none();
  if (has_dtype<double>(a->descr)) return fast_call<double>(m, a, output, n_threads);
  if (has_dtype<float>(a->descr)) return fast_call<float>(m, a, output, n_threads);
  return py::none();
}

// The Model of `self`, which the method descriptor has checked is a Model
// instance: its value slot read directly (pybind11's cast looks the type up
// in a hash table and compares type names, ~300 instructions a call).  An
// instance made by Model.__new__ alone would hold no Model: __new__ raises
// (refuse_bare_new), and this stays a TypeError should one appear anyway.
const Model& model_of(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  if (inst->simple_layout && inst->simple_holder_constructed && inst->simple_value_holder[0])
    return *static_cast<const Model*>(inst->simple_value_holder[0]);
  if (!inst->simple_layout) return py::handle(self).cast<const Model&>();
  throw py::type_error("this Model was never opened: use mlmap.load()");
}

// Model.fast(X, output, n_threads) -> array or None.
PyObject* fast_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs) noexcept {
  try {
    if (nargs != 3) {
      PyErr_SetString(PyExc_TypeError, "fast(X, output, n_threads) takes 3 arguments");
      return nullptr;
    }
    const long output = PyLong_AsLong(args[1]);
    const long n_threads = PyLong_AsLong(args[2]);
    if (PyErr_Occurred()) return nullptr;
    if (output < 0 || output > 7 || n_threads < INT_MIN || n_threads > INT_MAX) {
      PyErr_SetString(PyExc_ValueError, "fast: output or n_threads out of range");
      return nullptr;
    }
    return fast(model_of(self), args[0], output, static_cast<int>(n_threads)).release().ptr();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (py::builtin_exception& e) {
    e.set_error();
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

PyMethodDef fast_def = {"fast", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&fast_method)), METH_FASTCALL,
                        "fast(X, output, n_threads): predictions of X as it is, or None (see bind_model.cc)"};

// A dict of column name -> numpy array (float64/float32) or sequence of str
// (None, NaN and pandas.NA told apart: Table::Cell), held alive for one
// predict call.
struct PyTable {
  Table table;
  std::vector<py::array> numeric;
  std::vector<std::vector<std::string>> text;
  std::vector<std::vector<std::string_view>> views;
  std::vector<std::unique_ptr<Table::Cell[]>> cells;

  PyTable(const py::dict& columns, size_t n_rows) : table(n_rows) {
    for (auto item : columns) {
      const auto name = item.first.cast<std::string>();
      py::handle values = item.second;
      if (py::isinstance<py::array>(values) && py::reinterpret_borrow<py::array>(values).dtype().kind() == 'f') {
        py::array_t<double, py::array::c_style> a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(values);
        if (static_cast<size_t>(a.size()) != n_rows) throw py::value_error("column '" + name + "' has the wrong length");
        numeric.push_back(a);
        check(table.add_numeric(name, aligned_data(a, ("column '" + name + "'").c_str())));
        continue;
      }
      auto& t = text.emplace_back();
      auto& m = cells.emplace_back(new Table::Cell[n_rows]());
      size_t i = 0;
      for (auto v : values) {
        if (i >= n_rows) throw py::value_error("column '" + name + "' has the wrong length");
        m[i] = cell_of(v);
        t.push_back(m[i] != Table::Cell::value ? std::string() : py::str(v).cast<std::string>());
        ++i;
      }
      if (i != n_rows) throw py::value_error("column '" + name + "' has the wrong length");
      auto& sv = views.emplace_back(t.begin(), t.end());
      check(table.add_string_cells(name, sv.data(), m.get()));
    }
  }
};

py::array_t<double> predict_table(const Model& m, const py::dict& columns, size_t n_rows, const std::string& output,
                                  int n_threads) {
  PyTable t(columns, n_rows);
  const auto kind = parse_name<Output>("output", output);
  py::array_t<double> out = values_array(n_rows, m.output_width(kind));
  double* y = out.mutable_data();
  check(without_gil([&] { return m.predict(t.table, y, PredictOptions{kind, n_threads}); }));
  return out;
}

py::array_t<int64_t> predict_table_class(const Model& m, const py::dict& columns, size_t n_rows, int n_threads) {
  PyTable t(columns, n_rows);
  py::array_t<int64_t> out = labels_array(m, n_rows);
  int64_t* y = out.mutable_data();
  check(without_gil([&] { return m.predict_class(t.table, y, n_threads); }));
  return out;
}

}  // namespace

void bind_model(py::module_& mod) {
  auto cls = py::class_<Model>(mod, "Model");
  cls
      .def_static(
          "open",
          [](const std::string& path, bool verify, bool copy) {
            return value_or_raise(without_gil([&] { return Model::open(path, OpenOptions{verify, copy}); }));
          },
          py::arg("path"), py::arg("verify") = false, py::arg("copy") = false)
      .def("verify", [](const Model& m) { check(without_gil([&] { return m.verify(); })); })
      .def("info", [](const Model& m) { return info_dict(m.info()); })
      .def_property_readonly("path", &Model::path)
      .def_property_readonly("n_features", &Model::num_features)
      .def_property_readonly("n_outputs", [](const Model& m) { return m.output_width(Output::value); })
      .def_property_readonly("n_raw", [](const Model& m) { return m.output_width(Output::raw); })
      .def_property_readonly("task", [](const Model& m) { return enum_name(m.task()); })
      .def("predict_values", &predict_values<float>, py::arg("X"), py::arg("output") = "value", py::arg("n_threads") = 1)
      .def("predict_values", &predict_values<double>, py::arg("X"), py::arg("output") = "value", py::arg("n_threads") = 1)
      .def("predict_table", &predict_table, py::arg("columns"), py::arg("n_rows"), py::arg("output") = "value",
           py::arg("n_threads") = 1)
      .def("predict_table_class", &predict_table_class, py::arg("columns"), py::arg("n_rows"), py::arg("n_threads") = 1)
      .def("predict_class", &predict_class<float>, py::arg("X"), py::arg("n_threads") = 1)
      .def("predict_class", &predict_class<double>, py::arg("X"), py::arg("n_threads") = 1);
  refuse_bare_new(cls, "use mlmap.load()");
  py::object fast_descr = py::reinterpret_steal<py::object>(PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(cls.ptr()), &fast_def));
  if (!fast_descr) throw py::error_already_set();
  cls.attr("fast") = fast_descr;

  mod.def("active_kernel", [] { return std::string(active_kernel()); },
          "The prediction kernel in use: scalar, sse4_2, avx2 or avx512bw.");
  mod.def("available_kernels", &available_kernels, "The kernels this CPU can run.");
  mod.def(
      "use_kernel", [](const std::string& name) { check(use_kernel(name)); }, py::arg("name"),
      "Switch every later prediction in this process to a kernel (tests, benchmarks).");
}

}  // namespace mlmap::python
