// libFuzzer target for the XGBoost JSON importer (not built by meson; the
// deterministic "random byte mutations" test case replays the idea in the
// unit suite).  Build and run from the repository root:
//
//   clang++-14 -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
//     -Ilib/include -Ilib/src tests/importers/fuzz_xgboost_json.cc \
//     lib/src/importers/xgboost_json.cc lib/src/writer/tree_builder.cc lib/src/api/error.cc \
//     -lsimdjson -o fuzz_xgboost_json
//   ./fuzz_xgboost_json -max_len=12000 CORPUS_DIR   # seeds: small Booster.save_raw("json") models
//
// Any result other than success, import_failed or unsupported_model traps.
#include <cstdint>
#include <string>
#include <string_view>

#include "mlmap/importers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlmap::ImportOptions options;
  options.max_input_bytes = 1 << 20;
  auto r = mlmap::import_xgboost_json(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!r.ok() && r.code() != mlmap::error_code::import_failed && r.code() != mlmap::error_code::unsupported_model)
    __builtin_trap();
  return 0;
}

// Only the importer is linked: saving is not exercised.
namespace mlmap {
Status save(const std::string&, const ModelDescription&, const TreeEnsembleBuilder&) noexcept { return {}; }
}  // namespace mlmap
