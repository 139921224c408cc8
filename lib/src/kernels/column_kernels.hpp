// Elementwise kernels over columns of doubles: the arithmetic of the
// preprocessing steps (FORMAT.md §7), which run column by column over blocks
// of rows.  Each operation is one or two IEEE operations per value in a fixed
// order, with no contraction (-ffp-contract=off, meson.build), so every
// kernel gives the scalar reference's bits (tests/unit/test_column_kernels.cc)
// and the same bits as the per-row definition.
//
// One algorithm written twice: plainly for the scalar reference (below,
// inline, so that a step's call with a constant op folds to one loop) and
// over xsimd for the ISA kernels (column_simd.hpp).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace mlmap::kernels {

/// For i in [0, n), with x, z inputs, y the output (also an input where the
/// formula reads y), a, b, lo, hi from ColumnArgs:
enum class ColumnOp : uint8_t {
  sub_div,       // y = (x - a) / b
  sub,           // y = x - a
  div,           // y = x / b
  mul_add,       // y = x * a + b
  mul_add_clip,  // t = x * a + b; t = t < lo ? lo : t; y = hi < t ? hi : t  (std::min/max order)
  fill_nan,      // y = isnan(x) ? a : x
  fill_equal,    // y = x == b ? a : x
  is_nan,        // y = isnan(x) ? 1 : 0
  is_equal,      // y = x == b ? 1 : 0
  set_if_nan,    // y = isnan(x) ? a : y
  set_if_equal,  // y = x == b ? a : y
  mul_into,      // y = y * x
  add_square,    // y = y + x * x
  add_abs,       // y = y + |x|
  max_abs,       // y = y < |x| ? |x| : y  (std::max(y, |x|): NaN |x| leaves y)
  div_by,        // y = x / z
  greater,       // y = a < x ? 1 : 0  (NaN: 0)
  add_sub_mul,   // y = y + (x - a) * b
  add_sub_square,  // t = x - a; y = y + t * t
  sqrt,          // y = sqrt(x)
};

struct ColumnArgs {
  double a = 0, b = 0, lo = 0, hi = 0;
};

/// Columns shorter than this take the scalar reference: an ISA kernel's call
/// and setup cost more than they save (a one-row prediction).
constexpr size_t column_kernel_min_rows = 16;

/// The dispatching entry: the active ISA's kernel (the scalar reference for
/// fewer than column_kernel_min_rows rows).
void column_op(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y, size_t n) noexcept;

namespace column_detail {
template <class F>
inline void each(const double* __restrict x, double* __restrict y, size_t n, F f) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = f(x[i], y[i]);
}
}  // namespace column_detail

/// The scalar reference.
inline void column_op_reference(ColumnOp op, const ColumnArgs& p, const double* x, const double* z, double* y,
                                size_t n) noexcept {
  using column_detail::each;
  const double a = p.a, b = p.b, lo = p.lo, hi = p.hi;
  switch (op) {
    case ColumnOp::sub_div: return each(x, y, n, [=](double v, double) { return (v - a) / b; });
    case ColumnOp::sub: return each(x, y, n, [=](double v, double) { return v - a; });
    case ColumnOp::div: return each(x, y, n, [=](double v, double) { return v / b; });
    case ColumnOp::mul_add: return each(x, y, n, [=](double v, double) { return v * a + b; });
    case ColumnOp::mul_add_clip:
      return each(x, y, n, [=](double v, double) {
        double t = v * a + b;
        t = t < lo ? lo : t;
        return hi < t ? hi : t;
      });
    case ColumnOp::fill_nan: return each(x, y, n, [=](double v, double) { return std::isnan(v) ? a : v; });
    case ColumnOp::fill_equal: return each(x, y, n, [=](double v, double) { return v == b ? a : v; });
    case ColumnOp::is_nan: return each(x, y, n, [](double v, double) { return std::isnan(v) ? 1.0 : 0.0; });
    case ColumnOp::is_equal: return each(x, y, n, [=](double v, double) { return v == b ? 1.0 : 0.0; });
    case ColumnOp::set_if_nan: return each(x, y, n, [=](double v, double w) { return std::isnan(v) ? a : w; });
    case ColumnOp::set_if_equal: return each(x, y, n, [=](double v, double w) { return v == b ? a : w; });
    case ColumnOp::mul_into: return each(x, y, n, [](double v, double w) { return w * v; });
    case ColumnOp::add_square: return each(x, y, n, [](double v, double w) { return w + v * v; });
    case ColumnOp::add_abs: return each(x, y, n, [](double v, double w) { return w + std::fabs(v); });
    case ColumnOp::max_abs:
      return each(x, y, n, [](double v, double w) { return w < std::fabs(v) ? std::fabs(v) : w; });
    case ColumnOp::div_by:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] / z[i];
      return;
    case ColumnOp::greater: return each(x, y, n, [=](double v, double) { return a < v ? 1.0 : 0.0; });
    case ColumnOp::add_sub_mul: return each(x, y, n, [=](double v, double w) { return w + (v - a) * b; });
    case ColumnOp::add_sub_square:
      return each(x, y, n, [=](double v, double w) {
        const double t = v - a;
        return w + t * t;
      });
    case ColumnOp::sqrt: return each(x, y, n, [](double v, double) { return std::sqrt(v); });
  }
}

/// A lookup among m distinct values: y[i] = codes[c] where x[i] == values[c],
/// else `otherwise` — the encoders' category search over a block (a NaN
/// matches nothing).  Dispatching entry, then the scalar reference.
void column_lookup(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                   double* y) noexcept;
inline void column_lookup_reference(const double* x, size_t n, const double* values, const double* codes, size_t m,
                                    double otherwise, double* y) noexcept {
  for (size_t i = 0; i < n; ++i) {
    double v = otherwise;
    for (size_t c = 0; c < m; ++c) v = x[i] == values[c] ? codes[c] : v;
    y[i] = v;
  }
}

/// The scalar reference out of line, and one kernel per ISA
/// (column_<isa>.cc).  x and z never overlap y (the steps write fresh slots).
void column_lookup_scalar(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                           double* y) noexcept;
void column_op_scalar(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                      size_t n) noexcept;
void column_lookup_sse4_2(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                           double* y) noexcept;
void column_op_sse4_2(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                      size_t n) noexcept;
void column_lookup_avx2(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                         double* y) noexcept;
void column_op_avx2(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                    size_t n) noexcept;
void column_lookup_avx512bw(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                             double* y) noexcept;
void column_op_avx512bw(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                        size_t n) noexcept;

}  // namespace mlmap::kernels
