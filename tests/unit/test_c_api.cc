#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "mlmap/mlmap.h"
#include "support.hpp"

TEST_CASE("the C API opens, describes and predicts") {
  test::TempDir dir;
  const auto path = dir.file("f.mlmap");
  REQUIRE(test::save_sample(path, test::Sample::forest_classifier).ok());
  mlmap_model* m = nullptr;
  REQUIRE(mlmap_open(path.c_str(), &m) == MLMAP_OK);
  REQUIRE(m != nullptr);
  CHECK(mlmap_num_features(m) == 6);
  CHECK(mlmap_num_outputs(m) == 3);
  CHECK(mlmap_is_classifier(m) == 1);
  CHECK(mlmap_verify(m) == MLMAP_OK);

  std::mt19937_64 rng(1);
  auto X = test::random_rows(rng, 100, 6);
  std::vector<float> out(300), ref(300);
  REQUIRE(mlmap_predict(m, X.data(), 100, out.data(), 0) == MLMAP_OK);
  auto cpp = mlmap::Model::open(path);
  REQUIRE(cpp.ok());
  REQUIRE(cpp->predict(X.data(), 100, ref.data()).ok());
  CHECK(out == ref);
  for (size_t r = 0; r < 100; ++r) CHECK(out[3 * r] + out[3 * r + 1] + out[3 * r + 2] == doctest::Approx(1.0f));
  std::vector<int64_t> cls(100);
  REQUIRE(mlmap_predict_class(m, X.data(), 100, cls.data(), 1) == MLMAP_OK);
  for (auto c : cls) CHECK((c >= 0 && c < 3));

  X[7] = NAN;
  CHECK(mlmap_predict(m, X.data(), 100, out.data(), 1) == MLMAP_E_MISSING_VALUE);
  CHECK(std::strstr(mlmap_last_error(), "NaN") != nullptr);
  CHECK(std::strcmp(mlmap_error_name(MLMAP_E_MISSING_VALUE), "missing_value") == 0);
  mlmap_close(m);
}

TEST_CASE("C API errors: codes, thread-local messages, NULLs") {
  test::TempDir dir;
  mlmap_model* m = reinterpret_cast<mlmap_model*>(0x1);
  CHECK(mlmap_open(dir.file("missing").c_str(), &m) == MLMAP_E_IO);
  CHECK(m == nullptr);
  CHECK(std::strstr(mlmap_last_error(), "missing") != nullptr);
  CHECK(mlmap_open(dir.path().c_str(), &m) == MLMAP_E_NOT_A_FILE);
  CHECK(mlmap_open(nullptr, &m) == MLMAP_E_INVALID_ARGUMENT);
  CHECK(mlmap_open("x", nullptr) == MLMAP_E_INVALID_ARGUMENT);
  CHECK(mlmap_num_features(nullptr) == -1);
  CHECK(mlmap_predict(nullptr, nullptr, 0, nullptr, 1) == MLMAP_E_INVALID_ARGUMENT);
  mlmap_close(nullptr);

  std::string other;
  std::thread([&] { other = mlmap_last_error(); }).join();
  CHECK(other.empty());  // another thread has its own message
}

TEST_CASE("error names are stable") {
  CHECK(std::strcmp(mlmap_error_name(0), "ok") == 0);
  CHECK(std::strcmp(mlmap_error_name(MLMAP_E_CHECKSUM_MISMATCH), "checksum_mismatch") == 0);
  CHECK(std::strcmp(mlmap_error_name(MLMAP_E_INTERNAL), "internal_error") == 0);
  CHECK(std::strcmp(mlmap_error_name(999), "unknown_error") == 0);
}

