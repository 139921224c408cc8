// Writing files from Python: TreeEnsembleBuilder (trees in node-list form),
// save_trees and save_dense (a description, the predictor and an optional
// preprocessing program, given as the dicts mlmap/_sklearn*.py build), and
// convert_xgboost_json.  numpy arrays reach the C++ writer without copies
// when they are already int64 / float64 and C-contiguous (sklearn's tree
// arrays are).
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "binding.hpp"

namespace mlmap::python {

namespace {

ModelDescription parse_description(const py::dict& d) {
  ModelDescription desc;
  desc.estimator = d["estimator"].cast<std::string>();
  desc.task = parse_name<Task>("task", d["task"].cast<std::string>());
  desc.n_features = d["n_features"].cast<size_t>();
  desc.n_outputs = d["n_outputs"].cast<size_t>();
  desc.feature_names = vec<std::string>(d, "feature_names");
  if (has(d, "classes")) desc.classes = parse_classes(d["classes"]);
  read_name(d, "link", desc.link);
  if (d.contains("link_scale")) desc.link_scale = d["link_scale"].cast<double>();
  read_name(d, "class_decision", desc.class_decision);
  read_name(d, "decision_function", desc.decision_function);
  if (has(d, "decision_offset")) desc.decision_offset = d["decision_offset"].cast<double>();
  if (has(d, "decision_features")) desc.decision_features = d["decision_features"].cast<uint32_t>();
  desc.prob_a = vec<double>(d, "prob_a");
  desc.prob_b = vec<double>(d, "prob_b");
  desc.output_groups = vec<uint32_t>(d, "output_groups");
  desc.base_score = vec<double>(d, "base_score");
  desc.refuses_infinity = vec<bool>(d, "refuses_infinity");
  if (has(d, "provenance")) desc.provenance = parse_provenance(d["provenance"].cast<py::dict>());
  if (has(d, "metadata")) desc.metadata = parse_metadata(d["metadata"].cast<py::dict>());
  return desc;
}

OpSpec parse_op(const py::dict& d) {
  OpSpec op;
  op.kind = parse_name<OpKind>("preprocessing step kind", d["kind"].cast<std::string>());
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
  if (has(d, "missing_value")) {
    op.missing_is_nan = false;
    op.missing_value = d["missing_value"].cast<double>();
  }
  op.fill_strings = vec<std::string>(d, "fill_strings");
  op.category_counts = vec<uint32_t>(d, "category_counts");
  op.numeric_categories = vec<double>(d, "numeric_categories");
  op.string_categories = vec<std::string>(d, "string_categories");
  op.category_order = vec<uint32_t>(d, "category_order");
  op.missing_category = vec<int32_t>(d, "missing_category");
  op.none_category = vec<int32_t>(d, "none_category");
  read_name(d, "string_missing", op.string_missing);
  op.drop = vec<int32_t>(d, "drop");
  read_name(d, "unknown", op.unknown);
  if (d.contains("unknown_value")) op.unknown_value = d["unknown_value"].cast<double>();
  if (d.contains("missing_encoded")) op.missing_encoded = d["missing_encoded"].cast<double>();
  op.powers = vec<uint32_t>(d, "powers");
  if (d.contains("degree")) op.degree = d["degree"].cast<uint32_t>();
  read_name(d, "extrapolation", op.extrapolation);
  if (d.contains("include_bias")) op.include_bias = d["include_bias"].cast<bool>();
  if (d.contains("missing_zeros")) op.missing_zeros = d["missing_zeros"].cast<bool>();
  read_name(d, "sub_model_output", op.sub_model_output);
  read_name(d, "function", op.function);
  if (has(d, "name")) op.name = d["name"].cast<std::string>();
  if (has(d, "columns"))
    for (auto item : d["columns"].cast<py::list>()) {
      // {"role": str, "values": array (any shape, stored row-major as Float64)}
      const py::dict c = item.cast<py::dict>();
      OpColumnSpec col;
      col.role = c["role"].cast<std::string>();
      if (c.contains("bytes")) {  // a nested model file (sub_model)
        const std::string raw = c["bytes"].cast<std::string>();
        col.bytes.assign(raw.begin(), raw.end());
        if (col.bytes.empty()) throw py::value_error("preprocessing column '" + col.role + "' is empty");
        op.columns.push_back(std::move(col));
        continue;
      }
      auto v = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(c["values"]);
      if (!v) throw py::value_error("preprocessing column '" + col.role + "' must be an array of numbers");
      col.values.assign(v.data(), v.data() + v.size());
      for (py::ssize_t k = 0; k < v.ndim(); ++k) col.shape.push_back(static_cast<uint64_t>(v.shape(k)));
      if (col.shape.empty()) col.shape.push_back(1);
      op.columns.push_back(std::move(col));
    }
  if (has(d, "text")) {
    // {"lowercase", "ngram_min", "ngram_max", "stop_words", "binary",
    //  "sublinear_tf", "norm" (None | "l2" | "l1"), "vocabulary", "idf",
    //  "alternate_sign", "strip_accents", "analyzer"}
    const py::dict t = d["text"].cast<py::dict>();
    TextSpec& x = op.text;
    x.lowercase = t["lowercase"].cast<bool>();
    x.ngram_min = t["ngram_min"].cast<uint32_t>();
    x.ngram_max = t["ngram_max"].cast<uint32_t>();
    x.stop_words = vec<std::string>(t, "stop_words");
    x.binary = t["binary"].cast<bool>();
    x.sublinear_tf = t["sublinear_tf"].cast<bool>();
    x.normalize = has(t, "norm");
    if (x.normalize) read_name(t, "norm", x.norm);
    x.vocabulary = vec<std::string>(t, "vocabulary");
    x.idf = vec<double>(t, "idf");
    if (has(t, "alternate_sign")) x.alternate_sign = t["alternate_sign"].cast<bool>();
    if (has(t, "strip_accents")) {
      const auto how = t["strip_accents"].cast<std::string>();
      if (how != "unicode" && how != "ascii") throw py::value_error("strip_accents must be 'unicode' or 'ascii'");
      x.strip_accents = how == "unicode" ? 1 : 2;
    }
    if (has(t, "analyzer")) {
      const auto how = t["analyzer"].cast<std::string>();
      if (how != "word" && how != "char" && how != "char_wb")
        throw py::value_error("analyzer must be 'word', 'char' or 'char_wb'");
      x.analyzer = how == "word" ? 0 : how == "char" ? 1 : 2;
    }
  }
  return op;
}

std::optional<PreprocessingSpec> parse_preprocessing(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  const py::dict d = o.cast<py::dict>();
  PreprocessingSpec p;
  p.string_inputs = vec<bool>(d, "string_inputs");
  p.n_slots = d["n_slots"].cast<uint32_t>();
  p.n_string_slots = d["n_string_slots"].cast<uint32_t>();
  for (auto op : d["ops"].cast<py::list>()) p.ops.push_back(parse_op(op.cast<py::dict>()));
  p.features = vec<uint32_t>(d, "features");
  return p;
}

// A layer dict: kind ("dense" | "affine" | "layer_norm"), weights (dense: 2-D
// [n_in, n_out]; others: 1-D or absent, then n_out), bias, alpha, float32,
// activation (a FORMAT.md §5.2 name) and its parameters.
DenseNetworkSpec parse_network(const py::list& layers) {
  DenseNetworkSpec net;
  for (auto item : layers) {
    const py::dict d = item.cast<py::dict>();
    DenseLayerSpec L;
    read_name(d, "kind", L.kind);
    if (L.kind == LayerKind::dense) {
      auto w = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["weights"]);
      if (!w || w.ndim() != 2) throw py::value_error("layer weights must be a 2-D array (n_in, n_out)");
      L.n_in = static_cast<size_t>(w.shape(0));
      L.n_out = static_cast<size_t>(w.shape(1));
      L.weights.assign(w.data(), w.data() + w.size());
    } else {
      L.weights = vec<double>(d, "weights");
      L.n_in = L.n_out = d["n_out"].cast<size_t>();
    }
    L.bias = vec<double>(d, "bias");
    L.alpha = vec<double>(d, "alpha");
    if (has(d, "float32")) L.float32 = d["float32"].cast<bool>();
    read_name(d, "activation", L.activation);
    auto number = [&](const char* k, double& out) {
      if (has(d, k)) out = d[k].cast<double>();
    };
    number("epsilon", L.epsilon);
    number("relu_slope", L.relu_slope);
    number("relu_threshold", L.relu_threshold);
    number("relu_max", L.relu_max);
    number("elu_alpha", L.elu_alpha);
    number("softplus_beta", L.softplus_beta);
    number("softplus_threshold", L.softplus_threshold);
    net.layers.push_back(std::move(L));
  }
  return net;
}

using I64 = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;
using F64 = py::array_t<double, py::array::c_style | py::array::forcecast>;
using U8 = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using U32 = py::array_t<uint32_t, py::array::c_style | py::array::forcecast>;

void add_tree(TreeEnsembleBuilder& b, I64 left, I64 right, I64 feature, F64 threshold, F64 values,
              std::optional<U8> missing_left, std::optional<U8> categorical, std::optional<U32> category_set,
              uint32_t output, double leaf_scale, bool normalize, std::optional<F64> cover) {
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
  TreeNodes t;
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
  if (cover) {
    need(*cover, "cover");
    t.cover = cover->data();
  }
  TreeOptions o;
  o.output = output;
  o.leaf_scale = leaf_scale;
  o.normalize_leaves = normalize;
  check(b.add_tree(t, o));
}

// The options of convert_xgboost_json / convert_lightgbm_text: estimator,
// feature_names, classes, provenance, metadata, iteration_end,
// use_best_iteration, pandas_categorical (see mlmap/importers.hpp), all optional.
ImportOptions import_options(const py::dict& options) {
  ImportOptions o;
  if (has(options, "estimator")) o.estimator = options["estimator"].cast<std::string>();
  o.feature_names = vec<std::string>(options, "feature_names");
  if (has(options, "classes")) o.classes = parse_classes(options["classes"]);
  if (has(options, "provenance")) o.provenance = parse_provenance(options["provenance"].cast<py::dict>());
  if (has(options, "metadata")) o.metadata = parse_metadata(options["metadata"].cast<py::dict>());
  if (has(options, "iteration_end")) o.iteration_end = options["iteration_end"].cast<uint64_t>();
  if (has(options, "use_best_iteration")) o.use_best_iteration = options["use_best_iteration"].cast<bool>();
  if (has(options, "pandas_categorical"))
    o.pandas_categorical_columns = options["pandas_categorical"].cast<std::vector<std::string>>();
  return o;
}

// A bytes-like argument (bytes, bytearray, memoryview of bytes), borrowed:
// `bytes` stays valid while this object (and its buffer view) lives.
struct BorrowedBytes {
  py::buffer_info info;
  std::string_view bytes;

