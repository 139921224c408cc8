// bench_one_row MODEL ROW_FILE REPEATS CALLS: the C++ side of
// python_overhead.py.  Times Model::predict of one float64 row (the bytes of
// ROW_FILE, num_features() doubles) into double probabilities / values, as
// Python's predict_proba / predict on a float64 row asks for: REPEATS times
// CALLS calls; prints one line per repeat, the mean microseconds per call.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "mlmap/mlmap.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: bench_one_row MODEL ROW_FILE REPEATS CALLS\n";
    return 1;
  }
  auto model = mlmap::Model::open(argv[1]);
  if (!model) {
    std::cerr << model.error().describe() << '\n';
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<double> row(model->num_features());
  if (bytes.size() != row.size() * sizeof(double)) {
    std::cerr << argv[2] << ": expected " << row.size() << " doubles\n";
    return 2;
  }
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(row.data()));
  const int repeats = std::stoi(argv[3]), calls = std::stoi(argv[4]);
  std::vector<double> out(model->output_width());
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i)
      if (!model->predict(row.data(), 1, out.data()).ok()) return 2;
    const auto t1 = std::chrono::steady_clock::now();
    std::printf("%.4f\n", std::chrono::duration<double, std::micro>(t1 - t0).count() / calls);
  }
  return 0;
}
