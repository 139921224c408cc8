#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "support.hpp"

using namespace mlmap;

TEST_CASE("a written model opens, verifies and describes itself") {
  test::TempDir dir;
  const auto path = dir.file("forest.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::forest_classifier).ok());
  auto m = Model::open(path);
  REQUIRE_MESSAGE(m.ok(), m.message());
  CHECK(m->verify().ok());
  const ModelInfo& i = m->info();
  CHECK(i.format.major == 1);
  CHECK(i.provenance.producer == "mlmap");
  CHECK(i.provenance.producer_version == MLMAP_VERSION);
  CHECK(i.provenance.source_library == "mlmap-tests");
  CHECK(i.provenance.created_unix_ms > 1700000000000);
  CHECK(i.estimator == "test.Forest");
  CHECK(i.task == Task::classification);
  CHECK(i.n_features == 6);
  CHECK(i.n_outputs == 3);
  CHECK(i.classes.kind == ClassLabels::Kind::integers);
  CHECK(i.classes.integers == std::vector<int64_t>{-1, 4, 9});
  CHECK(i.feature_names == std::vector<std::string>{"a", "b", "c", "d", "e", "f"});
  REQUIRE(i.metadata.size() == 1);
  CHECK(i.metadata[0].first == "purpose");
  CHECK(i.trees.n_trees == 12);
  CHECK(i.predictor == "tree_ensemble");
  CHECK(i.link == "identity");
  CHECK(i.predictor_kind == PredictorKind::tree_ensemble);
  CHECK(i.link_function == LinkFunction::identity);
  CHECK_FALSE(i.accepts_missing);
  CHECK(i.content_hash.size() == 32);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(i.file_size == static_cast<uint64_t>(st.st_size));
  CHECK(m->num_features() == 6);
  CHECK(m->output_width() == 3);
  CHECK(m->output_width(Output::raw) == 3);
}

TEST_CASE("open and verify at once; a copying open predicts the same") {
  test::TempDir dir;
  const auto path = dir.file("b.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::boosted_binary).ok());
  OpenOptions o;
  o.verify = true;
  auto mapped = Model::open(path, o);
  REQUIRE(mapped.ok());
  o.copy = true;
  auto copied = Model::open(path, o);
  REQUIRE(copied.ok());
  std::mt19937_64 rng(3);
  auto X = test::random_rows(rng, 500, 6, 0.1);
  std::vector<double> a(500 * 2), b(500 * 2);
  REQUIRE(mapped->predict(X.data(), 500, a.data()).ok());
  REQUIRE(copied->predict(X.data(), 500, b.data()).ok());
  CHECK(a == b);
  CHECK(mapped->info().content_hash == copied->info().content_hash);
}

TEST_CASE("files that are not models get clear errors") {
  test::TempDir dir;
  SUBCASE("missing file") {
    auto m = Model::open(dir.file("nope.mlmap"));
    CHECK(m.code() == error_code::io_error);
    CHECK(m.message().find("No such file") != std::string::npos);
  }
  SUBCASE("directory") {
    auto m = Model::open(dir.path());
    CHECK(m.code() == error_code::not_a_file);
    CHECK(m.message().find("directory") != std::string::npos);
  }
  SUBCASE("empty file") {
    test::write_bytes(dir.file("empty"), {});
    auto m = Model::open(dir.file("empty"));
    CHECK(m.code() == error_code::file_too_small);
    CHECK(m.message().find("0 bytes") != std::string::npos);
  }
  SUBCASE("a text file") {
    std::string text(200, 'x');
    test::write_bytes(dir.file("t.csv"), std::vector<uint8_t>(text.begin(), text.end()));
    CHECK(Model::open(dir.file("t.csv")).code() == error_code::bad_magic);
  }
  SUBCASE("truncated model") {
    REQUIRE(test::save_sample(dir.file("m"), test::Sample::regressor).ok());
    auto bytes = test::read_bytes(dir.file("m"));
    bytes.resize(bytes.size() - 100);
    test::write_bytes(dir.file("m"), bytes);
    auto m = Model::open(dir.file("m"));
    CHECK(m.code() == error_code::truncated);
    CHECK(m.message().find("truncated") != std::string::npos);
  }
  SUBCASE("unreadable file") {
    REQUIRE(test::save_sample(dir.file("m"), test::Sample::regressor).ok());
    ::chmod(dir.file("m").c_str(), 0);
    if (::geteuid() != 0) CHECK(Model::open(dir.file("m")).code() == error_code::io_error);
  }
}

TEST_CASE("a Model is a cheap handle: copies share the mapping and outlive the original") {
  test::TempDir dir;
  REQUIRE(test::save_sample(dir.file("m"), test::Sample::regressor).ok());
  std::vector<double> first(2), second(2);
  std::vector<float> x(6, 0.5f);
  Model* kept = nullptr;
  {
    auto m = Model::open(dir.file("m"));
    REQUIRE(m.ok());
    kept = new Model(*m);
    REQUIRE(m->predict(x.data(), 1, first.data()).ok());
  }
  // The file may even be removed: the mapping keeps the bytes alive.
  ::unlink(dir.file("m").c_str());
  REQUIRE(kept->predict(x.data(), 1, second.data()).ok());
  CHECK(first == second);
  delete kept;
}

TEST_CASE("files truncated while in use: a copying open is immune, a mapping gets SIGBUS (the documented hazard)") {
  test::TempDir dir;
  const auto path = dir.file("m.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::forest_classifier).ok());
  std::mt19937_64 rng(2);
  auto X = test::random_rows(rng, 64, 6);
  std::vector<double> before(64 * 3), after(64 * 3);

  OpenOptions copy;
  copy.copy = true;
  auto copied = Model::open(path, copy);
  REQUIRE(copied.ok());
  REQUIRE(copied->predict(X.data(), 64, before.data()).ok());

  // A child maps the file, the file is truncated under it, the child reads.
  const pid_t child = ::fork();
  if (child == 0) {
    // The kernel's default action, not a test framework's or a sanitizer's
    // handler, is what a service without one of its own gets.
    ::signal(SIGBUS, SIG_DFL);
    auto m = Model::open(path);
    if (!m) ::_exit(3);
    if (::truncate(path.c_str(), 0) != 0) ::_exit(4);
    std::vector<double> out(64 * 3);
    (void)m->predict(X.data(), 64, out.data());
    ::_exit(0);  // not reached: the kernel delivers SIGBUS
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGBUS);

  REQUIRE(copied->predict(X.data(), 64, after.data()).ok());
  CHECK(before == after);
  CHECK(Model::open(path).code() == error_code::file_too_small);
}
