// The Python binding: a thin layer over the C++ API.  Errors become the
// exception classes of mlmap._errors; predictions release the GIL; numpy
// arrays reach the C++ writer without copies when they are already int64 /
// float64 and C-contiguous (sklearn's tree arrays are).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlmap/importers.hpp"
#include "mlmap/mlmap.hpp"
#include "mlmap/store.hpp"

namespace py = pybind11;

namespace {

using mlmap::error_code;

// Exception classes live in Python (mlmap/_errors.py) so users can catch them
// without this extension; looked up once at import.
struct Exceptions {
  py::object format_error, unsupported_model_error, missing_value_error, unknown_category_error;
};
Exceptions* exceptions = nullptr;

[[noreturn]] void raise(const mlmap::Error& e) {
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
  if (type != PyExc_OSError && type != PyExc_MemoryError) exc.attr("code") = mlmap::error_name(e.code());
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

void check(const mlmap::Status& s) {
  if (!s.ok()) raise(s.error());
}

// Model.info(): mlmap::to_json (the one serialisation, shared with
// `mlmap inspect --json` and the server's GET /model) read by Python's json.
py::object info_dict(const mlmap::ModelInfo& info) {
  static const auto* loads = new py::object(py::module_::import("json").attr("loads"));  // kept to the end, as `exceptions`
  return (*loads)(mlmap::to_json(info, 0));
}

// A name from the enum's one table (mlmap/info.hpp); ValueError naming the
// valid ones otherwise.
template <class E>
E parse_name(const char* what, const std::string& name) {
  E value{};
  if (!mlmap::parse_enum(name, value))
    throw py::value_error(std::string("unknown ") + what + " '" + name + "' (" + mlmap::enum_name_list<E>() + ")");
  return value;
}

// d[key] parsed as an E into `out`, when d has it.
template <class E>
void read_name(const py::dict& d, const char* key, E& out) {
  if (d.contains(key) && !d[key].is_none()) out = parse_name<E>(key, d[key].cast<std::string>());
}

mlmap::Output parse_output(const std::string& s) { return parse_name<mlmap::Output>("output", s); }

// The library reads T through T*; numpy arrays rebuilt from buffers may start
// at any byte. The Python layer aligns them; this keeps direct callers honest.
template <class T>
const T* aligned_data(const py::array_t<T, py::array::c_style>& a, const char* what) {
  if (reinterpret_cast<uintptr_t>(a.data()) % alignof(T) != 0)
    throw py::value_error(std::string(what) + " is not aligned for its dtype; pass numpy.require(X, requirements='CA')");
  return a.data();
}

// X must be a 2-D C-contiguous float32 or float64 array (the Python layer
// converts everything else); returns a float64 array of predictions.
template <class In>
py::array_t<double> predict_values(const mlmap::Model& m, py::array_t<In, py::array::c_style> X, const std::string& output,
                                   int n_threads) {
  const auto kind = parse_output(output);
  if (X.ndim() != 2) throw py::value_error("X must be 2-D");
  const auto rows = static_cast<size_t>(X.shape(0));
  if (static_cast<size_t>(X.shape(1)) != m.num_features())
    raise(mlmap::Error(error_code::feature_count_mismatch,
                       "X has " + std::to_string(X.shape(1)) + " features, but the model expects " +
                           std::to_string(m.num_features())));
  const size_t width = m.output_width(kind);
  py::array_t<double> out({rows, width});
  mlmap::PredictOptions o;
  o.output = kind;
  o.n_threads = n_threads;
  mlmap::Status st;
  {
    py::gil_scoped_release release;
    st = m.predict(aligned_data(X, "X"), rows, out.mutable_data(), o);
  }
  check(st);
  return out;
}

template <class In>
py::array_t<int64_t> predict_class(const mlmap::Model& m, py::array_t<In, py::array::c_style> X, int n_threads) {
  if (X.ndim() != 2) throw py::value_error("X must be 2-D");
  const auto rows = static_cast<size_t>(X.shape(0));
  if (static_cast<size_t>(X.shape(1)) != m.num_features())
    raise(mlmap::Error(error_code::feature_count_mismatch,
                       "X has " + std::to_string(X.shape(1)) + " features, but the model expects " +
                           std::to_string(m.num_features())));
  py::array_t<int64_t> out(rows);
  mlmap::Status st;
  {
    py::gil_scoped_release release;
    st = m.predict_class(aligned_data(X, "X"), rows, out.mutable_data(), n_threads);
  }
  check(st);
  return out;
}

mlmap::ModelDescription parse_description(const py::dict& d) {
  mlmap::ModelDescription desc;
  desc.estimator = d["estimator"].cast<std::string>();
  desc.task = parse_name<mlmap::Task>("task", d["task"].cast<std::string>());
  desc.n_features = d["n_features"].cast<size_t>();
  desc.n_outputs = d["n_outputs"].cast<size_t>();
  if (d.contains("feature_names") && !d["feature_names"].is_none())
    desc.feature_names = d["feature_names"].cast<std::vector<std::string>>();
  if (d.contains("classes") && !d["classes"].is_none()) {
    py::list classes = d["classes"];
    bool all_int = true;
    for (auto c : classes) all_int = all_int && py::isinstance<py::int_>(c);
    if (all_int) {
      desc.classes.kind = mlmap::ClassLabels::Kind::integers;
      desc.classes.integers = classes.cast<std::vector<int64_t>>();
    } else {
      desc.classes.kind = mlmap::ClassLabels::Kind::strings;
      desc.classes.strings = classes.cast<std::vector<std::string>>();
    }
  }
  read_name(d, "link", desc.link);
  if (d.contains("link_scale")) desc.link_scale = d["link_scale"].cast<double>();
  read_name(d, "class_decision", desc.class_decision);
  if (d.contains("base_score") && !d["base_score"].is_none())
    desc.base_score = d["base_score"].cast<std::vector<double>>();
  if (d.contains("provenance")) {
    py::dict p = d["provenance"];
    auto get = [&](const char* k) { return p.contains(k) ? p[k].cast<std::string>() : std::string(); };
    desc.provenance.source_library = get("source_library");
    desc.provenance.source_version = get("source_version");
    desc.provenance.numpy_version = get("numpy_version");
    desc.provenance.python_version = get("python_version");
  }
  if (d.contains("metadata") && !d["metadata"].is_none())
    for (auto kv : d["metadata"].cast<py::dict>())
      desc.metadata.emplace_back(kv.first.cast<std::string>(), kv.second.cast<std::string>());
  return desc;
}

// --- preprocessing and dense networks from Python dicts ----------------------

template <class T>
std::vector<T> vec(const py::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return {};
  return d[key].cast<std::vector<T>>();
}

mlmap::OpSpec parse_op(const py::dict& d) {
  mlmap::OpSpec op;
  op.kind = parse_name<mlmap::OpKind>("preprocessing step kind", d["kind"].cast<std::string>());
  op.inputs = vec<uint32_t>(d, "inputs");
  if (d.contains("string_inputs")) op.string_inputs = d["string_inputs"].cast<bool>();
  op.out_begin = d["out_begin"].cast<uint32_t>();
  op.n_out = d["n_out"].cast<uint32_t>();
  op.a = vec<double>(d, "a");
  op.b = vec<double>(d, "b");
  if (d.contains("clip")) op.clip = d["clip"].cast<bool>();
  if (d.contains("clip_low")) op.clip_low = d["clip_low"].cast<double>();
  if (d.contains("clip_high")) op.clip_high = d["clip_high"].cast<double>();
  read_name(d, "norm", op.norm);
  if (d.contains("missing_value") && !d["missing_value"].is_none()) {
    op.missing_is_nan = false;
    op.missing_value = d["missing_value"].cast<double>();
  }
  op.fill_strings = vec<std::string>(d, "fill_strings");
  op.category_counts = vec<uint32_t>(d, "category_counts");
  op.numeric_categories = vec<double>(d, "numeric_categories");
  op.string_categories = vec<std::string>(d, "string_categories");
  op.category_order = vec<uint32_t>(d, "category_order");
  op.missing_category = vec<int32_t>(d, "missing_category");
  op.drop = vec<int32_t>(d, "drop");
  read_name(d, "unknown", op.unknown);
  if (d.contains("unknown_value")) op.unknown_value = d["unknown_value"].cast<double>();
  if (d.contains("missing_encoded")) op.missing_encoded = d["missing_encoded"].cast<double>();
  op.powers = vec<uint32_t>(d, "powers");
  return op;
}

std::optional<mlmap::PreprocessingSpec> parse_preprocessing(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  const py::dict d = o.cast<py::dict>();
  mlmap::PreprocessingSpec p;
  p.string_inputs = vec<bool>(d, "string_inputs");
  p.n_slots = d["n_slots"].cast<uint32_t>();
  p.n_string_slots = d["n_string_slots"].cast<uint32_t>();
  for (auto op : d["ops"].cast<py::list>()) p.ops.push_back(parse_op(op.cast<py::dict>()));
  p.features = vec<uint32_t>(d, "features");
  return p;
}

mlmap::DenseNetworkSpec parse_network(const py::list& layers) {
  mlmap::DenseNetworkSpec net;
  for (auto item : layers) {
    const py::dict d = item.cast<py::dict>();
    mlmap::DenseLayerSpec L;
    auto w = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["weights"]);
    if (!w || w.ndim() != 2) throw py::value_error("layer weights must be a 2-D array (n_in, n_out)");
    L.n_in = static_cast<size_t>(w.shape(0));
    L.n_out = static_cast<size_t>(w.shape(1));
    L.weights.assign(w.data(), w.data() + w.size());
    L.bias = vec<double>(d, "bias");
    read_name(d, "activation", L.activation);
    net.layers.push_back(std::move(L));
  }
  return net;
}

// A dict of column name -> numpy array (float64/float32) or sequence of str
// (None / NaN = missing), held alive for one predict call.
struct PyTable {
  mlmap::Table table;
  std::vector<py::array> numeric;
  std::vector<std::vector<std::string>> text;
  std::vector<std::vector<std::string_view>> views;
  std::vector<std::unique_ptr<bool[]>> missing;

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
      auto& m = missing.emplace_back(new bool[n_rows]());
      size_t i = 0;
      for (auto v : values) {
        if (i >= n_rows) throw py::value_error("column '" + name + "' has the wrong length");
        // None, NaN and pandas' NA all mean missing.
        const bool is_missing = v.is_none() || (py::isinstance<py::float_>(v) && std::isnan(v.cast<double>())) ||
                                std::string(Py_TYPE(v.ptr())->tp_name) == "NAType";
        m[i] = is_missing;
        t.push_back(is_missing ? std::string() : py::str(v).cast<std::string>());
        ++i;
      }
      if (i != n_rows) throw py::value_error("column '" + name + "' has the wrong length");
      auto& sv = views.emplace_back(t.begin(), t.end());
      check(table.add_strings(name, sv.data(), m.get()));
    }
  }
};

