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
#include <type_traits>

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
  mul,           // y = x * z
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

/// A unary op on one value: the formulas of the scalar reference, one home
/// for them (inlined with a constant op, the switch folds away).
inline double unary_value(ColumnOp op, double v, double a, double b, double lo, double hi) noexcept {
  switch (op) {
    case ColumnOp::sub_div: return (v - a) / b;
    case ColumnOp::sub: return v - a;
    case ColumnOp::div: return v / b;
    case ColumnOp::mul_add: return v * a + b;
    case ColumnOp::mul_add_clip: {
      double t = v * a + b;
      t = t < lo ? lo : t;
      return hi < t ? hi : t;
    }
    case ColumnOp::fill_nan: return std::isnan(v) ? a : v;
    case ColumnOp::fill_equal: return v == b ? a : v;
    case ColumnOp::is_nan: return std::isnan(v) ? 1.0 : 0.0;
    case ColumnOp::is_equal: return v == b ? 1.0 : 0.0;
    case ColumnOp::greater: return a < v ? 1.0 : 0.0;
    case ColumnOp::sqrt: return std::sqrt(v);
    default: return v;  // not unary: never asked
  }
}

/// f(std::integral_constant<ColumnOp, Op>{}) with Op = op when op is unary
/// (reads only x and its arguments), else otherwise(): the kernels' loops
/// take their op as a constant.  The one home of the switch from a unary op
/// to its instantiation (inlined: each case becomes its instantiation's call,
/// as a hand-written switch would).
template <class F, class G>
constexpr inline __attribute__((always_inline)) decltype(auto) with_unary_op(ColumnOp op, F&& f, G&& otherwise) noexcept {
  using C = ColumnOp;
  switch (op) {
    case C::sub_div: return f(std::integral_constant<C, C::sub_div>{});
    case C::sub: return f(std::integral_constant<C, C::sub>{});
    case C::div: return f(std::integral_constant<C, C::div>{});
    case C::mul_add: return f(std::integral_constant<C, C::mul_add>{});
    case C::mul_add_clip: return f(std::integral_constant<C, C::mul_add_clip>{});
    case C::fill_nan: return f(std::integral_constant<C, C::fill_nan>{});
    case C::fill_equal: return f(std::integral_constant<C, C::fill_equal>{});
    case C::is_nan: return f(std::integral_constant<C, C::is_nan>{});
    case C::is_equal: return f(std::integral_constant<C, C::is_equal>{});
    case C::greater: return f(std::integral_constant<C, C::greater>{});
    case C::sqrt: return f(std::integral_constant<C, C::sqrt>{});
    default: return otherwise();
  }
}

/// Whether `op` reads only x and its arguments (not y or z): the ops a row
/// map (map_rows) chains.
constexpr bool is_unary(ColumnOp op) noexcept {
  return with_unary_op(op, [](auto) { return true; }, [] { return false; });
}

namespace column_detail {
template <class F>
inline void each(const double* __restrict x, double* __restrict y, size_t n, F f) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = f(x[i], y[i]);
}
template <ColumnOp Op>
inline void unary(const double* __restrict x, double* __restrict y, size_t n, const ColumnArgs& p) noexcept {
  const double a = p.a, b = p.b, lo = p.lo, hi = p.hi;
  for (size_t i = 0; i < n; ++i) y[i] = unary_value(Op, x[i], a, b, lo, hi);
}
}  // namespace column_detail

