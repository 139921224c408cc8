// The exp kernel over xsimd, instantiated per ISA in exp_<isa>.cc: the same
// steps as exp_reference() (exp_kernels.hpp), lane by lane.  Internal linkage
// (see tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

#include "kernels/exp_kernels.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct ExpSimd {
  using D = xsimd::batch<double, Arch>;
  using U = xsimd::batch<uint64_t, Arch>;
  static constexpr size_t V = D::size;

  static D exp(D x) noexcept {
    using namespace exp_detail;
    x = xsimd::select(x < D(lowest), D(lowest), x);
    x = xsimd::select(x > D(highest), D(highest), x);
    const D t = x * D(log2e) + D(shifter);
    const D n = t - D(shifter);
    const D r = (x - n * D(ln2_hi)) - n * D(ln2_lo);
    const D p = taylor(r);
    const U nb = xsimd::bitwise_cast<U>(t) - U(shifter_bits - bias);
    const U n1b = nb >> 1;
    const D s1 = xsimd::bitwise_cast<D>((n1b - U(1)) << 52);
    const D s2 = xsimd::bitwise_cast<D>((nb - n1b - U(1)) << 52);
    return (p * s1) * s2;
  }

  static void run(double* v, size_t n) noexcept {
    size_t i = 0;
    for (; i + V <= n; i += V) exp(D::load_unaligned(v + i)).store_unaligned(v + i);
    if (i < n) {  // the tail through a full-width buffer: lanes are independent
      alignas(64) double lanes[V] = {};
      for (size_t j = i; j < n; ++j) lanes[j - i] = v[j];
      exp(D::load_aligned(lanes)).store_aligned(lanes);
      for (size_t j = i; j < n; ++j) v[j] = lanes[j - i];
    }
  }
};

}  // namespace
}  // namespace mlmap::kernels