using I64 = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;
using F64 = py::array_t<double, py::array::c_style | py::array::forcecast>;
using U8 = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using U32 = py::array_t<uint32_t, py::array::c_style | py::array::forcecast>;

void add_tree(mlmap::TreeEnsembleBuilder& b, I64 left, I64 right, I64 feature, F64 threshold, F64 values,
              std::optional<U8> missing_left, std::optional<U8> categorical, std::optional<U32> category_set,
              uint32_t output, double leaf_scale, bool normalize) {
  const auto n = static_cast<size_t>(left.size());
  auto need = [n](const py::array& a, const char* name) {
    if (static_cast<size_t>(a.ndim() ? a.shape(0) : 0) != n)
      throw py::value_error(std::string(name) + " has " + std::to_string(a.ndim() ? a.shape(0) : 0) +
                            " entries, expected " + std::to_string(n));
  };
  need(right, "right");
  need(feature, "feature");
  need(threshold, "threshold");
  need(values, "values");
  mlmap::TreeNodes t;
  t.n_nodes = n;
  t.left = left.data();
  t.right = right.data();
  t.feature = feature.data();
  t.threshold = threshold.data();
  t.values = values.data();
  t.value_stride = n ? static_cast<size_t>(values.size()) / n : 0;
  if (missing_left) {
    need(*missing_left, "missing_left");
    t.missing_left = missing_left->data();
  }
  if (categorical) {
    need(*categorical, "categorical");
    t.categorical = categorical->data();
  }
  if (category_set) {
    need(*category_set, "category_set");
    t.category_set = category_set->data();
  }
  mlmap::TreeOptions o;
  o.output = output;
  o.leaf_scale = leaf_scale;
  o.normalize_leaves = normalize;
  check(b.add_tree(t, o));
}

