// Finding the first NaN, the first +-inf, or the first of either, of an
// array fast: the missing-value checks of the prediction driver and of the
// preprocessing's features, the infinity check of the inputs, and one pass
// that clears an input of both at once.  The infinity scan of a batch's
// inputs (a tenth of a small pipeline's batch) also has one kernel per ISA
// (first_special_simd.hpp), dispatched by first_inf(); the template here is
// its scalar reference.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace mlmap::kernels {

/// The unsigned integer as wide as T (float or double), its sign bit.
template <class T>
using FloatBits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
template <class T>
constexpr FloatBits<T> float_sign_bit = FloatBits<T>{1} << (sizeof(T) * 8 - 1);

// Index of the first value of p[0, n) that `is` (an exact test) holds for,
// or n.  Chunks are scanned with integer arithmetic and no early exit, which
// vectorises (a quarter of a logistic regression's batch time went to an
// element-by-element NaN scan, a quarter of pipeline_num's to a compare-and-
// or loop for infinities): `flag` maps a value's bits without their sign to
// bits whose sign bit is set iff `is` holds, and only a chunk whose OR of
// flags has it is searched with `is`.
template <class T, class Flag, class Is>
size_t first_flagged(const T* p, size_t n, Flag flag, Is is) noexcept {
  using Bits = FloatBits<T>;
  constexpr Bits sign = float_sign_bit<T>;
  constexpr size_t chunk = 2048;
  // A row or a few (a one-row call): one OR, without the four ORs' final
  // reduction, which cost more than the scan of 50 floats itself.
  constexpr size_t short_run = 64;
  if (n <= short_run) {
    Bits any = 0;
    for (size_t i = 0; i < n; ++i) {
      Bits bits;
      std::memcpy(&bits, p + i, sizeof bits);
      any |= flag(static_cast<Bits>(bits & ~sign));
    }
    if (!(any & sign)) return n;
    for (size_t i = 0; i < n; ++i)
      if (is(p[i])) return i;
    return n;
  }
  for (size_t b = 0; b < n; b += chunk) {
    const size_t e = n - b < chunk ? n : b + chunk;
    // Four ORs side by side: one alone made the loop wait on its latency.
    Bits any[4] = {0, 0, 0, 0};
    size_t i = b;
    for (; i + 4 <= e; i += 4)
      for (size_t l = 0; l < 4; ++l) {
        Bits bits;
        std::memcpy(&bits, p + i + l, sizeof bits);
        any[l] |= flag(static_cast<Bits>(bits & ~sign));
      }
    for (; i < e; ++i) {
      Bits bits;
      std::memcpy(&bits, p + i, sizeof bits);
      any[0] |= flag(static_cast<Bits>(bits & ~sign));
    }
    if (!((any[0] | any[1] | any[2] | any[3]) & sign)) continue;
    for (size_t i = b; i < e; ++i)
      if (is(p[i])) return i;
  }
  return n;
}

/// Index of the first NaN among p[0, n), or n.  Without its sign, a value
/// is NaN iff its bits exceed those of infinity, i.e. iff adding the
/// mantissa mask carries into the sign bit.
template <class T>
size_t first_nan(const T* p, size_t n) noexcept {
  using Bits = FloatBits<T>;
  constexpr Bits mantissa = static_cast<Bits>(sizeof(T) == 4 ? 0x007fffffull : 0x000fffffffffffffull);
  return first_flagged(
      p, n, [](Bits b) { return static_cast<Bits>(b + mantissa); }, [](T v) { return std::isnan(v); });
}

/// Index of the first +-inf among p[0, n), or n.  Without its sign, a value
/// is +-inf iff its bits equal infinity's, i.e. iff their XOR is 0, and only
/// 0 minus 1 reaches the sign bit (the XOR of two values without sign is
/// below it).
template <class T>
size_t first_inf_reference(const T* p, size_t n) noexcept {
  using Bits = FloatBits<T>;
  constexpr Bits inf_bits = static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  return first_flagged(
      p, n, [](Bits b) { return static_cast<Bits>((b ^ inf_bits) - 1); },
      [](T v) { return std::fabs(v) == std::numeric_limits<T>::infinity(); });
}

/// Index of the first NaN or +-inf among p[0, n), or n.  Without its sign,
/// a value is either iff its exponent bits are all ones, i.e. iff adding the
/// exponent's lowest bit carries into the sign bit.
template <class T>
size_t first_nonfinite(const T* p, size_t n) noexcept {
  using Bits = FloatBits<T>;
  constexpr Bits exponent_lsb = static_cast<Bits>(sizeof(T) == 4 ? 0x00800000ull : 0x0010000000000000ull);
  return first_flagged(
      p, n, [](Bits b) { return static_cast<Bits>(b + exponent_lsb); }, [](T v) { return !std::isfinite(v); });
}

/// The bits of 0x1.ffffffp127, halfway between FLT_MAX and 2^128: the
/// least double (without its sign) that the conversion to float rounds to
/// +-inf.
constexpr uint64_t float_overflow_bits = 0x47effffff0000000ull;

/// Index of the first value of p[0, n) that float32 cannot hold, or n:
/// +-inf, or finite from float_overflow_bits up (NaN is not one).  Without
/// its sign a value is one iff its bits b lie in [least, inf]: d = b - least
/// then has no sign bit (b >= least) and d - span has it (d < span).
inline size_t first_beyond_float(const double* p, size_t n) noexcept {
  constexpr uint64_t least = float_overflow_bits, inf_bits = 0x7ff0000000000000ull;
  constexpr uint64_t span = inf_bits - least + 1;
  return first_flagged(
      p, n,
      [](uint64_t b) {
        const uint64_t d = b - least;
        return static_cast<uint64_t>(~d & (d - span));
      },
      [](double v) { return std::fabs(v) >= 0x1.ffffffp127; });
}

/// Index of the first value of p[0, n) that is not finite as a float32, or
/// n: NaN, +-inf, or past float32's range (first_beyond_float).  Without its
/// sign a value is one iff its bits b >= least, i.e. iff b - least borrows
/// nothing (its sign bit stays clear; b < 2^63).
inline size_t first_nonfinite_as_float(const double* p, size_t n) noexcept {
  constexpr uint64_t least = float_overflow_bits;
  return first_flagged(
      p, n, [](uint64_t b) { return static_cast<uint64_t>(~(b - least)); },
      [](double v) { return !(std::fabs(v) < 0x1.ffffffp127); });
}

/// first_inf_reference() by the active ISA's kernel: the same index.
size_t first_inf(const float* p, size_t n) noexcept;
size_t first_inf(const double* p, size_t n) noexcept;
size_t first_inf_sse4_2(const float* p, size_t n) noexcept;
size_t first_inf_sse4_2(const double* p, size_t n) noexcept;
size_t first_inf_avx2(const float* p, size_t n) noexcept;
size_t first_inf_avx2(const double* p, size_t n) noexcept;
size_t first_inf_avx512bw(const float* p, size_t n) noexcept;
size_t first_inf_avx512bw(const double* p, size_t n) noexcept;

}  // namespace mlmap::kernels
