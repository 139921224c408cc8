// exp() over arrays, with the same bits on every kernel.  The links (softmax,
// sigmoid, exp) take their exponentials here a block of rows at a time:
// glibc's exp, one call per value, was a fifth of a logistic regression's
// batch time.
//
// One algorithm written twice, plainly for the scalar reference
// (exp_scalar.cc) and over xsimd for the ISA kernels (exp_simd.hpp), with
// the same IEEE operations in the same order (taylor() below serves both) and
// no FMA contraction
// (-ffp-contract=off, kernels/meson.build).  So a probability does not depend
// on the CPU that computed it; the tests check every kernel against the
// scalar one bit for bit, and the scalar one against std::exp (<= 1 ulp).
//
//   x clamped to [-746, 710]      beyond: exp rounds to 0 or overflows
//   n = round(x / ln 2)           adding and subtracting 1.5 * 2^52
//   r = x - n ln2_hi - n ln2_lo   |r| <= ln2 / 2, ln2_hi * n exact
//   exp(r) by Taylor to r^13      truncation error < 0.05 ulp; terms 0-4 by
//                                 Horner (they set the accuracy), 5-13 by
//                                 Estrin (a shorter dependency chain: the
//                                 all-Horner kernel was latency-bound)
//   exp(x) = exp(r) * 2^n1 * 2^n2 with n1 = floor(n / 2): both factors are
//                                 normal, so denormal results round once
// NaN stays NaN (comparisons with NaN are false, so the clamp keeps it).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {

namespace exp_detail {
constexpr double lowest = -746.0;  // exp(-746) < 2^-1075: rounds to 0
constexpr double highest = 710.0;  // exp(710) > DBL_MAX: overflows to inf
constexpr double log2e = 0x1.71547652b82fep0;
constexpr double ln2_hi = 0x1.62e42feep-1;  // 32 significant bits
constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
constexpr double shifter = 0x1.8p52;  // ulp 1: adding it rounds to an integer
constexpr uint64_t shifter_bits = 0x4338000000000000ull;
constexpr uint64_t bias = 2048;  // n + bias >= 0 for every clamped x
// 1/k! for k = 0 to 13.
constexpr double c[] = {1.0,
                        1.0,
                        1.0 / 2.0,
                        1.0 / 6.0,
                        1.0 / 24.0,
                        1.0 / 120.0,
                        1.0 / 720.0,
                        1.0 / 5040.0,
                        1.0 / 40320.0,
                        1.0 / 362880.0,
                        1.0 / 3628800.0,
                        1.0 / 39916800.0,
                        1.0 / 479001600.0,
                        1.0 / 6227020800.0};

namespace {  // internal linkage: never merged across ISA units (see tree_simd.hpp)

/// exp(r) for |r| <= ln2 / 2, over double or an xsimd batch of them.
template <class V>
inline V taylor(const V& r) noexcept {
  const V r2 = r * r, r4 = r2 * r2;
  const V a0 = V(c[5]) + V(c[6]) * r, a1 = V(c[7]) + V(c[8]) * r;
  const V a2 = V(c[9]) + V(c[10]) * r, a3 = V(c[11]) + V(c[12]) * r;
  const V b0 = a0 + a1 * r2, b1 = a2 + a3 * r2;
  V p = (b0 + b1 * r4) + V(c[13]) * (r4 * r4);
  for (int k = 4; k >= 0; --k) p = p * r + V(c[k]);
  return p;
}

}  // namespace
}  // namespace exp_detail

/// v[i] = exp(v[i]) for i in [0, n).  The dispatching entry.
void exp_inplace(double* v, size_t n) noexcept;

/// Fewer values than this take the scalar reference in sigmoids() and
/// sigmoid_pairs() (the same bits): one value, a binary classifier's one-row
/// call, took ~190 instructions through the AVX2 kernel (a vector's setup
/// and spare lanes), ~120 through the reference.
constexpr size_t sigmoid_kernel_min_values = 2;

/// The logistic link from the same exp, in one pass per value (the links'
/// sigmoids were a fifth of a binary classifier's batch): with z = s * raw[i]
/// and e = exp(-|z|), p = (z >= 0 ? 1 : e) / (1 + e), which keeps exp from
/// overflowing and 1 - p from cancelling.
/// sigmoids: out[i] = p for i in [0, n) (out may be raw itself).
/// sigmoid_pairs: out[2i] = 1 - p, out[2i + 1] = p, a binary classifier's
/// probabilities (out must not overlap raw).
void sigmoids(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoid_pairs(double s, const double* raw, size_t n, double* out) noexcept;

/// The scalar references, and one kernel per ISA (exp_<isa>.cc).
double exp_reference(double x) noexcept;
double sigmoid_reference(double z) noexcept;
void exp_inplace_scalar(double* v, size_t n) noexcept;
void exp_inplace_sse4_2(double* v, size_t n) noexcept;
void exp_inplace_avx2(double* v, size_t n) noexcept;
void exp_inplace_avx512bw(double* v, size_t n) noexcept;
void sigmoids_scalar(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoids_sse4_2(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoids_avx2(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoids_avx512bw(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoid_pairs_scalar(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoid_pairs_sse4_2(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoid_pairs_avx2(double s, const double* raw, size_t n, double* out) noexcept;
void sigmoid_pairs_avx512bw(double s, const double* raw, size_t n, double* out) noexcept;

}  // namespace mlmap::kernels
