// exp() over arrays, with the same bits on every kernel.  The links (softmax,
// sigmoid, exp) take their exponentials here a block of rows at a time:
// glibc's exp, one call per value, was a fifth of a logistic regression's
// batch time.
//
// One algorithm written twice, plainly for the scalar reference
// (exp_scalar.cc) and over xsimd for the ISA kernels (exp_simd.hpp), with
// the same IEEE operations in the same order and no FMA contraction
// (-ffp-contract=off, kernels/meson.build).  So a probability does not depend
// on the CPU that computed it; the tests check every kernel against the
// scalar one bit for bit, and the scalar one against std::exp (<= 1 ulp).
//
//   x clamped to [-746, 710]      beyond: exp rounds to 0 or overflows
//   n = round(x / ln 2)           adding and subtracting 1.5 * 2^52
//   r = x - n ln2_hi - n ln2_lo   |r| <= ln2 / 2, ln2_hi * n exact
//   exp(r) by Taylor to r^13      truncation error < 0.05 ulp
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
// 1/k! for k = 13 down to 0, Horner order.
constexpr double taylor[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                             1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
                             1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        0.5,
                             1.0,                1.0};
constexpr size_t n_taylor = sizeof taylor / sizeof taylor[0];
}  // namespace exp_detail

/// v[i] = exp(v[i]) for i in [0, n).  The dispatching entry.
void exp_inplace(double* v, size_t n) noexcept;

/// The scalar reference, and one kernel per ISA (exp_<isa>.cc).
double exp_reference(double x) noexcept;
void exp_inplace_scalar(double* v, size_t n) noexcept;
void exp_inplace_sse4_2(double* v, size_t n) noexcept;
void exp_inplace_avx2(double* v, size_t n) noexcept;
void exp_inplace_avx512bw(double* v, size_t n) noexcept;

}  // namespace mlmap::kernels
