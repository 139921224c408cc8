// Fuzz target: XGBoost model files by content (mlmap::import_xgboost), as
// `mlmap convert-xgboost` reads them: the UBJSON front-end (re-encoding to
// JSON text), the JSON front-end behind it and the file-kind check.  Any
// result other than success, import_failed or unsupported_model traps.
#include <cstdint>
#include <string>
#include <string_view>

#include "../importers/ubjson_encode.hpp"
#include "fuzz_target.hpp"
#include "mlmap/importers.hpp"
#include "xgboost_seed_models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlmap::ImportOptions options;
  options.max_input_bytes = 1 << 20;
  auto r = mlmap::import_xgboost(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!r.ok() && r.code() != mlmap::error_code::import_failed && r.code() != mlmap::error_code::unsupported_model)
    __builtin_trap();
  return 0;
}

std::vector<std::string> fuzz_seeds() {
  // The JSON target's models in xgboost's UBJSON encoding (typed arrays,
  // 'L' lengths), and a few files of other kinds.
  std::vector<std::string> seeds;
  for (const std::string& json : xgboost_seed_models()) seeds.push_back(mlmap::test::ubjson_encode(json));
  seeds.push_back(std::string("binf\0\0\0?", 8));
  seeds.push_back(std::string("\x80\x04\x95\x10\0\0", 6));
  seeds.push_back(std::string("[$d#L\0\0\0\0\0\0\0\x02\x7f\xc0\0\0\xff\x80\0\0", 21));
  return seeds;
}
