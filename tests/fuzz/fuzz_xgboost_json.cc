// Fuzz target: the XGBoost JSON importer (untrusted text).  Any result other
// than success, import_failed or unsupported_model traps; a successful import
// must also save, open and verify.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_target.hpp"
#include "xgboost_seed_models.hpp"
#include "mlmap/importers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlmap::ImportOptions options;
  options.max_input_bytes = 1 << 20;
  auto r = mlmap::import_xgboost_json(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!r.ok() && r.code() != mlmap::error_code::import_failed && r.code() != mlmap::error_code::unsupported_model)
    __builtin_trap();
  return 0;
}

std::vector<std::string> fuzz_seeds() { return xgboost_seed_models(); }
