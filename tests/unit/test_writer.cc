#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cmath>
#include <limits>

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

// The walk estimate the kernel choice weighs (FORMAT.md §5.1.1): from the
// training rows' covers where the builder has them, else every split halving
// the rows.  A chain of 6 splits has leaves at depths 1..6 (and 6).
TEST_CASE("leaf covers weigh the walk estimate; without them every split halves the rows") {
  test::TempDir dir;
  ModelDescription d;
  d.estimator = "test.Chain";
  d.n_features = 1;
  d.n_outputs = 1;
  auto steps = [&](const std::vector<double>* cover) {
    TreeEnsembleBuilder b(1, 1, 1, Aggregation::sum);
    auto t = chain(6);
    if (cover) t.cover = *cover;
    REQUIRE(b.add_tree(t.view()).ok());
    const auto path = dir.file("c");
    auto accept = [](const std::string&) { return Status{}; };
    REQUIRE(writer::write_tree_model(path, d, b, nullptr, accept, writer::BitvectorLayout::always).ok());
    auto m = Model::open(path, {true, false});  // verify: the estimate within its bounds
    REQUIRE_MESSAGE(m.ok(), m.message());
    REQUIRE(m->info().trees.bitvector_layout);
    return std::make_pair(m->info().trees.walk_steps, m->info().trees.walk_steps_covered);
  };
  // chain(6): nodes 2k split (k = 0..5), 2k + 1 is the leaf at depth k + 1,
  // node 12 the last leaf (depth 6).
  std::vector<double> deepest(13, 0.0), shallowest(13, 0.0);
  deepest[12] = 100;  // every row walks all 6 levels
  shallowest[1] = 7;  // every row stops after the first
  CHECK(steps(&deepest) == std::make_pair(6.0, true));
  CHECK(steps(&shallowest) == std::make_pair(1.0, true));
  // Halving: 8 rows all stop by depth d >= 1 with P = (1 - 2^-d)^8; none at 0.
  double halving = 0;
  for (int depth = 0; depth < 6; ++depth) halving += 1 - std::pow(1 - std::ldexp(1.0, -depth), 8) * (depth > 0);
  const auto plain = steps(nullptr);
  CHECK_FALSE(plain.second);
  CHECK(plain.first == doctest::Approx(halving).epsilon(1e-12));
  std::vector<double> zero(13, 0.0);  // leaves that cover nothing: as without covers
  CHECK(steps(&zero) == plain);

  TreeEnsembleBuilder b(1, 1, 1, Aggregation::sum);
  for (double bad : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    auto t = chain(6);
    t.cover.assign(13, 1.0);
    t.cover[5] = bad;
    auto st = b.add_tree(t.view());
    CHECK(st.code() == error_code::invalid_argument);
    CHECK_MESSAGE(st.message().find("cover") != std::string::npos, st.message());
  }
  CHECK(b.n_trees() == 0);
}
