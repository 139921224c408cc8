// The scalar reference of the pairwise kernels: lane by lane, exactly the
// operations of pairwise_simd.hpp.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/pairwise_view.hpp"

namespace mlmap::kernels {

namespace {

// euclidean_bound32 over float rows: the float32 fused sum in feature order,
// then the bound in float64 (-inf where the float sum overflowed: no bound).
double bound32(const float* x32, const float* y, uint32_t nf, double n, const PairwiseTask& t) noexcept {
  float acc = 0;
  for (uint32_t f = 0; f < nf; ++f) acc = std::fmaf(x32[f], y[f * block_lanes], acc);
  const double a = acc;
  if (!(std::fabs(a) <= std::numeric_limits<double>::max())) return -std::numeric_limits<double>::infinity();
  return ((n - 2.0 * a) - t.bound_slack * n) - t.bound_floor;
}

template <class T>
void run(const T* data, const RowBlocksView& rows, const PairwiseTask& t) noexcept {
  const uint32_t nf = rows.n_features;
  const bool f32_bound =
      (t.op == RowOp::euclidean_bound32 || t.op == RowOp::euclidean_bound16) && std::is_same<T, float>::value;
  const uint64_t end = std::min(rows.n_blocks(), t.first_block + t.n_blocks);
  if (t.op == RowOp::euclidean_flags8) return;  // the int8 kernel only (dispatch.cc)
  for (size_t q = 0; q < t.n_queries; ++q) {
    const double* x = t.queries + q * nf;
    for (uint64_t b = t.first_block; b < end; ++b) {
      for (size_t l = 0; l < block_lanes; ++l) {
        const T* y = data + b * nf * block_lanes + l;
        double acc = 0;
        switch (t.op) {
          case RowOp::squared_euclidean:
            for (uint32_t f = 0; f < nf; ++f) {
              const double d = x[f] - static_cast<double>(y[f * block_lanes]);
              acc = acc + d * d;
            }
            break;
          case RowOp::manhattan:
            for (uint32_t f = 0; f < nf; ++f) acc = acc + std::fabs(x[f] - static_cast<double>(y[f * block_lanes]));
            break;
          case RowOp::chebyshev:
            for (uint32_t f = 0; f < nf; ++f) {
              const double d = std::fabs(x[f] - static_cast<double>(y[f * block_lanes]));
              acc = acc > d ? acc : d;
            }
            break;
          case RowOp::dot:
          case RowOp::euclidean_bound:
          case RowOp::euclidean_bound32:
          case RowOp::euclidean_bound16:
            if (f32_bound) break;
            for (uint32_t f = 0; f < nf; ++f) acc = acc + x[f] * static_cast<double>(y[f * block_lanes]);
            break;
          case RowOp::euclidean_flags8:
            break;
          case RowOp::minkowski:
            for (uint32_t f = 0; f < nf; ++f)
              acc = acc + std::pow(std::fabs(x[f] - static_cast<double>(y[f * block_lanes])), t.p);
            break;
        }
        if (t.op == RowOp::euclidean_bound || t.op == RowOp::euclidean_bound32 || t.op == RowOp::euclidean_bound16) {
          const double n = t.query_norms[q] + t.row_norms[b * block_lanes + l];
          if constexpr (std::is_same<T, float>::value)
            if (f32_bound) {
              acc = bound32(t.queries32 + q * nf, y, nf, n, t);
              t.out[q * t.stride + (b - t.first_block) * block_lanes + l] = acc;
              continue;
            }
          acc = (n - 2.0 * acc) - t.bound_slack * n;
        }
        t.out[q * t.stride + (b - t.first_block) * block_lanes + l] = acc;
      }
    }
  }
}

template <class T>
double distance_of(const T* data, const RowBlocksView& rows, uint64_t row, const double* x) noexcept {
  const uint32_t nf = rows.n_features;
  const T* y = data + (row / block_lanes) * nf * block_lanes + row % block_lanes;
  double acc = 0;
  for (uint32_t f = 0; f < nf; ++f) {
    const double d = x[f] - static_cast<double>(y[f * block_lanes]);
    acc = acc + d * d;
  }
  return acc;
}

}  // namespace

size_t next_block_below_scalar(const double* d, size_t from, size_t n_blocks, double root) noexcept {
  for (size_t b = from; b < n_blocks; ++b)
    for (size_t l = 0; l < block_lanes; ++l)
      if (!(d[b * block_lanes + l] >= root)) return b;
  return n_blocks;
}

namespace {

// Nearest, ties to even; float subnormals to a signed 0; infinities stay
// (no NaN reaches here).
uint32_t to_bf16(float f) noexcept {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7f800000u) == 0) return (u >> 16) & 0x8000u;
  if ((u & 0x7f800000u) == 0x7f800000u) return u >> 16;
  u += 0x7fffu + ((u >> 16) & 1u);
  return u >> 16;
}

}  // namespace

void pack_queries_bf16(const float* x32, size_t n_queries, uint32_t n_features, uint32_t* out) noexcept {
  const uint32_t pairs = (n_features + 1) / 2;
  for (size_t q = 0; q < n_queries; ++q)
    for (uint32_t p = 0; p < pairs; ++p) {
      const float* x = x32 + q * n_features;
      out[q * pairs + p] = to_bf16(x[2 * p]) | (2 * p + 1 < n_features ? to_bf16(x[2 * p + 1]) << 16 : 0u);
    }
}

double pack_queries_int8(const double* x, size_t n_queries, uint32_t n_features, uint32_t* out, double* l1) noexcept {
  double top = 0;
  for (size_t i = 0; i < n_queries * n_features; ++i) top = std::max(top, std::fabs(x[i]));
  // A scale a hair above top / 127: every |x / s| < 127, so each
  // |x - s round(x / s)| <= s (1 / 2 + 2^-45) (x / s rounded once).
  const double s = top / 127 * (1 + 0x1p-50);
  const bool ok = s > 0 && std::isfinite(s);
  const uint32_t quads = (n_features + 3) / 4;
  for (size_t q = 0; q < n_queries; ++q) {
    const double* xq = x + q * n_features;
    double sum = 0;
    for (uint32_t f = 0; f < n_features; ++f) sum += std::fabs(xq[f]);
    l1[q] = sum;
    for (uint32_t p = 0; p < quads; ++p) {
      uint32_t word = 0;
      for (uint32_t j = 0; j < 4; ++j) {
        const uint32_t f = 4 * p + j;
        const double v = f < n_features && ok ? std::round(xq[f] / s) : 0.0;
        word |= static_cast<uint32_t>(static_cast<int32_t>(v) + 128) << (8 * j);
      }
      out[q * quads + p] = word;
    }
  }
  return s;
}

double squared_distance(const RowBlocksView& rows, uint64_t row, const double* x) noexcept {
  return rows.data64 ? distance_of(rows.data64, rows, row, x) : distance_of(rows.data32, rows, row, x);
}

void squared_distance_pairs_scalar(const RowBlocksView& rows, const HalfBlockPairs& pairs) noexcept {
  const uint32_t nf = rows.n_features;
  for (size_t i = 0; i < pairs.n_pairs; ++i)
    for (size_t l = 0; l < half_lanes; ++l)
      pairs.out[i * half_lanes + l] =
          squared_distance(rows, pairs.half[i] * half_lanes + l, pairs.queries + size_t{pairs.query[i]} * nf);
}

void pairwise_scalar(const RowBlocksView& rows, const PairwiseTask& task) noexcept {
  if (rows.data64)
    run(rows.data64, rows, task);
  else
    run(rows.data32, rows, task);
}

}  // namespace mlmap::kernels
