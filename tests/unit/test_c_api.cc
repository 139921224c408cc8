#include <doctest/doctest.h>

#include <cstring>
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
