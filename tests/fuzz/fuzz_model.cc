// Fuzz target: open (structural checks), predict through every entry point,
// verify.  The library's promise under test: any bytes give an error or an
// answer, never a crash, an out-of-bounds access, undefined behaviour or a hang.
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../unit/corrupt.hpp"
#include "../unit/support.hpp"
#include "fuzz_target.hpp"
#include "mlmap/mlmap.hpp"

namespace {

void exercise(const uint8_t* data, size_t size);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exercise(data, size);
    // Checksums and the declared length would stop almost every mutation at
  // the door: also try the input made consistent, so that the fuzzer
  // reaches the header Verifier, the column checks and the semantic checks.
  const auto fixed = test::made_consistent(data, size);
  if (!fixed.empty()) exercise(fixed.data(), fixed.size());
  return 0;
}

namespace {

void exercise(const uint8_t* data, size_t size) {
  auto m = mlmap::Model::from_bytes(data, size);
  if (!m) return;
  const size_t nf = m->num_features();
  if (nf > 4096 || m->output_width(mlmap::Output::value) > 4096 || m->output_width(mlmap::Output::raw) > 4096) return;
  const size_t rows = 3;
  // Rows derived from the input, plus zeros, NaN and infinities.
  std::vector<double> X(rows * nf);
  for (size_t i = 0; i < X.size(); ++i) {
    const uint8_t b = size ? data[i % size] : 0;
    X[i] = i % 7 == 0 ? std::numeric_limits<double>::quiet_NaN() : i % 11 == 0 ? INFINITY : (b - 128) / 8.0;
  }
  std::vector<float> Xf(X.begin(), X.end());
  const size_t width = std::max(m->output_width(mlmap::Output::value), m->output_width(mlmap::Output::raw));
  std::vector<double> out(rows * width);
  std::vector<float> outf(rows * width);
  std::vector<int64_t> cls(rows);
  mlmap::PredictOptions o;
  (void)m->predict(X.data(), rows, out.data(), o);
  (void)m->predict(Xf.data(), 1, outf.data(), o);
  o.output = mlmap::Output::raw;
  (void)m->predict(Xf.data(), rows, out.data(), o);
  if (m->task() == mlmap::Task::classification) (void)m->predict_class(X.data(), rows, cls.data());
  const auto& info = m->info();
  if (info.preprocessing.needs_strings && info.feature_names.size() == nf) {
    mlmap::Table t(rows);
    std::vector<std::string_view> text(rows, std::string_view(reinterpret_cast<const char*>(data), size < 8 ? size : 8));
    std::vector<std::vector<double>> numbers(nf, std::vector<double>(rows, 1.5));
    for (size_t c = 0; c < nf; ++c)
      (void)(info.string_inputs[c] ? t.add_strings(info.feature_names[c], text.data())
                                   : t.add_numeric(info.feature_names[c], numbers[c].data()));
    (void)m->predict(t, out.data());
  }
  (void)m->verify();
}

}  // namespace

std::vector<std::string> fuzz_seeds() {
  std::vector<std::string> seeds;
  test::TempDir dir;
  const auto path = dir.file("seed.mlmap");
  // Tree ensembles with the leaf bit-vector layout where the trees allow it
  // (FORMAT.md §5.1.1), as the bitvector_* damage kinds need.
  const auto layout = mlmap::writer::BitvectorLayout::always;
  for (auto kind : test::all_samples()) {
    if (kind == test::Sample::large_trees) continue;  // past the fuzzer's 64 KiB inputs
    if (!test::save_sample(path, kind, 3, layout)) continue;
    const auto bytes = test::read_bytes(path);
    seeds.emplace_back(bytes.begin(), bytes.end());
  }
  // Each kind of damage once, on the sample it damages, so the fuzzer starts
  // past each check.
  for (int k = 0; k < static_cast<int>(test::Corruption::count); ++k) {
    const auto kind = static_cast<test::Corruption>(k);
    if (kind == test::Corruption::op_column_reference || test::on_projection_sample(kind) || test::on_text_sample(kind) ||
        test::on_hash_sample(kind) || test::on_sub_model_sample(kind))
      continue;  // below
    if (!test::save_sample(path, test::sample_for(kind), 3, layout)) continue;
    auto damaged = test::corrupt(test::read_bytes(path), kind, 1);
    seeds.emplace_back(damaged.begin(), damaged.end());
  }
  // A sample saved by `save` (when it saves), and each kind of damage
  // `damages` picks, done to it.
  const auto seed_with_damage = [&](bool saved, auto damages) {
    if (!saved) return;
    const auto bytes = test::read_bytes(path);
    seeds.emplace_back(bytes.begin(), bytes.end());
    for (int k = 0; k < static_cast<int>(test::Corruption::count); ++k) {
      const auto kind = static_cast<test::Corruption>(k);
      if (!damages(kind)) continue;
      auto damaged = test::corrupt(bytes, kind, 1);
      seeds.emplace_back(damaged.begin(), damaged.end());
    }
  };
  // A preprocessing step with a parameter column, and its damaged reference.
  seed_with_damage(test::save_op_column_sample(path).ok(),
                   [](test::Corruption kind) { return kind == test::Corruption::op_column_reference; });
  // Projection, distance and quantile steps (parameter columns).
  seed_with_damage(test::save_projection_sample(path).ok(), test::on_projection_sample);
  // Text steps (vocabulary hash table columns; the word and the char_wb
  // analyzer).
  for (const uint8_t analyzer : {uint8_t{0}, uint8_t{2}})
    seed_with_damage(test::save_text_sample(path, analyzer).ok(), [analyzer](test::Corruption kind) {
      return test::on_text_sample(kind) && test::text_sample_analyzer(kind) == analyzer;
    });
  // A text vectorizer's outputs as one feature run.
  seed_with_damage(test::save_hash_sample(path).ok(), test::on_hash_sample);
  // SubModel steps' outputs (nested files).
  seed_with_damage(test::save_sub_model_sample(path).ok(), test::on_sub_model_sample);
  return seeds;
}
