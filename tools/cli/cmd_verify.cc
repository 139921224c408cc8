// mlmap verify FILE — full validation (every index, every checksum).

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "mlmap/model.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

int run(const Args& args) {
  const std::string& path = args.positional()[0];
  OpenOptions options;
  options.verify = true;
  auto model = Model::open(path, options);
  if (!model) return fail(model.error());
  const ModelInfo& info = model->info();
  std::printf("OK: %s (%s, %llu bytes, hash %s)\n", printable(path).c_str(), printable(info.estimator).c_str(),
              static_cast<unsigned long long>(info.file_size), info.content_hash.c_str());
  return exit_ok;
}

}  // namespace

const Command& verify_command() {
  static const Command command{"verify",
                               "FILE",
                               "check a model file completely (structure, indices, checksums)",
                               "Prints `OK: FILE (estimator, size, hash)` and exits 0 when the file is sound.",
                               ArgSpec{{}, {"FILE"}, 1, 1},
                               run};
  return command;
}

}  // namespace mlmap::cli
