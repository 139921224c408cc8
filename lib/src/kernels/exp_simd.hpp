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

  // sigmoid_reference(z) lane by lane.
  static D sigmoid(D z) noexcept {
    const D e = exp(-xsimd::abs(z));
    return xsimd::select(z >= D(0.0), D(1.0), e) / (D(1.0) + e);
  }

  // y[i] = f(x[i]) for i in [0, n); the tail through a full-width buffer
  // (lanes are independent).  y may be x.
  template <class F>
  static void map(const double* x, size_t n, double* y, F f) noexcept {
    size_t i = 0;
    for (; i + V <= n; i += V) f(D::load_unaligned(x + i)).store_unaligned(y + i);
    if (i < n) {
      alignas(64) double lanes[V] = {};
      for (size_t j = i; j < n; ++j) lanes[j - i] = x[j];
      f(D::load_aligned(lanes)).store_aligned(lanes);
      for (size_t j = i; j < n; ++j) y[j] = lanes[j - i];
    }
  }

  static void run(double* v, size_t n) noexcept {
    map(v, n, v, [](D x) { return exp(x); });
  }

  static void sigmoids(double s, const double* raw, size_t n, double* out) noexcept {
    const D scale(s);
    map(raw, n, out, [&](D r) { return sigmoid(scale * r); });
  }

  // (1 - p, p) per row.  xsimd's zips interleave within 128-bit lanes, so
  // the pairs go out through a buffer; the compiler turns the copy loop
  // into shuffles.
  static void sigmoid_pairs(double s, const double* raw, size_t n, double* out) noexcept {
    const D scale(s);
    // The first `count` lanes' pairs of p = pv to o.
    auto write_pairs = [](const D& pv, double* o, size_t count) {
      alignas(64) double p[V], q[V];
      pv.store_aligned(p);
      (D(1.0) - pv).store_aligned(q);
      for (size_t j = 0; j < count; ++j) {
        o[2 * j] = q[j];
        o[2 * j + 1] = p[j];
      }
    };
    size_t i = 0;
    for (; i + V <= n; i += V) write_pairs(sigmoid(scale * D::load_unaligned(raw + i)), out + 2 * i, V);
    if (i < n) {
      alignas(64) double lanes[V] = {};
      for (size_t j = i; j < n; ++j) lanes[j - i] = raw[j];
      write_pairs(sigmoid(scale * D::load_aligned(lanes)), out + 2 * i, n - i);
    }
  }

};

}  // namespace
}  // namespace mlmap::kernels
