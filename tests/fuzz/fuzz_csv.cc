// Fuzz target: the CLI's CSV reader and the mapping of its columns onto a
// model's features (header detection, names, missing values, numbers).
#include <sys/mman.h>
#include <unistd.h>

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
  // The reader takes a path: hand it an anonymous in-memory file.
  const int fd = ::memfd_create("fuzz-csv", 0);
  if (fd < 0) return 0;
  if (size && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  for (int variant = 0; variant < 3; ++variant) {
    std::string error;
    auto csv = mlmap::cli::CsvReader::open(path, error);
    if (!csv) break;
    const auto info = model_info(variant != 1, variant == 2);
    mlmap::cli::FeatureReader reader(*csv, info);
    std::vector<double> X(4 * 3);
    size_t n = 0;
    while (reader.read(X.data(), 4, n, error) && n == 4) {
    }
  }
  ::close(fd);
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
