// The scalar exp reference (algorithm in exp_kernels.hpp).
#include <cstring>

#include "kernels/exp_kernels.hpp"

namespace mlmap::kernels {

double exp_reference(double x) noexcept {
  using namespace exp_detail;
  x = x < lowest ? lowest : x;
  x = x > highest ? highest : x;
  const double t = x * log2e + shifter;
  const double n = t - shifter;
  const double r = (x - n * ln2_hi) - n * ln2_lo;
  const double p = taylor(r);
  uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  const uint64_t nb = bits - shifter_bits + bias;  // n + 2048
  const uint64_t n1b = nb >> 1;                    // floor(n / 2) + 1024
  const uint64_t e1 = (n1b - 1) << 52, e2 = (nb - n1b - 1) << 52;
  double s1, s2;
  std::memcpy(&s1, &e1, sizeof s1);
  std::memcpy(&s2, &e2, sizeof s2);
  return (p * s1) * s2;
}

void exp_inplace_scalar(double* v, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i) v[i] = exp_reference(v[i]);
}

}  // namespace mlmap::kernels
