// The scalar exp and sigmoid references (algorithm in exp_kernels.hpp).
#include <cmath>
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

namespace mlmap::kernels {

double sigmoid_reference(double z) noexcept {
  const double e = exp_reference(-std::fabs(z));
  return (z >= 0 ? 1.0 : e) / (1.0 + e);
}

void sigmoids_scalar(double s, const double* raw, size_t n, double* out) noexcept {
  for (size_t i = 0; i < n; ++i) out[i] = sigmoid_reference(s * raw[i]);
}

void sigmoid_pairs_scalar(double s, const double* raw, size_t n, double* out) noexcept {
  for (size_t i = 0; i < n; ++i) {
    const double p = sigmoid_reference(s * raw[i]);
    out[2 * i] = 1.0 - p;
    out[2 * i + 1] = p;
  }
}

}  // namespace mlmap::kernels
