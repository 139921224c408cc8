// Fuzz target: the CLI's CSV reader and the mapping of its columns onto a
// model's features (header detection, names, missing values, numbers).
#include <string>
#include <vector>

#include "csv.hpp"
#include "feature_reader.hpp"
#include "fuzz_target.hpp"

namespace {

mlmap::ModelInfo model_info(bool named, bool missing) {
  mlmap::ModelInfo info;
  info.estimator = "fuzz.Model";
  info.n_features = 3;
  if (named) info.feature_names = {"a", "b", "c d"};
  info.accepts_missing = missing;
  return info;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int variant = 0; variant < 3; ++variant) {
    std::string error;
    auto csv = mlmap::cli::CsvReader::from_text(text, "fuzz.csv");
    const auto info = model_info(variant != 1, variant == 2);
    mlmap::cli::FeatureReader reader(*csv, info);
    std::vector<double> X(4 * 3);
    size_t n = 0;
    while (reader.read(X.data(), 4, n, error) && n == 4) {
    }
  }
  return 0;
}

std::vector<std::string> fuzz_seeds() {
  return {
      "a,b,c d\n1,2,3\n4,5,6\n",
      "c d,a,b,extra\n1,2,3,x\n\n4,,NaN,y\n",
      "1,2,3\r\n-1e300,+4.5,0x10\r\n",
      "\xef\xbb\xbf\"a\",\"b\",\"c d\"\n\"1\",\" 2 \",\"3\"\n",
      "a,b\n1,2\n",
      "\"unterminated,1,2\n",
      "a,b,c d\n1,2\n3,4,5,6\n",
      "nan,NA,\n",
  };
}
