// Fuzz target: the LightGBM text importer (untrusted text).  Any result other
// than success, import_failed or unsupported_model traps; a successful import
// must also save, open with full verification and predict (the importer's
// rewritten trees and pandas step must make a valid file).
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../importers/lightgbm_samples.hpp"
#include "fuzz_target.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/mlmap.hpp"

namespace {

void predict(const mlmap::Model& m) {
  const size_t nf = m.num_features(), rows = 4;
  const double special[] = {std::numeric_limits<double>::quiet_NaN(), 0.0, -0.5, 1e-36, 2.0, 3e9, -INFINITY};
  std::vector<double> X(rows * nf);
  for (size_t i = 0; i < X.size(); ++i) X[i] = special[i % 7];
  std::vector<double> out(rows * std::max(m.output_width(mlmap::Output::value), m.output_width(mlmap::Output::raw)));
  if (!m.info().preprocessing.needs_strings) {
    if (!m.predict(X.data(), rows, out.data()).ok()) __builtin_trap();
    return;
  }
  mlmap::Table t(rows);
  const std::vector<std::string_view> text{"Paris", "", "Lyon", "x"};
  const std::vector<uint8_t> missing{0, 1, 0, 0};
  const bool* m_missing = reinterpret_cast<const bool*>(missing.data());
  const double column[] = {std::numeric_limits<double>::quiet_NaN(), 0.0, 20.0, 1e-36};
  const auto& info = m.info();
  if (info.feature_names.size() != nf) __builtin_trap();  // string columns need names
  for (size_t c = 0; c < nf; ++c) {
    const auto st = info.string_inputs.size() > c && info.string_inputs[c]
                        ? t.add_strings(info.feature_names[c], text.data(), m_missing)
                        : t.add_numeric(info.feature_names[c], column);
    if (!st.ok()) __builtin_trap();
  }
  if (!m.predict(t, out.data()).ok()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlmap::ImportOptions options;
  options.max_input_bytes = 1 << 20;
  auto r = mlmap::import_lightgbm_text(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!r.ok()) {
    if (r.code() != mlmap::error_code::import_failed && r.code() != mlmap::error_code::unsupported_model) __builtin_trap();
    return 0;
  }
  static const std::string path = "/dev/shm/mlmap-fuzz-lightgbm-" + std::to_string(::getpid()) + ".mlmap";
  if (!mlmap::save_imported(path, *r).ok()) __builtin_trap();
  mlmap::OpenOptions o;
  o.verify = true;
  auto m = mlmap::Model::open(path, o);
  if (!m.ok()) __builtin_trap();
  predict(*m);
  return 0;
}

std::vector<std::string> fuzz_seeds() {
  // Models LightGBM 4.7 wrote (pandas categories, integer-coded categorical
  // splits, zero-as-missing, rf, multiclassova), one with Windows line ends.
  std::vector<std::string> seeds;
  for (std::string_view s : lightgbm_samples::all) seeds.emplace_back(s);
  std::string crlf;
  for (char c : lightgbm_samples::binary_pandas) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  seeds.push_back(crlf);
  seeds.push_back("tree\n");
  return seeds;
}
