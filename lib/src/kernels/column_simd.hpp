// The column kernels over xsimd, instantiated per ISA in column_<isa>.cc: the
// same operations as column_op_scalar, lane by lane; the last n % V values
// through a full-width buffer (lanes are independent).  Internal linkage (see
// tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>

#include "kernels/column_kernels.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct ColumnSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;

  // y[i] = f(x[i], y[i], z[i]) over vectors.
  template <class F>
  static void each(const double* x, const double* z, double* y, size_t n, F f) noexcept {
    size_t i = 0;
    for (; i + V <= n; i += V) {
      const D zv = z ? D::load_unaligned(z + i) : D(0.0);
      f(D::load_unaligned(x + i), D::load_unaligned(y + i), zv).store_unaligned(y + i);
    }
    if (i < n) {
      alignas(64) double xs[V] = {}, ys[V] = {}, zs[V] = {};
      for (size_t j = i; j < n; ++j) {
        xs[j - i] = x[j];
        ys[j - i] = y[j];
        if (z) zs[j - i] = z[j];
      }
      f(D::load_aligned(xs), D::load_aligned(ys), D::load_aligned(zs)).store_aligned(ys);
      for (size_t j = i; j < n; ++j) y[j] = ys[j - i];
    }
  }

  // The candidates stay in registers over a vector of rows: a compare and a
  // blend per value and category, one load and store per vector.
  static void lookup(const double* x, size_t n, const double* values, const double* codes, size_t m,
                     double otherwise, double* y) noexcept {
    size_t i = 0;
    for (; i + V <= n; i += V) {
      const D xv = D::load_unaligned(x + i);
      D v(otherwise);
      for (size_t c = 0; c < m; ++c) v = xsimd::select(xv == D(values[c]), D(codes[c]), v);
      v.store_unaligned(y + i);
    }
    column_lookup_reference(x + i, n - i, values, codes, m, otherwise, y + i);
  }

  static void run(ColumnOp op, const ColumnArgs& p, const double* x, const double* z, double* y, size_t n) noexcept {
    const D a(p.a), b(p.b), lo(p.lo), hi(p.hi), one(1.0), zero(0.0);
    switch (op) {
      case ColumnOp::sub_div: return each(x, nullptr, y, n, [&](D v, D, D) { return (v - a) / b; });
      case ColumnOp::sub: return each(x, nullptr, y, n, [&](D v, D, D) { return v - a; });
      case ColumnOp::div: return each(x, nullptr, y, n, [&](D v, D, D) { return v / b; });
      case ColumnOp::mul_add: return each(x, nullptr, y, n, [&](D v, D, D) { return v * a + b; });
      case ColumnOp::mul_add_clip:
        return each(x, nullptr, y, n, [&](D v, D, D) {
          D t = v * a + b;
          t = xsimd::select(t < lo, lo, t);
          return xsimd::select(hi < t, hi, t);
        });
      case ColumnOp::fill_nan: return each(x, nullptr, y, n, [&](D v, D, D) { return xsimd::select(xsimd::isnan(v), a, v); });
      case ColumnOp::fill_equal: return each(x, nullptr, y, n, [&](D v, D, D) { return xsimd::select(v == b, a, v); });
      case ColumnOp::is_nan: return each(x, nullptr, y, n, [&](D v, D, D) { return xsimd::select(xsimd::isnan(v), one, zero); });
      case ColumnOp::is_equal: return each(x, nullptr, y, n, [&](D v, D, D) { return xsimd::select(v == b, one, zero); });
      case ColumnOp::set_if_nan: return each(x, nullptr, y, n, [&](D v, D w, D) { return xsimd::select(xsimd::isnan(v), a, w); });
      case ColumnOp::set_if_equal: return each(x, nullptr, y, n, [&](D v, D w, D) { return xsimd::select(v == b, a, w); });
      case ColumnOp::mul_into: return each(x, nullptr, y, n, [](D v, D w, D) { return w * v; });
      case ColumnOp::add_square: return each(x, nullptr, y, n, [](D v, D w, D) { return w + v * v; });
      case ColumnOp::add_abs: return each(x, nullptr, y, n, [](D v, D w, D) { return w + xsimd::abs(v); });
      case ColumnOp::max_abs:
        return each(x, nullptr, y, n, [](D v, D w, D) { return xsimd::select(w < xsimd::abs(v), xsimd::abs(v), w); });
      case ColumnOp::div_by: return each(x, z, y, n, [](D v, D, D s) { return v / s; });
      case ColumnOp::greater: return each(x, nullptr, y, n, [&](D v, D, D) { return xsimd::select(a < v, one, zero); });
      case ColumnOp::add_sub_mul: return each(x, nullptr, y, n, [&](D v, D w, D) { return w + (v - a) * b; });
      case ColumnOp::add_sub_square:
        return each(x, nullptr, y, n, [&](D v, D w, D) {
          const D t = v - a;
          return w + t * t;
        });
      case ColumnOp::sqrt: return each(x, nullptr, y, n, [](D v, D, D) { return xsimd::sqrt(v); });
    }
  }
};

}  // namespace
}  // namespace mlmap::kernels
