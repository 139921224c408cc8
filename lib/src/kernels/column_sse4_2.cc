// The column kernels for sse4_2, compiled with this ISA's flags alone (see
// meson.build) and reached only through dispatch.cc.
#include "kernels/column_simd.hpp"

namespace mlmap::kernels {

void column_op_sse4_2(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                    size_t n) noexcept {
  ColumnSimd<xsimd::sse4_2>::run(op, args, x, z, y, n);
}

void column_lookup_sse4_2(const double* x, size_t n, const double* values, const double* codes, size_t m,
                        double otherwise, double* y) noexcept {
  ColumnSimd<xsimd::sse4_2>::lookup(x, n, values, codes, m, otherwise, y);
}

void map_rows_sse4_2(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept {
  ColumnSimd<xsimd::sse4_2>::map_rows(m, X, width, n, F);
}

void map_rows_sse4_2(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept {
  ColumnSimd<xsimd::sse4_2>::map_rows(m, X, width, n, F);
}

}  // namespace mlmap::kernels