  explicit BorrowedBytes(const py::buffer& data) : info(data.request()) {
    if (info.ndim != 1 || info.itemsize != 1) throw py::value_error("data must be bytes-like (one byte per item)");
    bytes = std::string_view(static_cast<const char*>(info.ptr), static_cast<size_t>(info.size));
  }
};

// Imports a foreign model's bytes (any buffer, e.g. Booster.save_raw("json"),
// model_to_string().encode()) with `import` and writes it to `path`, behind
// `preprocessing` when given: a program dict (see parse_preprocessing) that
// also holds "n_inputs" and "input_names" (a Pipeline's steps in front).
template <class Import>
void convert_imported(Import import, const py::buffer& data, const std::string& path, const py::dict& options,
                      const py::object& preprocessing) {
  const BorrowedBytes text(data);
  const ImportOptions o = import_options(options);
  const auto pre = parse_preprocessing(preprocessing);
  size_t n_inputs = 0;
  std::vector<std::string> input_names;
  if (pre) {
    const py::dict d = preprocessing.cast<py::dict>();
    n_inputs = d["n_inputs"].cast<size_t>();
    input_names = vec<std::string>(d, "input_names");
  }
  check(without_gil([&]() -> Status {
    auto imported = import(text.bytes, o);
    return imported ? save_imported(path, *imported, pre ? &*pre : nullptr, n_inputs, input_names)
                    : imported.status();
  }));
}

// --- stored rows: neighbours, kernel machines; naive Bayes ----------------------

// A 2-D float32 or float64 matrix, borrowed (no copy when already
// C-contiguous) for one save.
struct PyRows {
  py::array array;
  SampleRows rows;