/// The scalar reference.
inline void column_op_reference(ColumnOp op, const ColumnArgs& p, const double* x, const double* z, double* y,
                                size_t n) noexcept {
  using column_detail::each;
  const double a = p.a, b = p.b;
  return with_unary_op(
      op, [&](auto Op) { column_detail::unary<Op()>(x, y, n, p); },
      [&] {
        switch (op) {
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
          case ColumnOp::mul:
            for (size_t i = 0; i < n; ++i) y[i] = x[i] * z[i];
            return;
          case ColumnOp::add_sub_mul: return each(x, y, n, [=](double v, double w) { return w + (v - a) * b; });
          case ColumnOp::add_sub_square:
            return each(x, y, n, [=](double v, double w) {
              const double t = v - a;
              return w + t * t;
            });
          default: return;  // unary: above
        }
      });
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

/// Categories that are consecutive integers (values[c] == values[0] + c, a
/// coded categorical column) are found by index instead: the candidate
/// c = x - values[0], kept when values[c] == x.  Exact wherever the search
/// matches (x is then values[0] + c, an integer below 2^31: the subtraction
/// is exact), and the check rules out the rest, so the same result as the
/// search; a few operations per value instead of m compares and blends.
/// The encoders take it (checked once, at open) from column_lookup_index_from
/// categories on.
constexpr size_t column_lookup_index_from = 16;
inline bool consecutive_integers(const double* values, size_t m) noexcept {
  if (m == 0) return false;
  const double v0 = values[0];
  if (!(v0 >= -0x1p30 && v0 <= 0x1p30) || v0 != std::floor(v0)) return false;  // NaN fails
  for (size_t c = 1; c < m; ++c)
    if (values[c] != v0 + static_cast<double>(c)) return false;
  return true;
}
inline void column_lookup_by_index(const double* x, size_t n, const double* values, const double* codes, size_t m,
                                   double otherwise, double* y) noexcept {
  const double v0 = values[0], end = static_cast<double>(m);
  for (size_t i = 0; i < n; ++i) {  // without branches: categories come in no order
    const double t = x[i] - v0;
    const bool in = t >= 0 && t < end;  // NaN fails
    const auto c = static_cast<size_t>(in ? t : 0.0);
    y[i] = in && values[c] == x[i] ? codes[c] : otherwise;
  }
}

/// A program of unary column ops over the features of rows, run along rows
/// rather than down columns (a pipeline of imputers and scalers in front of a
/// predictor that takes rows: no transposes, one pass): feature k of a row is
/// its input column cols[k] through every stage in order, stage s applying
/// ops[s] with feature k's arguments a, b, lo, hi.  Stage s keeps them in four
/// arrays of `period` values from args + 4 * s * period, where period =
/// lcm(n_features, 8) and position p holds feature p % n_features's: over
/// rows laid end to end, a vector of V | 8 values at a multiple of V finds
/// its arguments in one vector load.  Each value goes through the column
/// kernels' IEEE operations in the same order: the same bits as the steps run
/// column by column.
struct RowMap {
  const uint32_t* cols = nullptr;
  size_t n_features = 0;
  const ColumnOp* ops = nullptr;  // every one is_unary
  size_t n_stages = 0;
  const double* args = nullptr;
  size_t period = 0;

  const double* arg(size_t stage, size_t which) const noexcept { return args + (4 * stage + which) * period; }
  /// lcm(n_features, 8).
  static size_t period_for(size_t n_features) noexcept {
    size_t g = n_features, b = 8;
    while (b) {
      const size_t t = g % b;
      g = b;
      b = t;
    }
    return g ? n_features / g * 8 : 8;
  }
};

/// F[i * n_features + k] for rows i < n of X (width values each): the
/// dispatching entries, then the scalar reference.
void map_rows(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept;
void map_rows(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept;
template <class T>
void map_rows_reference(const RowMap& m, const T* X, size_t width, size_t n, double* F) noexcept {
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < m.n_features; ++k) {
      double v = static_cast<double>(X[i * width + m.cols[k]]);
      for (size_t s = 0; s < m.n_stages; ++s)
        v = unary_value(m.ops[s], v, m.arg(s, 0)[k], m.arg(s, 1)[k], m.arg(s, 2)[k], m.arg(s, 3)[k]);
      F[i * m.n_features + k] = v;
    }
}

/// The scalar reference out of line, and one kernel per ISA
/// (column_<isa>.cc).  x and z never overlap y (the steps write fresh slots).
void column_lookup_scalar(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                           double* y) noexcept;
void column_op_scalar(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                      size_t n) noexcept;
void map_rows_scalar(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept;
void map_rows_scalar(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept;
void column_lookup_sse4_2(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                           double* y) noexcept;
void column_op_sse4_2(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                      size_t n) noexcept;
void map_rows_sse4_2(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept;
void map_rows_sse4_2(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept;
void column_lookup_avx2(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                         double* y) noexcept;
void column_op_avx2(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                    size_t n) noexcept;
void map_rows_avx2(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept;
void map_rows_avx2(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept;
void column_lookup_avx512bw(const double* x, size_t n, const double* values, const double* codes, size_t m, double otherwise,
                             double* y) noexcept;
void column_op_avx512bw(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                        size_t n) noexcept;
void map_rows_avx512bw(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept;
void map_rows_avx512bw(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept;

}  // namespace mlmap::kernels
