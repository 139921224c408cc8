// mlmap's ndtri (lib/src/model/preprocessing/ndtri.cc) over the float64
// values of a file: `ndtri_sweep IN OUT` writes ndtri(u) for each u of IN
// (raw little-endian doubles) to OUT.  tests/parity/test_ndtri.py compares
// them with scipy's in each environment of the version matrix.
#include <cstdio>
#include <vector>

#include "model/preprocessing/ndtri.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ndtri_sweep IN OUT\n");
    return 1;
  }
  std::FILE* in = std::fopen(argv[1], "rb");
  if (!in) return 2;
  std::vector<double> u;
  double v;
  while (std::fread(&v, sizeof v, 1, in) == 1) u.push_back(mlmap::model::prep::ndtri(v));
  std::fclose(in);
  std::FILE* out = std::fopen(argv[2], "wb");
  if (!out) return 2;
  const bool ok = std::fwrite(u.data(), sizeof(double), u.size(), out) == u.size();
  return std::fclose(out) == 0 && ok ? 0 : 2;
}
