// Fuzz target: the CSV reader (tools/common) and the mapping of its columns
// onto a model's features (header detection, names, missing values,
// numbers, string columns), as `mlmap predict` and the server use them.
#include <string>
#include <vector>

#include "common/batch.hpp"
#include "common/csv.hpp"
#include "common/csv_rows.hpp"
#include "fuzz_target.hpp"

namespace {

// Variant 3 reads column "b" as strings (the Table path).
mlmap::ModelInfo model_info(int variant) {
  mlmap::ModelInfo info;
  info.estimator = "fuzz.Model";
  info.n_features = 3;
  if (variant != 1) info.feature_names = {"a", "b", "c d"};
  info.accepts_missing = variant == 2;
  info.string_inputs = {false, variant == 3, false};
  if (variant == 3) info.preprocessing.n_steps = 1;
  return info;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int variant = 0; variant < 4; ++variant) {
    std::string error;
    auto csv = mlmap::tools::CsvReader::from_text(text, "fuzz.csv");
    const auto info = model_info(variant);
    mlmap::tools::CsvRows rows(*csv, info);
    mlmap::tools::Batch batch(info);
    do batch.clear();
    while (rows.read(batch, 4, error) && batch.n_rows() == 4);
    error.clear();
    (void)rows.more(error);
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