  explicit PyRows(const py::object& o, bool float32_ok = true) {
    auto a = py::array::ensure(o);
    if (!a || a.ndim() != 2) throw py::value_error("stored rows must be a 2-D array");
    if (float32_ok && a.dtype().is(py::dtype::of<float>())) {
      auto f = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(a);
      array = f;
      rows.rows32 = f.data();
    } else {
      auto f = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
      array = f;
      rows.rows64 = f.data();
    }
    rows.n_rows = static_cast<size_t>(a.shape(0));
    rows.n_features = static_cast<size_t>(a.shape(1));
  }
};

template <class Spec>
void save_spec(const std::string& path, const Spec& spec, const py::dict& description, const py::object& preprocessing) {
  const auto desc = parse_description(description);
  const auto pre = parse_preprocessing(preprocessing);
  check(without_gil([&] { return save(path, desc, spec, pre ? &*pre : nullptr); }));
}

// save_neighbors(path, d, description, preprocessing): d holds samples (2-D
// float32/float64), n_neighbors, metric, p, weights, and labels (uint32; 2-D
// for multi-output: each output's class slot) or targets (2-D float64);
// radius neighbours (n_neighbors 0): reduced_radius and, for classifiers,
// outlier_slots (one per output).
void save_neighbors(const std::string& path, const py::dict& d, const py::dict& description,
                    const py::object& preprocessing) {
  PyRows samples(d["samples"]);
  NeighborsSpec spec;
  spec.samples = samples.rows;
  spec.n_neighbors = d["n_neighbors"].cast<size_t>();
  read_name(d, "metric", spec.metric);
  spec.p = has(d, "p") ? d["p"].cast<double>() : 2.0;
  if (has(d, "reduced_radius")) spec.reduced_radius = d["reduced_radius"].cast<double>();
  if (has(d, "outlier_slots")) spec.outlier_slots = vec<uint32_t>(d, "outlier_slots");
  read_name(d, "weights", spec.weights);
  py::array_t<uint32_t, py::array::c_style | py::array::forcecast> labels;
  py::array_t<double, py::array::c_style | py::array::forcecast> targets;
  if (d.contains("labels")) {
    labels = py::array_t<uint32_t, py::array::c_style | py::array::forcecast>::ensure(d["labels"]);
    if (!labels || labels.ndim() < 1 || labels.ndim() > 2 || static_cast<size_t>(labels.shape(0)) != spec.samples.n_rows)
      throw py::value_error("labels: one row per stored row (2-D: one column per output)");
    spec.labels = labels.data();
    spec.n_label_outputs = labels.ndim() == 2 ? static_cast<size_t>(labels.shape(1)) : 1;
  } else {
    targets = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["targets"]);
    if (!targets || targets.ndim() != 2 || static_cast<size_t>(targets.shape(0)) != spec.samples.n_rows)
      throw py::value_error("targets: a 2-D array, one row per stored row");
    spec.targets = targets.data();
    spec.n_targets = static_cast<size_t>(targets.shape(1));
  }
  save_spec(path, spec, description, preprocessing);
}

