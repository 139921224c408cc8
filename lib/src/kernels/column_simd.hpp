// The column kernels over xsimd, instantiated per ISA in column_<isa>.cc: the
// same operations as column_op_scalar, lane by lane; the last n % V values
// through a full-width buffer (lanes are independent).  Internal linkage (see
// tree_simd.hpp for why).
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>

#include "kernels/column_kernels.hpp"
#include "kernels/simd_loads.hpp"

namespace mlmap::kernels {
namespace {

template <class Arch>
struct ColumnSimd {
  using D = xsimd::batch<double, Arch>;
  static constexpr size_t V = D::size;

  // A unary op on a vector: unary_value's formulas lane by lane, one home
  // for them (inlined with a constant op, the switch folds away).
  static D unary(ColumnOp op, const D& v, const D& a, const D& b, const D& lo, const D& hi) noexcept {
    const D one(1.0), zero(0.0);
    switch (op) {
      case ColumnOp::sub_div: return (v - a) / b;
      case ColumnOp::sub: return v - a;
      case ColumnOp::div: return v / b;
      case ColumnOp::mul_add: return v * a + b;
      case ColumnOp::mul_add_clip: {
        D t = v * a + b;
        t = xsimd::select(t < lo, lo, t);
        return xsimd::select(hi < t, hi, t);
      }
      case ColumnOp::fill_nan: return xsimd::select(xsimd::isnan(v), a, v);
      case ColumnOp::fill_equal: return xsimd::select(v == b, a, v);
      case ColumnOp::is_nan: return xsimd::select(xsimd::isnan(v), one, zero);
      case ColumnOp::is_equal: return xsimd::select(v == b, one, zero);
      case ColumnOp::greater: return xsimd::select(a < v, one, zero);
      case ColumnOp::sqrt: return xsimd::sqrt(v);
      default: return v;  // not unary: never asked
    }
  }

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

  template <ColumnOp Op>
  static void unary_each(const double* x, double* y, size_t n, const D& a, const D& b, const D& lo, const D& hi) noexcept {
    each(x, nullptr, y, n, [&](D v, D, D) { return unary(Op, v, a, b, lo, hi); });
  }

  // A tile of rows at a time: the inputs widened into F, then each stage
  // over the tile in F (in L1), its op a constant of the loop (a fill and
  // the stage after it together, map_stages).  The tile's
  // rows lie end to end in F, and the stage runs over them as one array of
  // values, V at a time, with the arguments' periodic layout (RowMap): every
  // lane does work (V = 8 and 12 features: no half-empty vector per row;
  // divisions bound the time).  Inputs that are whole rows of consecutive
  // columns load the same way; others row by row, V features at a time (the
  // last n_features % V masked), or lane by lane when not consecutive.
  static constexpr size_t map_tile_rows = 32;  // a multiple of 8: tiles end at a period

  // Stage s over count values of the tile: from src (the tile itself, or for
  // the first stage the input rows, widened as they load) into f.
  template <ColumnOp Op, class S>
  static void map_stage(const RowMap& m, size_t s, const S* src, double* f, size_t count) noexcept {
    const double *pa = m.arg(s, 0), *pb = m.arg(s, 1), *plo = m.arg(s, 2), *phi = m.arg(s, 3);
    size_t j = 0, p = 0;
    for (; j + V <= count; j += V) {
      const D lo = Op == ColumnOp::mul_add_clip ? D::load_unaligned(plo + p) : D(0.0);
      const D hi = Op == ColumnOp::mul_add_clip ? D::load_unaligned(phi + p) : D(0.0);
      unary(Op, SimdLoads<Arch>::load(src + j), D::load_unaligned(pa + p), D::load_unaligned(pb + p), lo, hi)
          .store_unaligned(f + j);
      p += V;
      if (p == m.period) p = 0;
    }
    if (j < count) {
      const auto left = static_cast<uint32_t>(count - j);
      SimdLoads<Arch>::store_partial(unary(Op, SimdLoads<Arch>::load_partial(src + j, left), D::load_unaligned(pa + p),
                                           D::load_unaligned(pb + p), D::load_unaligned(plo + p),
                                           D::load_unaligned(phi + p)),
                                     f + j, left);
    }
  }

  template <class S>
  static void map_stage(const RowMap& m, size_t s, const S* src, double* f, size_t count) noexcept {
    with_unary_op(m.ops[s], [&](auto Op) { map_stage<Op()>(m, s, src, f, count); }, [] {});  // a row map's are unary
  }

