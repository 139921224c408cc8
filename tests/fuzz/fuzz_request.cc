// Fuzz target: the server's request handling without the network — JSON
// (KServe v1, rows as arrays or objects) and CSV bodies, decoded and
// predicted by a numeric model with missing values and categorical splits,
// and by a model whose preprocessing reads a string column (the Table path).
// The first input byte picks the model, content type and query.
#include <memory>
#include <string>
#include <vector>

#include "../unit/support.hpp"
#include "fuzz_target.hpp"
#include "mlmap/mlmap.hpp"
#include "service.hpp"

namespace {

// A string column 'city' one-hot encoded next to two numeric ones.
mlmap::Status save_string_model(const std::string& path) {
  mlmap::PreprocessingSpec p;
  p.string_inputs = {true, false, false};
  mlmap::OpSpec onehot;
  onehot.kind = mlmap::OpSpec::Kind::one_hot;
  onehot.inputs = {0};
  onehot.string_inputs = true;
  onehot.out_begin = 3;
  onehot.n_out = 3;
  onehot.category_counts = {3};
  onehot.string_categories = {"Berlin", "Lyon", "Paris"};
  onehot.missing_category = {-1};
  onehot.unknown = mlmap::OpSpec::Unknown::error;
  p.ops = {onehot};
  p.n_slots = 6;
  p.n_string_slots = 3;
  p.features = {1, 2, 3, 4, 5};
  mlmap::DenseLayerSpec L;
  L.n_in = 5;
  L.n_out = 1;
  L.weights = {0.5, -1, 2, 0, -2};
  L.bias = {0.1};
  mlmap::DenseNetworkSpec net;
  net.layers = {L};
  mlmap::ModelDescription d;
  d.estimator = "fuzz.StringModel";
  d.task = mlmap::Task::classification;
  d.n_features = 3;
  d.n_outputs = 2;
  d.feature_names = {"city", "a", "b"};
  d.classes.kind = mlmap::ClassLabels::Kind::strings;
  d.classes.strings = {"no", "yes"};
  d.link = mlmap::LinkFunction::logistic;
  d.class_decision = mlmap::ClassDecision::argmax_raw;
  return mlmap::save(path, d, net, &p);
}

struct Fixture {
  test::TempDir dir;
  std::vector<std::unique_ptr<mlmap::server::Service>> services;

  Fixture() {
    auto store = mlmap::Store::open(dir.file("store"));
    if (!store) return;
    const auto numeric = dir.file("numeric.mlmap"), strings = dir.file("strings.mlmap");
    if (!test::save_sample(numeric, test::Sample::boosted_multiclass, 4) || !save_string_model(strings)) return;
    if (!store->publish("numeric", numeric) || !store->publish("strings", strings)) return;
    for (const char* name : {"numeric", "strings"}) {
      auto watch = store->watch(name, 1000);
      if (!watch) return;
      mlmap::server::ServiceOptions o;
      o.limits.max_rows = 64;
      std::vector<mlmap::server::Served> served{{name, *watch}};
      services.push_back(std::make_unique<mlmap::server::Service>(std::move(served), o));
    }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& f = fixture();
  if (f.services.size() != 2) __builtin_trap();  // the fixture itself failed: a bug, not a finding
  if (size == 0) return 0;
  const uint8_t how = data[0];
  auto& service = *f.services[how & 1];
  const char* type = (how & 2) ? "text/csv" : "application/json";
  // Bit 6: the Open Inference Protocol's infer route instead of v1's.
  const char* target = (how & 64) ? ((how & 1) ? "/v2/models/strings/infer" : "/v2/models/numeric/infer")
                       : (how & 4) ? "/predict?proba=1"
                                   : "/predict";
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)service.handle("POST", target, type, body);
  if (how & 8) {
    std::string empty;
    (void)service.handle((how & 16) ? "GET" : "PUT", (how & 32) ? "/model" : "/health", "", empty);
  }
  return 0;
}

std::vector<std::string> fuzz_seeds() {
  return {
      std::string("\x00", 1) + R"({"instances": [[1, 2, 3, 4, 5, 6], [null, "NaN", 0.5, -1e300, 7, 8]]})",
      std::string("\x04", 1) + R"({"instances": [{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}]})",
      std::string("\x02", 1) + "a,b,c,d,e,f\n1,2,3,4,5,6\n,NA,nan,1,2,3\n",
      std::string("\x01", 1) + R"({"instances": [{"city": "Lyon", "a": 1, "b": 2}, {"city": null, "a": 0, "b": 0}]})",
      std::string("\x03", 1) + "b,city,a\n1,Paris,2\n3,Rome,4\n",
      std::string("\x05", 1) + R"({"instances": [["Berlin", 1, 2]]})",
      std::string("\x08", 1) + R"({"instances": []})",
      std::string("\x00", 1) + R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
      std::string("\x40", 1) +
          R"({"id": "1", "inputs": [{"name": "x", "shape": [2, 6], "datatype": "FP32", "data": [[1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, null]]}]})",
      std::string("\x41", 1) +
          R"({"inputs": [{"data": ["Lyon", null], "name": "city", "shape": [2], "datatype": "BYTES"}, )"
          R"({"name": "a", "shape": [2, 1], "datatype": "INT64", "data": [1, 2]}, {"name": "b", "shape": [2], "datatype": "BOOL", "data": [true, false]}],)"
          R"( "outputs": [{"name": "probabilities"}]})",
  };
}