// convert_xgboost_json(data, path, options): XGBoost JSON bytes (any buffer,
// e.g. Booster.save_raw("json")) to an mlmap file.  options: estimator,
// feature_names, classes, provenance, metadata, iteration_end,
// use_best_iteration (see mlmap/importers.hpp), all optional.
void convert_xgboost_json(const py::buffer& data, const std::string& path, const py::dict& options) {
  const py::buffer_info buf = data.request();
  if (buf.ndim != 1 || buf.itemsize != 1) throw py::value_error("data must be bytes-like (one byte per item)");
  mlmap::ImportOptions o;
  auto has = [&](const char* k) { return options.contains(k) && !options[k].is_none(); };
  if (has("estimator")) o.estimator = options["estimator"].cast<std::string>();
  if (has("feature_names")) o.feature_names = options["feature_names"].cast<std::vector<std::string>>();
  if (has("classes")) {
    py::list classes = options["classes"];
    bool all_int = true;
    for (auto c : classes) all_int = all_int && py::isinstance<py::int_>(c);
    if (all_int) {
      o.classes.kind = mlmap::ClassLabels::Kind::integers;
      o.classes.integers = classes.cast<std::vector<int64_t>>();
    } else {
      o.classes.kind = mlmap::ClassLabels::Kind::strings;
      o.classes.strings = classes.cast<std::vector<std::string>>();
    }
  }
  if (has("provenance")) {
    py::dict p = options["provenance"];
    auto get = [&](const char* k) { return p.contains(k) ? p[k].cast<std::string>() : std::string(); };
    o.provenance.source_library = get("source_library");
    o.provenance.source_version = get("source_version");
    o.provenance.numpy_version = get("numpy_version");
    o.provenance.python_version = get("python_version");
  }
  if (has("metadata"))
    for (auto kv : options["metadata"].cast<py::dict>())
      o.metadata.emplace_back(kv.first.cast<std::string>(), kv.second.cast<std::string>());
  if (has("iteration_end")) o.iteration_end = options["iteration_end"].cast<uint64_t>();
  if (has("use_best_iteration")) o.use_best_iteration = options["use_best_iteration"].cast<bool>();
  const std::string_view json(static_cast<const char*>(buf.ptr), static_cast<size_t>(buf.size));
  mlmap::Status st;
  {
    py::gil_scoped_release release;
    st = mlmap::convert_xgboost_json(json, path, o);
  }
  check(st);
}

}  // namespace

