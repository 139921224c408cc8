// The infinity scan over xsimd, instantiated per ISA in
// first_special_<isa>.cc: first_inf_reference()'s chunks and flags
// (first_special.hpp), a vector of values at a time, so the same index.
// Internal linkage (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/first_special.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch, class T>
size_t first_inf_simd(const T* p, size_t n) noexcept {
  using Bits = FloatBits<T>;
  using U = xsimd::batch<Bits, Arch>;
  using S = xsimd::batch<std::make_signed_t<Bits>, Arch>;
  constexpr size_t V = U::size;
  constexpr Bits sign = float_sign_bit<T>;
  constexpr Bits inf_bits = static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  constexpr size_t chunk = 2048;
  // A value's flag: its bits without sign XOR infinity's, minus 1, has the
  // sign bit iff the value is +-inf (first_inf_reference).
  const auto flags = [](U bits) { return ((bits & U(static_cast<Bits>(~sign))) ^ U(inf_bits)) - U(Bits{1}); };
  for (size_t b = 0; b < n; b += chunk) {
    const size_t e = n - b < chunk ? n : b + chunk;
    U any0(Bits{0}), any1(Bits{0});  // two ORs side by side, as the reference
    size_t i = b;
    for (; i + 2 * V <= e; i += 2 * V) {
      any0 |= flags(U::load_unaligned(reinterpret_cast<const Bits*>(p + i)));
      any1 |= flags(U::load_unaligned(reinterpret_cast<const Bits*>(p + i + V)));
    }
    Bits rest = 0;
    for (; i < e; ++i) {
      Bits bits;
      std::memcpy(&bits, p + i, sizeof bits);
      rest |= static_cast<Bits>((static_cast<Bits>(bits & ~sign) ^ inf_bits) - 1);
    }
    if (!(rest & sign) && !xsimd::any(xsimd::bitwise_cast<S>(any0 | any1) < S(0))) continue;
    for (size_t k = b; k < e; ++k)
      if (std::fabs(p[k]) == std::numeric_limits<T>::infinity()) return k;
  }
  return n;
}

}  // namespace
}  // namespace mlmap::kernels