// save_kernel_machine(path, d, description, preprocessing): d holds
// support_vectors (2-D), kernel, gamma, coef0, degree, n_support (per class,
// empty for one group), dual_coef (2-D), intercept.
void save_kernel_machine(const std::string& path, const py::dict& d, const py::dict& description,
                         const py::object& preprocessing) {
  PyRows vectors(d["support_vectors"], false);
  KernelMachineSpec spec;
  spec.support_vectors = vectors.rows;
  read_name(d, "kernel", spec.kernel);
  spec.gamma = d["gamma"].cast<double>();
  spec.coef0 = d["coef0"].cast<double>();
  spec.degree = d["degree"].cast<uint32_t>();
  spec.n_support = vec<uint32_t>(d, "n_support");
  auto coef = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d["dual_coef"]);
  if (!coef) throw py::value_error("dual_coef must be numeric");
  spec.dual_coef.assign(coef.data(), coef.data() + coef.size());
  spec.intercept = vec<double>(d, "intercept");
  save_spec(path, spec, description, preprocessing);
}

// save_naive_bayes(path, d, description, preprocessing): d holds kind
// ('gaussian', 'bernoulli', 'categorical'), n_classes, n_features, bias and
// the kind's arrays (flattened row-major).
void save_naive_bayes(const std::string& path, const py::dict& d, const py::dict& description,
                      const py::object& preprocessing) {
  NaiveBayesSpec spec;
  read_name(d, "kind", spec.kind);
  spec.n_classes = d["n_classes"].cast<size_t>();
  spec.n_features = d["n_features"].cast<size_t>();
  auto flat = [&](const char* key) {
    if (!d.contains(key)) return std::vector<double>();
    auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(d[key]);
    if (!a) throw py::value_error(std::string(key) + " must be numeric");
    return std::vector<double>(a.data(), a.data() + a.size());
  };
  spec.bias = flat("bias");
  spec.theta = flat("theta");
  spec.var = flat("var");
  spec.log_norm = flat("log_norm");
  if (has(d, "threshold")) spec.threshold = d["threshold"].cast<double>();
  spec.weights = flat("weights");
  spec.category_counts = vec<uint32_t>(d, "category_counts");
  spec.log_probs = flat("log_probs");
  save_spec(path, spec, description, preprocessing);
}

}  // namespace