PYBIND11_MODULE(_core, mod) {
  mod.doc() = "mlmap C++ core (use the mlmap package, not this module)";
  auto errors = py::module_::import("mlmap._errors");
  exceptions = new Exceptions{errors.attr("FormatError"), errors.attr("UnsupportedModelError"),
                              errors.attr("MissingValueError"), errors.attr("UnknownCategoryError")};
  mod.attr("__version__") = MLMAP_VERSION;
  mod.attr("format_version") = std::to_string(MLMAP_FORMAT_MAJOR) + "." + std::to_string(MLMAP_FORMAT_MINOR);

  py::class_<mlmap::Model>(mod, "Model")
      .def_static(
          "open",
          [](const std::string& path, bool verify, bool copy) {
            mlmap::OpenOptions o;
            o.verify = verify;
            o.copy = copy;
            mlmap::Result<mlmap::Model> r = mlmap::Error();
            {
              py::gil_scoped_release release;
              r = mlmap::Model::open(path, o);
            }
            if (!r) raise(r.error());
            return std::move(*r);
          },
          py::arg("path"), py::arg("verify") = false, py::arg("copy") = false)
      .def("verify",
           [](const mlmap::Model& m) {
             mlmap::Status st;
             {
               py::gil_scoped_release release;
               st = m.verify();
             }
             check(st);
           })
      .def("info", [](const mlmap::Model& m) { return info_dict(m.info()); })
      .def_property_readonly("path", &mlmap::Model::path)
      .def_property_readonly("n_features", &mlmap::Model::num_features)
      .def_property_readonly("n_outputs", [](const mlmap::Model& m) { return m.output_width(mlmap::Output::value); })
      .def_property_readonly("n_raw", [](const mlmap::Model& m) { return m.output_width(mlmap::Output::raw); })
      .def_property_readonly("task", [](const mlmap::Model& m) { return mlmap::enum_name(m.task()); })
      .def("predict_values", &predict_values<float>, py::arg("X"), py::arg("output") = "value", py::arg("n_threads") = 1)
      .def("predict_values", &predict_values<double>, py::arg("X"), py::arg("output") = "value", py::arg("n_threads") = 1)
      .def(
          "predict_table",
          [](const mlmap::Model& m, const py::dict& columns, size_t n_rows, const std::string& output, int n_threads) {
            PyTable t(columns, n_rows);
            const auto kind = parse_output(output);
            py::array_t<double> out({n_rows, m.output_width(kind)});
            mlmap::PredictOptions o;
            o.output = kind;
            o.n_threads = n_threads;
            mlmap::Status st;
            {
              py::gil_scoped_release release;
              st = m.predict(t.table, out.mutable_data(), o);
            }
            check(st);
            return out;
          },
          py::arg("columns"), py::arg("n_rows"), py::arg("output") = "value", py::arg("n_threads") = 1)
      .def(
          "predict_table_class",
          [](const mlmap::Model& m, const py::dict& columns, size_t n_rows, int n_threads) {
            PyTable t(columns, n_rows);
            py::array_t<int64_t> out(n_rows);
            mlmap::Status st;
            {
              py::gil_scoped_release release;
              st = m.predict_class(t.table, out.mutable_data(), n_threads);
            }
            check(st);
            return out;
          },
          py::arg("columns"), py::arg("n_rows"), py::arg("n_threads") = 1)
      .def("predict_class", &predict_class<float>, py::arg("X"), py::arg("n_threads") = 1)
      .def("predict_class", &predict_class<double>, py::arg("X"), py::arg("n_threads") = 1);

  py::class_<mlmap::TreeEnsembleBuilder>(mod, "TreeEnsembleBuilder")
      .def(py::init([](size_t n_features, size_t leaf_width, size_t n_raw, const std::string& aggregation,
                       const std::string& rule, const std::string& thresholds) {
             return mlmap::TreeEnsembleBuilder(n_features, leaf_width, n_raw,
                                               parse_name<mlmap::Aggregation>("aggregation", aggregation),
                                               parse_name<mlmap::SplitRule>("rule", rule),
                                               parse_name<mlmap::ThresholdType>("thresholds", thresholds));
           }),
           py::arg("n_features"), py::arg("leaf_width"), py::arg("n_raw"), py::arg("aggregation"), py::arg("rule") = "<=",
           py::arg("thresholds") = "float32")
      .def("add_tree", &add_tree, py::arg("left"), py::arg("right"), py::arg("feature"), py::arg("threshold"),
           py::arg("values"), py::arg("missing_left") = py::none(), py::arg("categorical") = py::none(),
           py::arg("category_set") = py::none(), py::arg("output") = 0, py::arg("leaf_scale") = 1.0,
           py::arg("normalize") = false)
      .def("add_category_set",
           [](mlmap::TreeEnsembleBuilder& b, U32 words) {
             return b.add_category_set(words.data(), static_cast<size_t>(words.size()));
           })
      .def_property_readonly("n_trees", &mlmap::TreeEnsembleBuilder::n_trees)
      .def_property_readonly("n_nodes", &mlmap::TreeEnsembleBuilder::n_nodes);

  mod.def(
      "save_trees",
      [](const std::string& path, const mlmap::TreeEnsembleBuilder& trees, const py::dict& description,
         const py::object& preprocessing) {
        auto desc = parse_description(description);
        auto pre = parse_preprocessing(preprocessing);
        mlmap::Status st;
        {
          py::gil_scoped_release release;
          st = mlmap::save(path, desc, trees, pre ? &*pre : nullptr);
        }
        check(st);
      },
      py::arg("path"), py::arg("trees"), py::arg("description"), py::arg("preprocessing") = py::none());

  mod.def(
      "save_dense",
      [](const std::string& path, const py::list& layers, const py::dict& description, const py::object& preprocessing) {
        auto desc = parse_description(description);
        auto net = parse_network(layers);
        auto pre = parse_preprocessing(preprocessing);
        mlmap::Status st;
        {
          py::gil_scoped_release release;
          st = mlmap::save(path, desc, net, pre ? &*pre : nullptr);
        }
        check(st);
      },
      py::arg("path"), py::arg("layers"), py::arg("description"), py::arg("preprocessing") = py::none());

  auto version_dict = [](const mlmap::VersionInfo& v) {
    py::dict d;
    d["version"] = v.version;
    d["path"] = v.path;
    d["content_hash"] = v.content_hash;
    d["size"] = v.size;
    d["published_unix_ms"] = v.published_unix_ms;
    d["current"] = v.current;
    return d;
  };
  py::class_<mlmap::Watch, std::shared_ptr<mlmap::Watch>>(mod, "Watch")
      .def("current",
           [](const mlmap::Watch& w) {
             uint64_t version = 0;
             mlmap::Model m = w.current(&version);
             return py::make_tuple(std::move(m), version);
           })
      .def_property_readonly("version", &mlmap::Watch::version)
      .def("refresh", [](mlmap::Watch& w) { check(w.refresh()); })
      .def("last_error", &mlmap::Watch::last_error);
  py::class_<mlmap::Store>(mod, "Store")
      .def(py::init([](const std::string& dir, bool create) {
             auto s = mlmap::Store::open(dir, create);
             if (!s) raise(s.error());
             return std::move(*s);
           }),
           py::arg("dir"), py::arg("create") = true)
      .def_property_readonly("dir", &mlmap::Store::dir)
      .def(
          "publish",
          [version_dict](mlmap::Store& s, const std::string& name, const std::string& file, bool move) {
            mlmap::Result<mlmap::PublishResult> r = mlmap::Error();
            {
              py::gil_scoped_release release;
              r = s.publish(name, file, move);
            }
            if (!r) raise(r.error());
            py::dict d = version_dict(r->version);
            d["created"] = r->created;
            d["previous"] = r->previous;
            return d;
          },
          py::arg("name"), py::arg("file"), py::arg("move") = false)
      .def("versions",
           [version_dict](const mlmap::Store& s, const std::string& name) {
             auto r = s.versions(name);
             if (!r) raise(r.error());
             py::list out;
             for (const auto& v : *r) out.append(version_dict(v));
             return out;
           })
      .def("names",
           [](const mlmap::Store& s) {
             auto r = s.names();
             if (!r) raise(r.error());
             return *r;
           })
      .def("current",
           [version_dict](const mlmap::Store& s, const std::string& name) {
             auto r = s.current(name);
             if (!r) raise(r.error());
             return version_dict(*r);
           })
      .def("rollback", [](mlmap::Store& s, const std::string& name, uint64_t v) { check(s.rollback(name, v)); })
      .def("gc",
           [](mlmap::Store& s, uint64_t keep) {
             auto r = s.gc(keep);
             if (!r) raise(r.error());
             py::dict d;
             d["removed_versions"] = r->removed_versions;
             d["removed_bytes"] = r->removed_bytes;
             d["removed_temporaries"] = r->removed_temporaries;
             return d;
           })
      .def(
          "load",
          [](const mlmap::Store& s, const std::string& name, uint64_t version, bool verify, bool copy) {
            mlmap::OpenOptions o;
            o.verify = verify;
            o.copy = copy;
            mlmap::Result<mlmap::Model> r = mlmap::Error();
            {
              py::gil_scoped_release release;
              r = s.load(name, version, o);
            }
            if (!r) raise(r.error());
            return std::move(*r);
          },
          py::arg("name"), py::arg("version") = 0, py::arg("verify") = false, py::arg("copy") = false)
      .def(
          "watch",
          [](const mlmap::Store& s, const std::string& name, int poll_ms) {
            auto r = s.watch(name, poll_ms);
            if (!r) raise(r.error());
            return *r;
          },
          py::arg("name"), py::arg("poll_ms") = 100);

  mod.def("active_kernel", [] { return std::string(mlmap::active_kernel()); },
          "The prediction kernel in use: scalar, sse4_2, avx2 or avx512bw.");
  mod.def("available_kernels", &mlmap::available_kernels, "The kernels this CPU can run.");
  mod.def(
      "use_kernel", [](const std::string& name) { check(mlmap::use_kernel(name)); }, py::arg("name"),
      "Switch every later prediction in this process to a kernel (tests, benchmarks).");

  mod.def("convert_xgboost_json", &convert_xgboost_json, py::arg("data"), py::arg("path"),
          py::arg("options") = py::dict());
}
