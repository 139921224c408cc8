#include "importers/keras_model.hpp"

#include <map>
#include <new>
#include <regex>
#include <set>

namespace mlmap::importers::keras {

namespace dom = simdjson::dom;

namespace {

constexpr size_t max_json_depth = 64;
constexpr size_t max_layers = 4096;

Error failed(const std::string& what) { return Error(error_code::import_failed, "Keras model config: " + what); }
Error unsupported(const std::string& what) { return Error(error_code::unsupported_model, "Keras model: " + what); }

std::string clip(std::string_view s, size_t max = 64) {
  std::string out;
  for (char c : s.substr(0, max)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return s.size() > max ? out + "..." : out;
}

bool get(dom::element e, const char* key, dom::element& out) { return e.type() == dom::element_type::OBJECT && !e[key].get(out); }

bool get_string(dom::element e, const char* key, std::string& out) {
  dom::element v;
  std::string_view s;
  if (!get(e, key, v) || v.get_string().get(s)) return false;
  out.assign(s);
  return true;
}

// [null, d1, d2, ...] (batch first) -> {d1, d2, ...}.
Result<std::vector<uint64_t>> batch_shape(dom::element v, const std::string& what) {
  dom::array a;
  if (v.get_array().get(a) || a.size() < 2 || a.size() > 8)
    return failed(what + " is not a list [batch, d1, ...] of 2 to 8 entries");
  std::vector<uint64_t> dims;
  bool first = true;
  for (dom::element d : a) {
    if (first) {
      first = false;
      continue;
    }
    int64_t n = 0;
    if (d.get_int64().get(n) || n < 1 || n > (int64_t{1} << 30))
      return unsupported(what + " has a dimension that is not a fixed positive size (mlmap needs fixed-size inputs)");
    dims.push_back(static_cast<uint64_t>(n));
  }
  return dims;
}

Result<std::string> layer_name(dom::element entry, dom::element config, size_t index) {
  std::string name;
  if (!get_string(config, "name", name) && !get_string(entry, "name", name))
    return failed("layer " + std::to_string(index) + " has no name");
  if (name.empty() || name.size() > 1024) return failed("layer " + std::to_string(index) + " has an empty or overlong name");
  return name;
}

// The input shape of a Sequential model without an InputLayer.
std::vector<uint64_t> sequential_input_shape(dom::element model, dom::element config, dom::array layers) {
  dom::element v, bc;
  for (const char* key : {"build_input_shape"})
    if (get(config, key, v))
      if (auto s = batch_shape(v, key)) return *s;
  if (get(model, "build_config", bc) && get(bc, "input_shape", v))
    if (auto s = batch_shape(v, "build_config")) return *s;
  for (dom::element first : layers) {
    dom::element c;
    if (get(first, "config", c)) {
      for (const char* key : {"batch_input_shape", "batch_shape"})
        if (get(c, key, v))
          if (auto s = batch_shape(v, key)) return *s;
    }
    if (get(first, "build_config", bc) && get(bc, "input_shape", v))
      if (auto s = batch_shape(v, "build_config")) return *s;
    break;
  }
  return {};
}

// The one layer feeding `entry` (a Functional layer), from Keras 3's
// {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history":
// [name, 0, 0]}}], "kwargs": {...}} or Keras 2's [[[name, 0, 0, {}]]].
Result<std::string> inbound(dom::element entry, const std::string& who) {
  dom::element nodes_v;
  dom::array nodes;
  if (!get(entry, "inbound_nodes", nodes_v) || nodes_v.get_array().get(nodes))
    return failed(who + " has no inbound_nodes list");
  if (nodes.size() != 1)
    return unsupported(who + " is called " + std::to_string(nodes.size()) +
                       " times in the graph; mlmap imports a chain where each layer is called once");
  dom::element node = nodes.at(0).value_unsafe();
  dom::array args;
  dom::element history;
  dom::element tensor;
  if (node.type() == dom::element_type::OBJECT) {
    dom::element args_v, kwargs_v, cfg;
    if (!get(node, "args", args_v) || args_v.get_array().get(args) || args.size() != 1)
      return unsupported(who + " takes other than one input tensor: not a chain");
    tensor = args.at(0).value_unsafe();
    std::string cls;
    if (!get_string(tensor, "class_name", cls) || cls != "__keras_tensor__" || !get(tensor, "config", cfg) ||
        !get(cfg, "keras_history", history))
      return unsupported(who + "'s input is not a single Keras tensor: not a chain");
    if (get(node, "kwargs", kwargs_v) && kwargs_v.type() == dom::element_type::OBJECT) {
      for (auto field : dom::object(kwargs_v)) {
        std::string kc;
        if (get_string(field.value, "class_name", kc) && kc == "__keras_tensor__")
          return unsupported(who + " takes a second tensor (argument '" + clip(field.key) + "'): not a chain");
      }
    }
  } else {
    dom::array tensors;
    if (node.get_array().get(tensors) || tensors.size() != 1)
      return unsupported(who + " takes other than one input tensor: not a chain");
    history = tensors.at(0).value_unsafe();
  }
  dom::array h;
  std::string_view name;
  int64_t node_index = -1, tensor_index = -1;
  if (history.get_array().get(h) || h.size() < 3 || h.at(0).get_string().get(name) ||
      h.at(1).get_int64().get(node_index) || h.at(2).get_int64().get(tensor_index))
    return failed(who + " has a malformed inbound node");
  if (node_index != 0 || tensor_index != 0)
    return unsupported(who + " reads output " + std::to_string(tensor_index) + " of call " + std::to_string(node_index) +
                       " of '" + clip(name) + "': not a chain");
  return std::string(name);
}

// [[name, 0, 0]] or [name, 0, 0]: the one endpoint's layer name.
Result<std::string> endpoint(dom::element config, const char* key) {
  dom::element v;
  dom::array a;
  if (!get(config, key, v) || v.get_array().get(a) || a.size() == 0) return failed("no " + std::string(key));
  dom::element first = a.at(0).value_unsafe();
  std::string_view name;
  if (!first.get_string().get(name)) return std::string(name);
  dom::array inner;
  if (a.size() != 1)
    return unsupported(std::string(key) + " lists " + std::to_string(a.size()) + " tensors; mlmap imports one input and one output");
  if (first.get_array().get(inner) || inner.size() < 1 || inner.at(0).get_string().get(name))
    return failed("malformed " + std::string(key));
  return std::string(name);
}

struct Entry {
  dom::element entry, config;
  std::string class_name, name;
};

Result<Entry> read_entry(dom::element e, size_t index) {
  Entry out;
  out.entry = e;
  if (!get_string(e, "class_name", out.class_name) || out.class_name.empty() || out.class_name.size() > 200)
    return failed("layer " + std::to_string(index) + " has no class_name");
  if (!get(e, "config", out.config) || out.config.type() != dom::element_type::OBJECT)
    return failed("layer " + std::to_string(index) + " (" + clip(out.class_name) + ") has no config object");
  auto name = layer_name(e, out.config, index);
  if (!name) return name.error();
  out.name = std::move(*name);
  return out;
}

Result<std::vector<uint64_t>> input_layer_shape(const Entry& e) {
  dom::element v;
  for (const char* key : {"batch_shape", "batch_input_shape"})
    if (get(e.config, key, v)) return batch_shape(v, "InputLayer '" + clip(e.name) + "' " + key);
  return failed("InputLayer '" + clip(e.name) + "' has no batch_shape");
}

}  // namespace

std::string Layer::describe() const { return "layer '" + clip(name) + "' (" + clip(class_name) + ")"; }

std::string to_snake_case(std::string_view class_name) {
  std::string s;
  for (char c : class_name)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') s += c;
  s = std::regex_replace(s, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

Result<ModelConfig> ModelConfig::parse(std::string_view json, bool keras_v3) noexcept {
  try {
    ModelConfig mc;
    mc.parser_ = std::make_unique<dom::parser>();
    if (mc.parser_->allocate(json.size() + 64, max_json_depth)) return failed("cannot allocate a JSON parser");
    dom::element root;
    if (auto err = mc.parser_->parse(json.data(), json.size()).get(root))
      return failed(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
    std::string model_class;
    dom::element config;
    if (!get_string(root, "class_name", model_class) || !get(root, "config", config) ||
        config.type() != dom::element_type::OBJECT)
      return failed("no class_name and config at the top level");
    mc.chain_ = std::make_unique<Chain>();
    Chain& chain = *mc.chain_;
    chain.model_class = clip(model_class, 200);
    get_string(config, "name", chain.model_name);
    dom::element layers_v;
    dom::array layers;
    if (!get(config, "layers", layers_v) || layers_v.get_array().get(layers))
      return unsupported("a " + chain.model_class +
                         " model without a layers list (a subclassed model's call() is code, which a model file cannot hold)");
    if (layers.size() > max_layers) return failed("more than " + std::to_string(max_layers) + " layers");
    std::vector<Entry> entries;
    for (dom::element e : layers) {
      auto entry = read_entry(e, entries.size());
      if (!entry) return entry.error();
      entries.push_back(std::move(*entry));
    }
    const bool sequential = model_class == "Sequential";
    const bool functional = model_class == "Functional" || model_class == "Model";
    if (!sequential && !functional)
      return unsupported("model class '" + chain.model_class + "' (mlmap imports Sequential and Functional models)");

    std::vector<const Entry*> order;  // the chain, InputLayer first where there is one
    if (sequential) {
      for (const auto& e : entries) order.push_back(&e);
      if (!entries.empty() && entries[0].class_name != "InputLayer")
        chain.input_shape = sequential_input_shape(root, config, layers);
    } else {
      std::map<std::string, size_t> by_name;
      for (size_t i = 0; i < entries.size(); ++i)
        if (!by_name.emplace(entries[i].name, i).second) return failed("two layers are named '" + clip(entries[i].name) + "'");
      auto in = endpoint(config, "input_layers");
      if (!in) return in.error();
      auto out = endpoint(config, "output_layers");
      if (!out) return out.error();
      std::string at = *out;
      std::vector<const Entry*> backwards;
      while (true) {
        auto it = by_name.find(at);
        if (it == by_name.end()) return failed("the graph names a layer '" + clip(at) + "' that is not in the layers list");
        const Entry& e = entries[it->second];
        backwards.push_back(&e);
        if (backwards.size() > entries.size()) return failed("the graph has a cycle");
        if (at == *in) break;
        if (e.class_name == "InputLayer")
          return unsupported("the output does not depend on the model's input '" + clip(*in) + "' alone: not a chain");
        auto prev = inbound(e.entry, "layer '" + clip(e.name) + "' (" + clip(e.class_name) + ")");
        if (!prev) return prev.error();
        at = *prev;
      }
      if (backwards.size() != entries.size()) {
        std::set<const Entry*> on_chain(backwards.begin(), backwards.end());
        for (const auto& e : entries)
          if (!on_chain.count(&e))
            return unsupported("layer '" + clip(e.name) + "' (" + clip(e.class_name) +
                               ") is not on the path from the input to the output: mlmap imports models that are a chain");
      }
      order.assign(backwards.rbegin(), backwards.rend());
    }

    // Keras 3 saves a model's layers under layers/<snake_case(class)>[_N],
    // numbered per class name in the order of model.layers: the config's
    // order, which for a Sequential model leaves out the InputLayer.
    std::map<const Entry*, std::string> saved_as;
    std::map<std::string, int> used;
    for (const auto& e : entries) {
      if (sequential && e.class_name == "InputLayer") continue;
      std::string base = to_snake_case(e.class_name);
      auto [it, fresh] = used.emplace(base, 0);
      if (!fresh) base += "_" + std::to_string(++it->second);
      saved_as[&e] = "layers/" + base;
    }
    for (const Entry* e : order) {
      if (e->class_name == "InputLayer") {
        if (e != order.front()) return unsupported("an InputLayer '" + clip(e->name) + "' in the middle of the model");
        auto shape = input_layer_shape(*e);
        if (!shape) return shape.error();
        chain.input_shape = std::move(*shape);
        continue;
      }
      Layer L;
      L.class_name = clip(e->class_name, 200);
      L.name = e->name;
      L.config = e->config;
      if (keras_v3) {
        L.weights_group = saved_as[e];
      } else {
        L.weights_group = "model_weights/" + e->name;
      }
      chain.layers.push_back(std::move(L));
    }
    return mc;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading a Keras model config");
  } catch (const std::exception& e) {  // std::regex
    return failed(std::string("cannot read it: ") + e.what());
  }
}

// --- typed field reads --------------------------------------------------------

namespace {

Error bad_field(const Layer& L, const char* key, const char* expected) {
  return failed(L.describe() + ": config field '" + key + "' is not " + expected);
}

// A field of type T (double, int64_t, bool): nullopt when absent or null.
template <class T>
Result<std::optional<T>> field(const Layer& L, const char* key, const char* expected) noexcept {
  dom::element v;
  if (!get(L.config, key, v) || v.is_null()) return std::optional<T>();
  T x{};
  if (v.get<T>().get(x)) return bad_field(L, key, expected);
  return std::optional<T>(x);
}

template <class T>
Result<T> field_or(const Layer& L, const char* key, T fallback, const char* expected) noexcept {
  auto f = field<T>(L, key, expected);
  if (!f) return f.error();
  return f->value_or(fallback);
}

}  // namespace

Result<double> number(const Layer& L, const char* key, double fallback) noexcept {
  return field_or<double>(L, key, fallback, "a number");
}

Result<std::optional<double>> optional_number(const Layer& L, const char* key) noexcept {
  return field<double>(L, key, "a number or null");
}

Result<bool> boolean(const Layer& L, const char* key, bool fallback) noexcept {
  return field_or<bool>(L, key, fallback, "true or false");
}

Result<int64_t> integer(const Layer& L, const char* key, int64_t fallback) noexcept {
  return field_or<int64_t>(L, key, fallback, "an integer");
}

Result<std::optional<std::vector<double>>> numbers(const Layer& L, const char* key) noexcept {
  try {
    dom::element v;
    if (!get(L.config, key, v) || v.is_null()) return std::optional<std::vector<double>>();
    std::vector<double> out;
    // Nested lists, depth-first, at most a million numbers.
    auto visit = [&](auto& self, dom::element e, int depth) -> bool {
      if (depth > 8 || out.size() > (1u << 20)) return false;
      dom::array a;
      if (!e.get_array().get(a)) {
        for (dom::element c : a)
          if (!self(self, c, depth + 1)) return false;
        return true;
      }
      double d = 0;
      if (e.get_double().get(d)) return false;
      out.push_back(d);
      return true;
    };
    if (!visit(visit, v, 0)) return bad_field(L, key, "a number or a list of numbers");
    return std::optional<std::vector<double>>(std::move(out));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading a Keras layer config");
  }
}

Result<std::string> text(const Layer& L, const char* key, const char* fallback) noexcept {
  try {
    dom::element v;
    if (!get(L.config, key, v) || v.is_null()) return std::string(fallback);
    std::string_view s;
    if (v.get_string().get(s)) return bad_field(L, key, "a string");
    return clip(s, 200);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading a Keras layer config");
  }
}

Result<std::optional<int64_t>> single_axis(const Layer& L, const char* key, int64_t fallback) noexcept {
  dom::element v;
  if (!get(L.config, key, v)) return std::optional<int64_t>(fallback);
  if (v.is_null()) return std::optional<int64_t>();
  int64_t i = 0;
  if (!v.get_int64().get(i)) return std::optional<int64_t>(i);
  dom::array a;
  if (!v.get_array().get(a) && a.size() == 1 && !a.at(0).get_int64().get(i)) return std::optional<int64_t>(i);
  try {
    return unsupported(L.describe() + ": its " + key + " is " + clip(simdjson::minify(v), 60) +
                       ", not one axis (mlmap imports layers over the feature axis)");
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory describing a Keras layer's axis");
  }
}

Result<std::string> activation_name(const Layer& L, const char* key) noexcept {
  try {
    dom::element v;
    if (!get(L.config, key, v) || v.is_null()) return std::string("linear");
    std::string_view s;
    if (!v.get_string().get(s)) return clip(s, 100);
    dom::element c;
    std::string cls;
    if (get(v, "config", c) && !c.get_string().get(s)) {
      get_string(v, "class_name", cls);
      if (cls == "function" || cls.empty()) return clip(s, 100);
    }
    if (get_string(v, "class_name", cls))
      return unsupported(L.describe() + ": activation object '" + clip(cls) + "' (a custom activation is code)");
    return bad_field(L, key, "an activation name");
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading a Keras layer config");
  }
}

Result<std::string> dtype_policy(const Layer& L) noexcept {
  try {
    dom::element v, c;
    if (!get(L.config, "dtype", v) || v.is_null()) return std::string();
    std::string_view s;
    if (!v.get_string().get(s)) return clip(s, 100);
    std::string cls, name;
    get_string(v, "class_name", cls);
    if (get(v, "config", c) && get_string(c, "name", name)) {
      if (cls.find("Quantized") != std::string::npos) return "quantized " + clip(name, 100);
      return clip(name, 100);
    }
    return bad_field(L, "dtype", "a dtype policy");
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading a Keras layer config");
  }
}

bool is_set(const Layer& L, const char* key) noexcept {
  dom::element v;
  if (!get(L.config, key, v) || v.is_null()) return false;
  bool b = false;
  if (!v.get_bool().get(b)) return b;
  int64_t i = 0;
  if (!v.get_int64().get(i)) return i != 0;
  return true;
}

}  // namespace mlmap::importers::keras
