// The scalar column kernel, out of line (column_kernels.hpp holds it).
#include "kernels/column_kernels.hpp"

namespace mlmap::kernels {

void column_op_scalar(ColumnOp op, const ColumnArgs& args, const double* x, const double* z, double* y,
                      size_t n) noexcept {
  column_op_reference(op, args, x, z, y, n);
}

void column_lookup_scalar(const double* x, size_t n, const double* values, const double* codes, size_t m,
                          double otherwise, double* y) noexcept {
  column_lookup_reference(x, n, values, codes, m, otherwise, y);
}

void map_rows_scalar(const RowMap& m, const float* X, size_t width, size_t n, double* F) noexcept {
  map_rows_reference(m, X, width, n, F);
}

void map_rows_scalar(const RowMap& m, const double* X, size_t width, size_t n, double* F) noexcept {
  map_rows_reference(m, X, width, n, F);
}

}  // namespace mlmap::kernels