  // An imputer's fill (stage s, fill_nan) and the stage after it in one pass
  // over the tile: a scaler's divisions after it bound the time, and the
  // fill's loads, compares and blends run beside them instead of in a pass
  // of their own.  Each value meets the same two operations in the same
  // order: the same bits as map_stage twice.
  template <ColumnOp Op, class S>
  static void map_filled(const RowMap& m, size_t s, const S* src, double* f, size_t count) noexcept {
    const double* fill = m.arg(s, 0);
    const double *pa = m.arg(s + 1, 0), *pb = m.arg(s + 1, 1), *plo = m.arg(s + 1, 2), *phi = m.arg(s + 1, 3);
    const D zero(0.0);
    auto both = [&](const D& x, size_t p) {
      const D lo = Op == ColumnOp::mul_add_clip ? D::load_unaligned(plo + p) : zero;
      const D hi = Op == ColumnOp::mul_add_clip ? D::load_unaligned(phi + p) : zero;
      const D v = unary(ColumnOp::fill_nan, x, D::load_unaligned(fill + p), zero, zero, zero);
      return unary(Op, v, D::load_unaligned(pa + p), D::load_unaligned(pb + p), lo, hi);
    };
    size_t j = 0, p = 0;
    for (; j + V <= count; j += V) {
      both(SimdLoads<Arch>::load(src + j), p).store_unaligned(f + j);
      p += V;
      if (p == m.period) p = 0;
    }
    if (j < count) {
      const auto left = static_cast<uint32_t>(count - j);
      SimdLoads<Arch>::store_partial(both(SimdLoads<Arch>::load_partial(src + j, left), p), f + j, left);
    }
  }

  // Stages [s, n_stages) over the tile, the first from src: a fill and the
  // stage after it fused (map_filled), the others one pass each.
  template <class S>
  static void map_stages(const RowMap& m, size_t s, const S* src, double* tile, size_t count) noexcept {
    if (s >= m.n_stages) return;
    if (s + 1 < m.n_stages && m.ops[s] == ColumnOp::fill_nan) {
      with_unary_op(m.ops[s + 1], [&](auto Op) { map_filled<Op()>(m, s, src, tile, count); }, [] {});
      s += 2;
    } else {
      map_stage(m, s, src, tile, count);
      s += 1;
    }
    for (; s < m.n_stages; ++s) map_stage(m, s, static_cast<const double*>(tile), tile, count);
  }

  template <class T>
  static void widen(const T* x, size_t count, double* f) noexcept {
    size_t j = 0;
    for (; j + V <= count; j += V) SimdLoads<Arch>::load(x + j).store_unaligned(f + j);
    if (j < count)
      SimdLoads<Arch>::store_partial(SimdLoads<Arch>::load_partial(x + j, static_cast<uint32_t>(count - j)), f + j,
                                     count - j);
  }

  template <class T>
  static void map_rows(const RowMap& m, const T* X, size_t width, size_t n, double* F) noexcept {
    const size_t nf = m.n_features;
    bool consecutive = true;
    for (size_t k = 1; k < nf; ++k) consecutive = consecutive && m.cols[k] == m.cols[0] + k;
    const size_t first = nf ? m.cols[0] : 0;
    const bool whole_rows = consecutive && first == 0 && width == nf;
    for (size_t i0 = 0; i0 < n; i0 += map_tile_rows) {
      const size_t rows = n - i0 < map_tile_rows ? n - i0 : map_tile_rows;
      double* tile = F + i0 * nf;
      const size_t count = rows * nf;
      if (whole_rows && m.n_stages > 0) {  // the first stage widens the rows as it reads them
        map_stages(m, 0, X + i0 * width, tile, count);
        continue;
      }
      if (whole_rows) {
        widen(X + i0 * width, count, tile);
      } else {
        for (size_t i = 0; i < rows; ++i) {
          const T* x = X + (i0 + i) * width;
          if (consecutive)
            widen(x + first, nf, tile + i * nf);
          else
            for (size_t k = 0; k < nf; ++k) tile[i * nf + k] = static_cast<double>(x[m.cols[k]]);
        }
      }
      map_stages(m, 0, static_cast<const double*>(tile), tile, count);
    }
  }

  static void run(ColumnOp op, const ColumnArgs& p, const double* x, const double* z, double* y, size_t n) noexcept {
    const D a(p.a), b(p.b), lo(p.lo), hi(p.hi);
    return with_unary_op(
        op, [&](auto Op) { unary_each<Op()>(x, y, n, a, b, lo, hi); },
        [&] {
          switch (op) {
            case ColumnOp::set_if_nan: return each(x, nullptr, y, n, [&](D v, D w, D) { return xsimd::select(xsimd::isnan(v), a, w); });
            case ColumnOp::set_if_equal: return each(x, nullptr, y, n, [&](D v, D w, D) { return xsimd::select(v == b, a, w); });
            case ColumnOp::mul_into: return each(x, nullptr, y, n, [](D v, D w, D) { return w * v; });
            case ColumnOp::add_square: return each(x, nullptr, y, n, [](D v, D w, D) { return w + v * v; });
            case ColumnOp::add_abs: return each(x, nullptr, y, n, [](D v, D w, D) { return w + xsimd::abs(v); });
            case ColumnOp::max_abs:
              return each(x, nullptr, y, n, [](D v, D w, D) { return xsimd::select(w < xsimd::abs(v), xsimd::abs(v), w); });
            case ColumnOp::div_by: return each(x, z, y, n, [](D v, D, D s) { return v / s; });
            case ColumnOp::mul: return each(x, z, y, n, [](D v, D, D s) { return v * s; });
            case ColumnOp::add_sub_mul: return each(x, nullptr, y, n, [&](D v, D w, D) { return w + (v - a) * b; });
            case ColumnOp::add_sub_square:
              return each(x, nullptr, y, n, [&](D v, D w, D) {
                const D t = v - a;
                return w + t * t;
              });
            default: return;  // unary: above
          }
        });
  }
};

}  // namespace
}  // namespace mlmap::kernels
