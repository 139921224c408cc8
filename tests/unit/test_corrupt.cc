// Every kind of damage from the corrupt-file generator, several seeds each:
// the reader names the specific problem at the right stage, and predicting
// on a damaged file that still opens never crashes (run under ASan/UBSan in
// the sanitizer build).
#include <doctest/doctest.h>

#include <random>

#include "corrupt.hpp"
#include "support.hpp"

using namespace mlmap;

namespace {

// Exercise every predict entry point on an opened, unverified model.
void predict_everything(const Model& m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t n = 64;
  const size_t nf = m.num_features();
  if (nf == 0 || nf > 1000) return;
  auto X = test::random_rows(rng, n, nf, 0.1);
  std::vector<double> out(n * std::max(m.output_width(Output::value), m.output_width(Output::raw)));
  std::vector<int64_t> cls(n);
  PredictOptions o;
  (void)m.predict(X.data(), n, out.data(), o);
  o.output = Output::raw;
  (void)m.predict(X.data(), n, out.data(), o);
  o.n_threads = 2;
  (void)m.predict(X.data(), n, out.data(), o);
  if (m.task() == Task::classification) (void)m.predict_class(X.data(), n, cls.data());
}

std::vector<uint8_t> sample_bytes(const test::TempDir& dir, test::Corruption kind) {
  // The tree kinds use the boosted sample (categorical splits, missing
  // routing), the class-count damage the forest (labels on every output),
  // the layout's kinds a sample with the leaf bit-vector layout, the others
  // the sample holding the column they damage.
  const auto path = dir.file("source.mlmap");
  if (kind == test::Corruption::op_column_reference)
    REQUIRE(test::save_op_column_sample(path).ok());
  else if (test::on_projection_sample(kind))
    REQUIRE(test::save_projection_sample(path).ok());
  else if (test::on_text_sample(kind))
    REQUIRE(test::save_text_sample(path, test::text_sample_analyzer(kind)).ok());
  else if (test::on_hash_sample(kind))
    REQUIRE(test::save_hash_sample(path).ok());
  else if (test::on_sub_model_sample(kind))
    REQUIRE(test::save_sub_model_sample(path).ok());
  else
    REQUIRE(test::save_sample(path, test::sample_for(kind), 1, writer::BitvectorLayout::always).ok());
  return test::read_bytes(path);
}

}  // namespace

TEST_CASE("every corruption kind gives its specific error") {
  test::TempDir dir;
  int cases = 0;
  for (int k = 0; k < static_cast<int>(test::Corruption::count); ++k) {
    const auto kind = static_cast<test::Corruption>(k);
    const auto want = test::expectation(kind);
    const auto original = sample_bytes(dir, kind);
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      const std::string kind_name = want.name;
      CAPTURE(kind_name);
      CAPTURE(seed);
      const auto path = dir.file(std::string(want.name) + ".mlmap");
      test::write_bytes(path, test::corrupt(original, kind, seed));
      auto m = Model::open(path);
      if (want.stage == test::Stage::open) {
        REQUIRE_FALSE(m.ok());
        CHECK(m.code() == want.code);
        CHECK_MESSAGE(m.message().find(want.message_part) != std::string::npos, m.error().describe());
      } else {
        REQUIRE_MESSAGE(m.ok(), m.error().describe());
        predict_everything(*m, seed);
        auto st = m->verify();
        REQUIRE_FALSE(st.ok());
        CHECK(st.code() == want.code);
        CHECK_MESSAGE(st.message().find(want.message_part) != std::string::npos, st.error().describe());
        // Opening with verification refuses it up front.
        CHECK(Model::open(path, {true, false}).code() == want.code);
      }
      ++cases;
    }
  }
  CHECK(cases == 5 * static_cast<int>(test::Corruption::count));
  CHECK(static_cast<int>(test::Corruption::count) >= 20);
}

TEST_CASE("random byte damage anywhere never crashes open, predict or verify") {
  test::TempDir dir;
  const auto path = dir.file("m.mlmap");
  for (auto sample : {test::Sample::boosted_binary, test::Sample::forest_classifier, test::Sample::regressor,
                      test::Sample::pipeline, test::Sample::dense_every_kind, test::Sample::neighbors_classifier,
                      test::Sample::svm_classifier, test::Sample::naive_bayes_categorical, test::Sample::isolation_forest,
                      test::Sample::wide_trees}) {
    REQUIRE(test::save_sample(path, sample, 1, writer::BitvectorLayout::always).ok());
    const auto original = test::read_bytes(path);
    int opened = 0, verified = 0;
    for (uint64_t seed = 0; seed < 300; ++seed) {
      std::mt19937_64 rng(seed);
      auto bytes = original;
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      // Half the time make the damage look intentional to the checksums, so
      // the structural and semantic checks are what stands in the way.
      if (seed % 2) {
        try {
          test::fix_checksums(bytes);
        } catch (const std::exception&) {
          // the preamble itself is damaged: leave it
        }
      }
      test::write_bytes(path, bytes);
      auto m = Model::open(path);
      if (!m) {
        CHECK(m.code() != error_code::ok);
        CHECK_FALSE(m.message().empty());
        continue;
      }
      ++opened;
      predict_everything(*m, seed);
      if (m->verify().ok()) ++verified;
    }
    MESSAGE("opened " << opened << " of 300 damaged files, " << verified << " still verified");
    CHECK(opened > 0);  // the semantic layer was exercised, not only the header checks
  }
}

TEST_CASE("a header vector of 8-byte elements placed off alignment is refused (found by fuzz_model)") {
  // The fuzzer's reproducer with its checksums made consistent, as the
  // fuzz target tries it: the Int64 class labels start 4 bytes off.
  const auto input = test::read_bytes(std::string(MLMAP_FUZZ_REGRESSIONS) + "/model/int64-labels-misaligned");
  const auto bytes = test::made_consistent(input.data(), input.size());
  REQUIRE_FALSE(bytes.empty());
  auto m = Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE_FALSE(m.ok());
  CHECK(m.code() == error_code::corrupt_header);
  CHECK(m.message().find("'classes' is not aligned") != std::string::npos);
}