TEST_CASE("+-inf in columns the file refuses it in: one rule for the C++ and C APIs and tables") {
  test::TempDir dir;
  const auto path = dir.file("inf.mlmap");
  mlmap::ModelDescription d;
  d.estimator = "test.Forest";
  d.task = mlmap::Task::regression;
  d.n_features = 3;
  d.n_outputs = 1;
  d.feature_names = {"a", "b", "c"};
  d.refuses_infinity = {true, false, true};
  std::mt19937_64 rng(3);
  mlmap::TreeEnsembleBuilder b(3, 1, 1, mlmap::Aggregation::sum);
  auto t = test::random_tree(rng, 3, 4, 1, false, 0);
  REQUIRE(b.add_tree(t.view(), {}).ok());
  REQUIRE(mlmap::save(path, d, b).ok());

  auto m = mlmap::Model::open(path);
  REQUIRE(m.ok());
  CHECK_FALSE(m->info().accepts_infinity);
  CHECK(m->info().accepts_infinity_by_column == std::vector<bool>{false, true, false});
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> X = {0.1, 0.2, 0.3, 0.4, inf, 0.6, 0.7, 0.8, -inf};
  std::vector<double> out(3);
  auto st = m->predict(X.data(), 3, out.data());
  CHECK(st.code() == mlmap::error_code::invalid_argument);
  CHECK_MESSAGE(st.message().find("row 2: column 'c' is -inf") != std::string::npos, st.message());
  X[8] = 0.9;  // column b accepts inf
  CHECK(m->predict(X.data(), 3, out.data()).ok());

  const double a[] = {0.1, -inf}, bb[] = {inf, 0.2}, c[] = {0.3, 0.4};
  mlmap::Table table(2);
  REQUIRE(table.add_numeric("c", c).ok());
  REQUIRE(table.add_numeric("b", bb).ok());
  REQUIRE(table.add_numeric("a", a).ok());
  st = m->predict(table, out.data());
  CHECK(st.code() == mlmap::error_code::invalid_argument);
  CHECK_MESSAGE(st.message().find("row 1: column 'a' is -inf") != std::string::npos, st.message());

  // Each thread checks its own rows: the error still names the absolute row,
  // and the lowest one when both halves hold one.
  {
    const size_t n = 1000;
    std::vector<double> big(n * 3, 0.5), bigout(n);
    mlmap::PredictOptions two;
    two.n_threads = 2;
    big[900 * 3 + 2] = inf;  // in the second thread's half
    st = m->predict(big.data(), n, bigout.data(), two);
    CHECK_MESSAGE(st.message().find("row 900: column 'c' is +inf") != std::string::npos, st.message());
    big[700 * 3] = -inf;
    st = m->predict(big.data(), n, bigout.data(), two);
    CHECK_MESSAGE(st.message().find("row 700: column 'a' is -inf") != std::string::npos, st.message());
    big[10 * 3 + 2] = -inf;
    st = m->predict(big.data(), n, bigout.data(), two);
    CHECK_MESSAGE(st.message().find("row 10: column 'c' is -inf") != std::string::npos, st.message());
    // The scan's chunks (1,024 values): the first +-inf or its absence is
    // found wherever it lies, past the accepted ones of column b; the largest
    // finite values are not one.
    std::vector<float> bigf(n * 3, std::numeric_limits<float>::max());
    for (size_t i = 1; i < n * 3; i += 3) bigf[i] = std::numeric_limits<float>::infinity();
    std::vector<float> bigoutf(n);
    for (size_t pos : {size_t{0}, size_t{1023}, size_t{1024}, size_t{2046}, size_t{2048}, size_t{n * 3 - 1}}) {
      if (pos % 3 == 1) continue;  // column b accepts inf
      bigf[pos] = -std::numeric_limits<float>::infinity();
      st = m->predict(bigf.data(), n, bigoutf.data());
      const std::string want = "row " + std::to_string(pos / 3) + ": column '" + "abc"[pos % 3] + "' is -inf";
      CHECK_MESSAGE(st.message().find(want) != std::string::npos, st.message() << " (want " << want << ")");
      bigf[pos] = -std::numeric_limits<float>::max();
    }
    std::vector<double> ta(n, 0.5), tb(n, 0.5), tc(n, 0.5);
    tc[800] = inf;
    mlmap::Table big_table(n);
    REQUIRE(big_table.add_numeric("a", ta.data()).ok());
    REQUIRE(big_table.add_numeric("b", tb.data()).ok());
    REQUIRE(big_table.add_numeric("c", tc.data()).ok());
    st = m->predict(big_table, bigout.data(), two);
    CHECK_MESSAGE(st.message().find("row 800: column 'c' is +inf") != std::string::npos, st.message());
  }

  mlmap_model* cm = nullptr;
  REQUIRE(mlmap_open(path.c_str(), &cm) == MLMAP_OK);
  std::vector<float> Xf = {0.1f, 0.2f, 0.3f, std::numeric_limits<float>::infinity(), 0.5f, 0.6f};
  std::vector<float> outf(2);
  CHECK(mlmap_predict(cm, Xf.data(), 2, outf.data(), 1) == MLMAP_E_INVALID_ARGUMENT);
  CHECK(std::strstr(mlmap_last_error(), "row 1: column 'a' is +inf") != nullptr);
  mlmap_close(cm);

  SUBCASE("a refuses_infinity of the wrong length is refused at open") {
    d.refuses_infinity = {true};
    CHECK_FALSE(mlmap::save(dir.file("bad.mlmap"), d, b).ok());
  }
}