void bind_writer(py::module_& mod) {
  auto builder = py::class_<TreeEnsembleBuilder>(mod, "TreeEnsembleBuilder");
  builder.attr("__new__") = py::cpp_function(
      [](const py::handle&, size_t n_features, size_t leaf_width, size_t n_raw, const std::string& aggregation,
         const std::string& rule, const std::string& thresholds) {
        return TreeEnsembleBuilder(n_features, leaf_width, n_raw, parse_name<Aggregation>("aggregation", aggregation),
                                   parse_name<SplitRule>("rule", rule), parse_name<ThresholdType>("thresholds", thresholds));
      },
      py::name("__new__"), py::arg("cls"), py::arg("n_features"), py::arg("leaf_width"), py::arg("n_raw"), py::arg("aggregation"),
      py::arg("rule") = "<=", py::arg("thresholds") = "float32");
  built_in_new(builder);
  builder
      .def("add_tree", &add_tree, py::arg("left"), py::arg("right"), py::arg("feature"), py::arg("threshold"),
           py::arg("values"), py::arg("missing_left") = py::none(), py::arg("categorical") = py::none(),
           py::arg("category_set") = py::none(), py::arg("output") = 0, py::arg("leaf_scale") = 1.0,
           py::arg("normalize") = false, py::arg("cover") = py::none())
      .def("add_category_set",
           [](TreeEnsembleBuilder& b, U32 words) {
             return b.add_category_set(words.data(), static_cast<size_t>(words.size()));
           })
      .def_property_readonly("n_trees", &TreeEnsembleBuilder::n_trees)
      .def_property_readonly("n_nodes", &TreeEnsembleBuilder::n_nodes);

  mod.def(
      "save_trees",
      [](const std::string& path, const TreeEnsembleBuilder& trees, const py::dict& description,
         const py::object& preprocessing) {
        const auto desc = parse_description(description);
        const auto pre = parse_preprocessing(preprocessing);
        check(without_gil([&] { return save(path, desc, trees, pre ? &*pre : nullptr); }));
      },
      py::arg("path"), py::arg("trees"), py::arg("description"), py::arg("preprocessing") = py::none());

  mod.def(
      "save_dense",
      [](const std::string& path, const py::list& layers, const py::dict& description, const py::object& preprocessing) {
        const auto desc = parse_description(description);
        const auto net = parse_network(layers);
        const auto pre = parse_preprocessing(preprocessing);
        check(without_gil([&] { return save(path, desc, net, pre ? &*pre : nullptr); }));
      },
      py::arg("path"), py::arg("layers"), py::arg("description"), py::arg("preprocessing") = py::none());

  mod.def(
      "convert_xgboost_json",
      [](const py::buffer& data, const std::string& path, const py::dict& options, const py::object& preprocessing) {
        convert_imported(&import_xgboost_json, data, path, options, preprocessing);
      },
      py::arg("data"), py::arg("path"), py::arg("options") = py::dict(), py::arg("preprocessing") = py::none());
  mod.def(
      "convert_lightgbm_text",
      [](const py::buffer& data, const std::string& path, const py::dict& options, const py::object& preprocessing) {
        convert_imported(&import_lightgbm_text, data, path, options, preprocessing);
      },
      py::arg("data"), py::arg("path"), py::arg("options") = py::dict(), py::arg("preprocessing") = py::none());
  // The bytes of a Keras .keras or .h5 file to an mlmap file (the C++
  // importer: one mapping for files and live models).
  mod.def(
      "convert_keras",
      [](const py::buffer& data, const std::string& path, const py::dict& options) {
        const BorrowedBytes file(data);
        const ImportOptions o = import_options(options);
        check(without_gil([&] { return mlmap::convert_keras(file.bytes, path, o); }));
      },
      py::arg("data"), py::arg("path"), py::arg("options") = py::dict());

  mod.def("save_neighbors", &save_neighbors, py::arg("path"), py::arg("spec"), py::arg("description"),
          py::arg("preprocessing") = py::none());
  mod.def("save_kernel_machine", &save_kernel_machine, py::arg("path"), py::arg("spec"), py::arg("description"),
          py::arg("preprocessing") = py::none());
  mod.def("save_naive_bayes", &save_naive_bayes, py::arg("path"), py::arg("spec"), py::arg("description"),
          py::arg("preprocessing") = py::none());
}

}  // namespace mlmap::python
