#include <doctest/doctest.h>

#include <sys/stat.h>

#include "support.hpp"

using namespace mlmap;

namespace {

test::NodeList chain(size_t depth) {
  // A left-leaning chain: node 2k splits, 2k+1 is a leaf, 2k+2 the next split.
  test::NodeList t;
  for (size_t k = 0; k < depth; ++k) {
    t.left.push_back(static_cast<int64_t>(2 * k + 1));
    t.right.push_back(static_cast<int64_t>(2 * k + 2));
    t.feature.push_back(0);
    t.threshold.push_back(static_cast<double>(k));
    t.values.push_back(0);
    t.left.push_back(-1);
    t.right.push_back(-1);
    t.feature.push_back(-2);
    t.threshold.push_back(-2);
    t.values.push_back(static_cast<double>(k));
  }
  t.left.push_back(-1);
  t.right.push_back(-1);
  t.feature.push_back(-2);
  t.threshold.push_back(-2);
  t.values.push_back(-1);
  return t;
}

}  // namespace

TEST_CASE("the builder refuses malformed source trees") {
  TreeEnsembleBuilder b(3, 1, 1, Aggregation::sum);
  test::NodeList good = chain(3);
  REQUIRE(b.add_tree(good.view()).ok());

  SUBCASE("a cycle") {
    auto t = chain(3);
    t.right[2] = 0;
    auto st = b.add_tree(t.view());
    CHECK(st.code() == error_code::invalid_argument);
    CHECK(st.message().find("reached twice") != std::string::npos);
  }
  SUBCASE("a child out of range") {
    auto t = chain(3);
    t.left[0] = 99;
    CHECK(b.add_tree(t.view()).code() == error_code::invalid_argument);
  }
  SUBCASE("a feature out of range") {
    auto t = chain(3);
    t.feature[0] = 3;
    CHECK(b.add_tree(t.view()).message().find("feature 3") != std::string::npos);
  }
  SUBCASE("a NaN threshold") {
    auto t = chain(3);
    t.threshold[2] = std::nan("");
    CHECK(b.add_tree(t.view()).code() == error_code::invalid_argument);
  }
  SUBCASE("a non-finite leaf") {
    auto t = chain(3);
    t.values[1] = INFINITY;
    CHECK(b.add_tree(t.view()).code() == error_code::invalid_argument);
  }
  SUBCASE("an output slot past the raw scores") {
    TreeOptions o;
    o.output = 1;
    CHECK(b.add_tree(good.view(), o).code() == error_code::invalid_argument);
  }
  SUBCASE("a tree deeper than the limit") {
    auto t = chain(1100);
    CHECK(b.add_tree(t.view()).code() == error_code::limit_exceeded);
  }
  // Nothing of a refused tree stays behind.
  CHECK(b.n_trees() == 1);
  CHECK(b.n_nodes() == 7);
}

TEST_CASE("deep chains within the limit work") {
  test::TempDir dir;
  TreeEnsembleBuilder b(1, 1, 1, Aggregation::sum);
  auto t = chain(1000);
  REQUIRE(b.add_tree(t.view()).ok());
  ModelDescription d;
  d.estimator = "test.Chain";
  d.n_features = 1;
  d.n_outputs = 1;
  REQUIRE(save(dir.file("c"), d, b).ok());
  auto m = Model::open(dir.file("c"), {true, false});
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->info().trees.max_depth == 1000);
  for (float x : {-5.f, 0.f, 0.5f, 500.f, 998.5f, 999.f, 5000.f}) {
    float out;
    REQUIRE(m->predict(&x, 1, &out).ok());
    // x <= 0 stops at the first leaf (0); x in (k-1, k] at leaf k; past 999 the last leaf.
    const float want = x > 999 ? -1.f : (x <= 0 ? 0.f : std::ceil(x));
    CHECK_MESSAGE(out == want, "x=" << x);
  }
}

TEST_CASE("save is atomic: a refused model leaves the old file as it was") {
  test::TempDir dir;
  const auto path = dir.file("m.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::regressor).ok());
  const auto before = test::read_bytes(path);

  TreeEnsembleBuilder b(6, 1, 1, Aggregation::sum);
  auto t = chain(2);
  REQUIRE(b.add_tree(t.view()).ok());
  ModelDescription d;
  d.estimator = "test.Bad";
  d.task = Task::classification;
  d.n_features = 6;
  d.n_outputs = 1;
  d.classes.kind = ClassLabels::Kind::integers;
  d.classes.integers = {1, 2, 3};  // three labels for one output: invalid
  auto st = save(path, d, b);
  CHECK(st.code() == error_code::invalid_model);
  CHECK(st.message().find("refusing to write") != std::string::npos);
  CHECK(test::read_bytes(path) == before);
  CHECK(test::list_dir(dir.path()) == std::vector<std::string>{"m.mlmap"});

  SUBCASE("a missing directory is a write error") {
    d.classes.integers = {1};
    CHECK(save(dir.file("no/such/dir.mlmap"), d, b).code() == error_code::write_failed);
  }
  SUBCASE("saving over an existing model replaces it") {
    REQUIRE(test::save_sample(path, test::Sample::forest_classifier).ok());
    auto m = Model::open(path);
    REQUIRE(m.ok());
    CHECK(m->info().estimator == "test.Forest");
  }
  SUBCASE("a directory at the target") {
    ::mkdir(dir.file("d").c_str(), 0700);
    d.classes.integers = {1};
    CHECK(save(dir.file("d"), d, b).code() == error_code::write_failed);
  }
}

TEST_CASE("metadata keys must be unique") {
  test::TempDir dir;
  TreeEnsembleBuilder b(1, 1, 1, Aggregation::sum);
  auto t = chain(1);
  REQUIRE(b.add_tree(t.view()).ok());
  ModelDescription d;
  d.estimator = "x";
  d.n_features = 1;
  d.n_outputs = 1;
  d.metadata = {{"k", "1"}, {"k", "2"}};
  CHECK(save(dir.file("m"), d, b).code() == error_code::invalid_argument);
  d.metadata = {{"z", "last"}, {"a", "first"}};
  REQUIRE(save(dir.file("m"), d, b).ok());
  auto m = Model::open(dir.file("m"));
  REQUIRE(m.ok());
  REQUIRE(m->info().metadata.size() == 2);
  CHECK(m->info().metadata[0].first == "a");  // stored sorted
}
