// The enums' name tables (mlmap/info.hpp), ModelInfo's enum fields and its
// one JSON serialisation, and the JSON writer under it.
#include <doctest/doctest.h>

#include <limits>
#include <set>
#include <string>

#include "support.hpp"

using namespace mlmap;

namespace {

// Every value of E round-trips through its name, names are distinct, and an
// unknown name leaves the output alone.
template <class E>
void check_table() {
  std::set<std::string> names;
  for (const auto& e : EnumNames<E>::table) {
    CHECK(names.insert(e.name).second);
    E parsed = EnumNames<E>::table[0].value;
    CHECK(parse_enum(e.name, parsed));
    CHECK(parsed == e.value);
    CHECK(std::string(enum_name(e.value)) == e.name);
  }
  E untouched = EnumNames<E>::table[0].value;
  CHECK_FALSE(parse_enum("no such name", untouched));
  CHECK(untouched == EnumNames<E>::table[0].value);
  CHECK(enum_name_list<E>().find(EnumNames<E>::table[0].name) == 0);
}

}  // namespace

TEST_CASE("every enum has one table of distinct names that round-trips") {
  check_table<Task>();
  check_table<LinkFunction>();
  check_table<ClassDecision>();
  check_table<PredictorKind>();
  check_table<Aggregation>();
  check_table<Activation>();
  check_table<OpKind>();
  check_table<Norm>();
  check_table<UnknownCategory>();
  check_table<DType>();
  check_table<SplitRule>();
  check_table<ThresholdType>();
  check_table<Output>();
  check_table<TreeAlgorithm>();
  CHECK(std::string(task_name(Task::ranking)) == "ranking");
  CHECK(std::string(enum_name(static_cast<LinkFunction>(99))) == "unknown");
  CHECK(enum_name_list<Norm>() == "l2, l1, max");
  // The old nested names still compile (source compatibility).
  CHECK(OpSpec::Kind::one_hot == OpKind::one_hot);
  CHECK(OpSpec::Unknown::use_value == UnknownCategory::use_value);
}

TEST_CASE("ModelInfo carries enums; its name fields agree with the tables") {
  test::TempDir dir;
  for (auto kind : {test::Sample::forest_classifier, test::Sample::boosted_binary, test::Sample::boosted_multiclass}) {
    const auto path = dir.file("m.mlmap");
    REQUIRE(test::save_sample(path, kind).ok());
    auto m = Model::open(path);
    REQUIRE_MESSAGE(m.ok(), m.message());
    const ModelInfo& i = m->info();
    CHECK(i.predictor_kind == PredictorKind::tree_ensemble);
    CHECK(i.predictor == enum_name(i.predictor_kind));
    CHECK(i.link == enum_name(i.link_function));
    CHECK(i.class_decision == enum_name(i.decision));
  }
  const auto path = dir.file("b.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::boosted_binary).ok());
  auto m = Model::open(path);
  REQUIRE(m.ok());
  CHECK(m->info().link_function == LinkFunction::logistic);
}

TEST_CASE("to_json is ModelInfo's one serialisation") {
  test::TempDir dir;
  const auto path = dir.file("forest.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::forest_classifier).ok());
  auto m = Model::open(path);
  REQUIRE(m.ok());
  const std::string pretty = to_json(m->info());
  const std::string line = to_json(m->info(), 0);
  CHECK(line.find('\n') == std::string::npos);
  for (const char* member : {"\"predictor\": \"tree_ensemble\"", "\"link\": \"identity\"", "\"task\": \"classification\"",
                             "\"classes\": [-1, 4, 9]", "\"link_scale\": 1.0", "\"class_decision\": \"argmax_outputs\"",
                             "\"string_columns\": []"})
    CHECK_MESSAGE(line.find(member) != std::string::npos, member);
  CHECK(pretty.find("\n  \"trees\": {\n    \"n_trees\": 12,") != std::string::npos);
  // Members can be embedded in an object of the caller's.
  std::string out;
  JsonWriter j(out, 0);
  j.begin_object();
  j.member("name", "x");
  write_json_members(j, m->info());
  j.end_object();
  CHECK(out == "{\"name\": \"x\", " + line.substr(1));
}

TEST_CASE("JsonWriter: floats read back as floats, strings are always valid JSON") {
  std::string out;
  JsonWriter j(out, 0);
  j.begin_array();
  for (double v : {1.0, 0.1, -0.0, 1e16, 1e-7, 123456789.0}) j.number(v);
  j.number(std::numeric_limits<double>::quiet_NaN());
  j.integer(-3);
  j.uinteger(7);
  j.boolean(true);
  j.null();
  j.string("a\"b\\\n\x01\xff");
  j.end_array();
  CHECK(out == "[1.0, 0.1, -0.0, 1e+16, 1e-07, 123456789.0, null, -3, 7, true, null, \"a\\\"b\\\\\\n\\u0001\\ufffd\"]");
}
