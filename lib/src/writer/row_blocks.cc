#include "writer/row_blocks.hpp"

#include <cmath>
#include <string>

#include "kernels/pairwise_view.hpp"

namespace mlmap::writer {

namespace {

template <class T, class S>
std::vector<T> blocks(const S* src, size_t n, size_t nf, bool normalize) {
  constexpr size_t L = kernels::block_lanes;
  std::vector<T> out((n + L - 1) / L * nf * L, T(0));
  std::vector<double> row(nf);
  for (size_t r = 0; r < n; ++r) {
    for (size_t f = 0; f < nf; ++f) row[f] = static_cast<double>(src[r * nf + f]);
    if (normalize) {
      // As the reader normalises queries (model/stored_rows.cc).
      double s = 0;
      for (size_t f = 0; f < nf; ++f) s += row[f] * row[f];
      const double norm = std::sqrt(s);
      if (norm != 0)
        for (size_t f = 0; f < nf; ++f) row[f] /= norm;
    }
    T* block = out.data() + (r / L) * nf * L + r % L;
    for (size_t f = 0; f < nf; ++f) block[f * L] = static_cast<T>(row[f]);
  }
  return out;
}

}  // namespace

template <class T>
std::vector<T> to_row_blocks(const SampleRows& rows, bool normalize) {
  if (rows.rows64) return blocks<T>(rows.rows64, rows.n_rows, rows.n_features, normalize);
  return blocks<T>(rows.rows32, rows.n_rows, rows.n_features, normalize);
}

template std::vector<double> to_row_blocks<double>(const SampleRows&, bool);
template std::vector<float> to_row_blocks<float>(const SampleRows&, bool);

Status check_rows(const SampleRows& rows, const char* what) noexcept {
  if ((rows.rows64 != nullptr) == (rows.rows32 != nullptr) || rows.n_rows == 0 || rows.n_features == 0)
    return Error(error_code::invalid_argument,
                 std::string(what) + ": give exactly one of rows64 / rows32, with at least one row and one feature");
  return {};
}

}  // namespace mlmap::writer
