// Runs a fuzz target without libFuzzer, as an ordinary test:
//   replay_<target> [--seeds] [--write-seeds DIR] [FILE|DIR]...
// --seeds runs the generated seeds; --write-seeds writes them as files (the
// starting corpus of a fuzzing run); files and directories are replayed.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz_target.hpp"

namespace {

size_t replay_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), {});
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

size_t replay(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return replay_file(path);
  size_t n = 0;
  if (DIR* d = ::opendir(path.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != ".." && name != "README") n += replay(path + "/" + name);
    }
    ::closedir(d);
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  size_t inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seeds") {
      for (const auto& s : fuzz_seeds()) {
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        ++inputs;
      }
    } else if (arg == "--write-seeds" && i + 1 < argc) {
      const std::string dir = argv[++i];
      ::mkdir(dir.c_str(), 0755);
      size_t k = 0;
      for (const auto& s : fuzz_seeds()) {
        std::ofstream(dir + "/seed-" + std::to_string(k++), std::ios::binary).write(s.data(), static_cast<std::streamsize>(s.size()));
      }
      std::printf("wrote %zu seeds to %s\n", k, dir.c_str());
    } else {
      inputs += replay(arg);
    }
  }
  std::printf("replayed %zu inputs without a crash\n", inputs);
  return 0;
}
