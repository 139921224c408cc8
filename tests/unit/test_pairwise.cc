// The pairwise kernels (distances and dot products against stored rows in
// blocks of 8): the scalar reference against plain per-pair formulas, and
// every ISA kernel this CPU runs, called directly, against the scalar
// reference bit for bit -- float64 and float32 storage, lane tails, several
// queries, a range of blocks that starts past the first.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "kernels/dispatch.hpp"
#include "kernels/pairwise_view.hpp"
#include "support.hpp"
#include "writer/row_blocks.hpp"

using namespace mlmap;
using kernels::RowOp;

namespace {

using KernelFn = void (*)(const kernels::RowBlocksView&, const kernels::PairwiseTask&) noexcept;

struct IsaKernel {
  kernels::Isa isa;
  KernelFn fn;
};

/// Stored rows as the writer lays them out (blocks of 8), float32 or float64,
/// and the kernels' view of them.
struct BlockedRows {
  std::vector<double> blocks64;
  std::vector<float> blocks32;
  kernels::RowBlocksView view;

  BlockedRows(const double* rows64, const float* rows32, size_t n_rows, uint32_t nf) {
    SampleRows src;
    src.rows64 = rows64;
    src.rows32 = rows32;
    src.n_rows = n_rows;
    src.n_features = nf;
    if (rows32) {
      blocks32 = writer::to_row_blocks<float>(src);
      view.data32 = blocks32.data();
    } else {
      blocks64 = writer::to_row_blocks<double>(src);
      view.data64 = blocks64.data();
    }
    view.n_rows = n_rows;
    view.n_features = nf;
  }
  BlockedRows(const BlockedRows&) = delete;  // view points into the vectors
  BlockedRows& operator=(const BlockedRows&) = delete;
};

std::vector<IsaKernel> simd_kernels() {
  std::vector<IsaKernel> out;
  for (auto k : {IsaKernel{kernels::Isa::sse4_2, kernels::pairwise_sse4_2},
                 IsaKernel{kernels::Isa::avx2, kernels::pairwise_avx2},
                 MLMAP_IF_AVX512(IsaKernel{kernels::Isa::avx512bw, kernels::pairwise_avx512bw})})
    if (kernels::isa_supported(k.isa)) out.push_back(k);
  return out;
}

double plain(RowOp op, double p, const double* x, const double* y, size_t n) {
  double acc = 0;
  for (size_t f = 0; f < n; ++f) {
    switch (op) {
      case RowOp::squared_euclidean: acc += (x[f] - y[f]) * (x[f] - y[f]); break;
      case RowOp::manhattan: acc += std::fabs(x[f] - y[f]); break;
      case RowOp::chebyshev: acc = std::max(acc, std::fabs(x[f] - y[f])); break;
      case RowOp::dot: acc += x[f] * y[f]; break;
      case RowOp::minkowski: acc += std::pow(std::fabs(x[f] - y[f]), p); break;
      case RowOp::euclidean_bound:
      case RowOp::euclidean_bound32:
      case RowOp::euclidean_bound16:
      case RowOp::euclidean_flags8: acc += (x[f] - y[f]) * (x[f] - y[f]); break;  // what they bound
    }
  }
  return acc;
}

uint64_t bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

}  // namespace

TEST_CASE("pairwise kernels: the reference computes each pair's sum; every ISA gives its bits") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> g(0, 3);
  const auto simd = simd_kernels();
  MESSAGE("SIMD pairwise kernels on this CPU: " << simd.size());
  int compared = 0;
  for (size_t n_rows : {1, 7, 8, 9, 31, 33, 100, 200}) {
    for (size_t nf : {1, 3, 8, 17, 64}) {
      std::vector<double> rows(n_rows * nf);
      for (auto& v : rows) v = g(rng);
      std::vector<float> rows32(rows.begin(), rows.end());
      std::vector<double> widened(rows32.begin(), rows32.end());
      for (bool f32 : {false, true}) {
        const BlockedRows blocked(f32 ? nullptr : rows.data(), f32 ? rows32.data() : nullptr, n_rows,
                                  static_cast<uint32_t>(nf));
        const kernels::RowBlocksView& view = blocked.view;
        const double* stored = f32 ? widened.data() : rows.data();
        const size_t n_queries = 7;  // register blocks of 4 and 2 queries, and one more
        std::vector<double> queries(n_queries * nf);
        for (auto& v : queries) v = g(rng);
        const std::vector<float> queries32(queries.begin(), queries.end());
        // Squared norms as the writer stores them (blocks padded with 0).
        std::vector<double> query_norms(n_queries), row_norms(view.n_blocks() * 8, 0.0);
        for (size_t q = 0; q < n_queries; ++q)
          for (size_t f = 0; f < nf; ++f) query_norms[q] += queries[q * nf + f] * queries[q * nf + f];
        for (size_t r = 0; r < n_rows; ++r)
          for (size_t f = 0; f < nf; ++f) row_norms[r] += stored[r * nf + f] * stored[r * nf + f];
        const double slack64 = (2.0 * static_cast<double>(nf) + 16) * 0x1p-52;
        for (RowOp op : {RowOp::squared_euclidean, RowOp::manhattan, RowOp::chebyshev, RowOp::dot, RowOp::minkowski,
                         RowOp::euclidean_bound, RowOp::euclidean_bound32, RowOp::euclidean_bound16}) {
          // The slack neighbors.cc gives each bound (float64 rows take the
          // float64 bound whatever the op says).
          // (euclidean_bound16 without its scratch is euclidean_bound32.)
          const bool bound32 = (op == RowOp::euclidean_bound32 || op == RowOp::euclidean_bound16) && f32;
          const double slack = slack64 + (bound32 ? (static_cast<double>(nf) + 4) * 0x1p-23 : 0.0);
          for (uint64_t first : {uint64_t{0}, uint64_t{1}}) {
            if (first >= view.n_blocks()) continue;
            kernels::PairwiseTask t;
            t.op = op;
            t.p = 1.5;
            t.queries = queries.data();
            t.n_queries = n_queries;
            t.first_block = first;
            t.n_blocks = view.n_blocks() - first + 2;  // past the end: not read
            t.stride = (view.n_blocks() + 2) * 8;
            t.query_norms = query_norms.data();
            t.row_norms = row_norms.data();
            t.bound_slack = slack;
            t.queries32 = queries32.data();
            t.bound_floor = bound32 ? (static_cast<double>(nf) + 1) * 0x1p-140 : 0.0;
            std::vector<double> want(n_queries * t.stride, -1.0);
            t.out = want.data();
            kernels::pairwise_scalar(view, t);
            CAPTURE(n_rows);
            CAPTURE(nf);
            CAPTURE(f32);
            CAPTURE(static_cast<int>(op));
            for (size_t q = 0; q < n_queries; ++q)
              for (size_t r = first * 8; r < n_rows; ++r) {
                const double expected = plain(op, 1.5, queries.data() + q * nf, stored + r * nf, nf);
                const double got = want[q * t.stride + r - first * 8];
                if (op == RowOp::euclidean_bound || op == RowOp::euclidean_bound32 || op == RowOp::euclidean_bound16) {
                  // A lower bound of the exact sum, and a close one.
                  const double exact = kernels::squared_distance(view, r, queries.data() + q * nf);
                  CHECK(got <= exact);
                  CHECK(got >= exact - 4 * slack * (query_norms[q] + row_norms[r]));
                } else {
                  CHECK(got == doctest::Approx(expected).epsilon(1e-12));
                }
              }
            for (const auto& k : simd) {
              std::vector<double> got(want.size(), -1.0);
              t.out = got.data();
              k.fn(view, t);
              size_t differ = 0;
              for (size_t i = 0; i < got.size(); ++i) differ += bits(got[i]) != bits(want[i]);
              CAPTURE(kernels::isa_name(k.isa));
              CHECK(differ == 0);
              ++compared;
            }
          }
        }
      }
    }
  }
  if (!simd.empty()) CHECK(compared > 0);
}

TEST_CASE("euclidean_bound32: no bound (-inf) where the float sum overflows, a true one for tiny values") {
  const auto simd = simd_kernels();
  const size_t n_rows = 70, nf = 5;
  for (double scale : {1e-44, 1e-30, 1.0, 1e19, 1e30}) {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> g(0, 1);
    std::vector<float> rows(n_rows * nf);
    for (auto& v : rows) v = static_cast<float>(g(rng) * scale);
    const BlockedRows blocked(nullptr, rows.data(), n_rows, static_cast<uint32_t>(nf));
    const kernels::RowBlocksView& view = blocked.view;
    const size_t n_queries = 5;
    std::vector<double> queries(n_queries * nf);
    for (auto& v : queries) v = g(rng) * scale;
    const std::vector<float> queries32(queries.begin(), queries.end());
    std::vector<double> query_norms(n_queries), row_norms(view.n_blocks() * 8, 0.0), zero(nf, 0.0);
    for (size_t q = 0; q < n_queries; ++q)
      for (size_t f = 0; f < nf; ++f) query_norms[q] += queries[q * nf + f] * queries[q * nf + f];
    for (size_t r = 0; r < n_rows; ++r) row_norms[r] = kernels::squared_distance(view, r, zero.data());
    kernels::PairwiseTask t;
    t.op = RowOp::euclidean_bound32;
    t.queries = queries.data();
    t.queries32 = queries32.data();
    t.n_queries = n_queries;
    t.n_blocks = view.n_blocks();
    t.stride = view.n_blocks() * 8;
    t.query_norms = query_norms.data();
    t.row_norms = row_norms.data();
    t.bound_slack = (2.0 * nf + 16) * 0x1p-52 + (nf + 4.0) * 0x1p-23;
    t.bound_floor = (nf + 1.0) * 0x1p-140;
    std::vector<double> want(n_queries * t.stride);
    t.out = want.data();
    kernels::pairwise_scalar(view, t);
    CAPTURE(scale);
    size_t none = 0;
    for (size_t q = 0; q < n_queries; ++q)
      for (size_t r = 0; r < n_rows; ++r) {
        const double b = want[q * t.stride + r];
        CHECK(b <= kernels::squared_distance(view, r, queries.data() + q * nf));
        none += b == -std::numeric_limits<double>::infinity();
      }
    // float32 products overflow past ~1.8e19: every bound gives up there.
    if (scale >= 1e30) CHECK(none == n_queries * n_rows);
    if (scale <= 1.0) CHECK(none == 0);
    for (const auto& k : simd) {
      std::vector<double> got(want.size());
      t.out = got.data();
      k.fn(view, t);
      size_t differ = 0;
      for (size_t i = 0; i < got.size(); ++i) differ += bits(got[i]) != bits(want[i]);
      CAPTURE(kernels::isa_name(k.isa));
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("next_block_below: every ISA finds the scalar reference's block, NaN counting as below") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 100);
  std::vector<double> d(8 * 300);
  for (auto& v : d) v = u(rng);
  for (size_t i = 0; i < d.size(); i += 97) d[i] = std::numeric_limits<double>::quiet_NaN();
  using Fn = size_t (*)(const double*, size_t, size_t, double) noexcept;
  std::vector<std::pair<kernels::Isa, Fn>> isas = {{kernels::Isa::sse4_2, kernels::next_block_below_sse4_2},
                                                   {kernels::Isa::avx2, kernels::next_block_below_avx2},
                                                   MLMAP_IF_AVX512({kernels::Isa::avx512bw, kernels::next_block_below_avx512bw})};
  int compared = 0;
  for (double root : {-1.0, 0.5, 3.0, 50.0, 101.0}) {
    for (size_t from : {size_t{0}, size_t{1}, size_t{17}, size_t{299}, size_t{300}}) {
      const size_t want = kernels::next_block_below_scalar(d.data(), from, 300, root);
      size_t plain = 300;
      for (size_t b = from; b < 300 && plain == 300; ++b)
        for (size_t l = 0; l < 8; ++l)
          if (!(d[b * 8 + l] >= root)) plain = b;
      CHECK(want == plain);
      for (const auto& [isa, fn] : isas)
        if (kernels::isa_supported(isa)) {
          CAPTURE(kernels::isa_name(isa));
          CHECK(fn(d.data(), from, 300, root) == want);
          ++compared;
        }
    }
  }
  MESSAGE(compared << " SIMD answers compared");
}

TEST_CASE("euclidean_bound16: the bfloat16 kernel gives a true and close lower bound") {
  if (!kernels::bf16_bound_available()) {
    MESSAGE("no AVX512_BF16 on this CPU (or another ISA forced): the bfloat16 kernel is not tested");
    return;
  }
  std::mt19937_64 rng(17);
  std::normal_distribution<double> g(0, 2);
  int checked = 0;
  for (size_t n_rows : {1, 9, 16, 17, 100, 300}) {
    for (uint32_t nf : {1u, 2u, 3u, 17u, 64u}) {
      std::vector<float> rows(n_rows * nf);
      for (auto& v : rows) v = static_cast<float>(g(rng));
      const BlockedRows blocked(nullptr, rows.data(), n_rows, static_cast<uint32_t>(nf));
      const kernels::RowBlocksView& view = blocked.view;
      const size_t n_queries = 7;
      std::vector<double> queries(n_queries * nf);
      for (auto& v : queries) v = g(rng);
      const std::vector<float> queries32(queries.begin(), queries.end());
      const uint32_t pairs = (nf + 1) / 2;
      std::vector<uint32_t> queries16(n_queries * pairs);
      kernels::pack_queries_bf16(queries32.data(), n_queries, nf, queries16.data());
      std::vector<double> query_norms(n_queries), row_norms(view.n_blocks() * 8, 0.0), zero(nf, 0.0);
      for (size_t q = 0; q < n_queries; ++q)
        for (size_t f = 0; f < nf; ++f) query_norms[q] += queries[q * nf + f] * queries[q * nf + f];
      for (size_t r = 0; r < n_rows; ++r) row_norms[r] = kernels::squared_distance(view, r, zero.data());
      for (uint64_t first : {uint64_t{0}, uint64_t{1}}) {
        if (first >= view.n_blocks()) continue;
        std::vector<uint16_t> packed((view.n_blocks() / 2 + 1) * 32 * pairs);
        kernels::PairwiseTask t;
        t.op = RowOp::euclidean_bound16;
        t.queries = queries.data();
        t.queries32 = queries32.data();
        t.queries16 = queries16.data();
        t.packed16 = packed.data();
        t.n_queries = n_queries;
        t.first_block = first;
        t.n_blocks = view.n_blocks() - first + 3;  // past the end: not read
        t.stride = (view.n_blocks() + 3) * 8;
        t.query_norms = query_norms.data();
        t.row_norms = row_norms.data();
        // neighbors.cc's slack and floor
        t.bound_slack = (2.0 * nf + 16) * 0x1p-52 + 0x1.04p-7 + (nf + 2.0) * 0x1p-22;
        t.bound_floor = (nf + 1.0) * 0x1p-120;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        std::vector<double> got(n_queries * t.stride, nan);
        t.out = got.data();
        // Roots from nothing (every block below) to everything (none).
        std::vector<double> roots(n_queries);
        for (size_t q = 0; q < n_queries; ++q) roots[q] = q == 0 ? -1.0 : q == 1 ? 1e300 : 2.0 * static_cast<double>(q * nf) / 3;
        kernels::pairwise(view, t);  // the dispatcher picks the bfloat16 kernel
        CAPTURE(n_rows);
        CAPTURE(nf);
        CAPTURE(first);
        // With a search's flags: no bound written, and the half blocks flagged
        // are those holding a bound below the root, or one within 2^-18 of
        // |x|^2 + |y|^2 + |root| of it (the float32 test's rounding room).
        {
          std::vector<uint64_t> below(n_queries, ~uint64_t{0});
          std::vector<float> terms((view.n_blocks() / 2 + 2) * 16);
          std::vector<double> untouched(got.size(), nan);
          kernels::PairwiseTask f = t;
          f.roots = roots.data();
          f.below = below.data();
          f.row_terms16 = terms.data();
          f.out = untouched.data();
          f.n_blocks = std::min<uint64_t>(t.n_blocks, 32);  // one bit a half block
          const uint64_t blocks = std::min<uint64_t>(view.n_blocks() - first, f.n_blocks);
          kernels::pairwise(view, f);
          for (double v : untouched) CHECK(std::isnan(v));
          for (size_t q = 0; q < n_queries; ++q) {
            if (blocks < 32) CHECK((below[q] >> (2 * blocks)) == 0);  // no half block past the end
            for (uint64_t b = 0; b < 2 * blocks; ++b) {
              bool below_root = false, near_root = false;
              for (size_t l = 0; l < 4; ++l) {
                const double bound = got[q * t.stride + b * 4 + l];
                const uint64_t r = first * 8 + b * 4 + l;
                const double room = 0x1p-18 * (query_norms[q] + row_norms[r] + std::fabs(roots[q]));
                below_root = below_root || !(bound >= roots[q]);
                near_root = near_root || !(bound >= roots[q] + room);
              }
              const bool flagged = (below[q] >> b) & 1;
              if (below_root) CHECK(flagged);
              if (flagged) CHECK(near_root);
            }
          }
        }
        for (size_t q = 0; q < n_queries; ++q) {
          for (size_t r = first * 8; r < n_rows; ++r) {
            const double b = got[q * t.stride + r - first * 8];
            const double exact = kernels::squared_distance(view, r, queries.data() + q * nf);
            const double tq = query_norms[q] + row_norms[r];
            CHECK(b <= exact);
            // bfloat16 keeps 8 bits: within ~2^-8 t of 2 x.y, and the slack
            CHECK(b >= exact - 2 * t.bound_slack * tq - 0x1p-7 * tq);
            ++checked;
          }
          // Lanes past the last row are written (0 rows), blocks past the end not.
          for (size_t i = (view.n_blocks() - first) * 8; i < t.stride; ++i) CHECK(std::isnan(got[q * t.stride + i]));
        }
      }
    }
  }
  MESSAGE(checked << " bfloat16 bounds checked");
}

TEST_CASE("squared_distance_pairs: the reference is squared_distance per lane of a half block; every ISA gives its bits") {
  using Fn = void (*)(const kernels::RowBlocksView&, const kernels::HalfBlockPairs&) noexcept;
  const std::vector<std::pair<kernels::Isa, Fn>> isas = {
      {kernels::Isa::sse4_2, kernels::squared_distance_pairs_sse4_2},
      {kernels::Isa::avx2, kernels::squared_distance_pairs_avx2},
      MLMAP_IF_AVX512({kernels::Isa::avx512bw, kernels::squared_distance_pairs_avx512bw})};
  std::mt19937_64 rng(23);
  std::normal_distribution<double> g(0, 3);
  int compared = 0;
  for (size_t n_rows : {1, 9, 100}) {
    for (uint32_t nf : {1u, 5u, 64u}) {
      std::vector<double> rows(n_rows * nf);
      for (auto& v : rows) v = g(rng);
      const std::vector<float> rows32(rows.begin(), rows.end());
      for (bool f32 : {false, true}) {
        const BlockedRows blocked(f32 ? nullptr : rows.data(), f32 ? rows32.data() : nullptr, n_rows,
                                  static_cast<uint32_t>(nf));
        const kernels::RowBlocksView& view = blocked.view;
        const size_t n_queries = 5;
        std::vector<double> queries(n_queries * nf);
        for (auto& v : queries) v = g(rng);
        // 0 to 19 pairs: the groups of 8 / 4 and the ones left over.
        for (size_t n_pairs : {0, 1, 3, 8, 19}) {
          std::vector<uint32_t> query(n_pairs);
          std::vector<uint64_t> half(n_pairs);
          for (size_t i = 0; i < n_pairs; ++i) {
            query[i] = static_cast<uint32_t>(rng() % n_queries);
            half[i] = rng() % (2 * view.n_blocks());
          }
          kernels::HalfBlockPairs p;
          p.queries = queries.data();
          p.query = query.data();
          p.half = half.data();
          p.n_pairs = n_pairs;
          std::vector<double> want(n_pairs * 4, -1.0);
          p.out = want.data();
          kernels::squared_distance_pairs_scalar(view, p);
          CAPTURE(n_rows);
          CAPTURE(nf);
          CAPTURE(f32);
          for (size_t i = 0; i < n_pairs; ++i)
            for (size_t l = 0; l < 4; ++l)
              CHECK(bits(want[i * 4 + l]) ==
                    bits(kernels::squared_distance(view, half[i] * 4 + l, queries.data() + query[i] * nf)));
          for (const auto& [isa, fn] : isas) {
            if (!kernels::isa_supported(isa)) continue;
            std::vector<double> got(want.size(), -2.0);
            p.out = got.data();
            fn(view, p);
            size_t differ = 0;
            for (size_t i = 0; i < got.size(); ++i) differ += bits(got[i]) != bits(want[i]);
            CAPTURE(kernels::isa_name(isa));
            CHECK(differ == 0);
            ++compared;
          }
        }
      }
    }
  }
  MESSAGE(compared << " SIMD pair lists compared");
}

TEST_CASE("euclidean_bound16 flags: every half block holding a row nearer than the root is flagged, at any scale") {
  if (!kernels::bf16_bound_available()) {
    MESSAGE("no AVX512_BF16 on this CPU (or another ISA forced): the bfloat16 kernel is not tested");
    return;
  }
  const size_t n_rows = 70, n_queries = 6;
  const uint32_t nf = 7, pairs = (nf + 1) / 2;
  int flagged = 0;
  // Tiny values (bfloat16 and float32 subnormals), ordinary ones, and ones
  // whose products overflow float32 (no bound: every half block).
  for (double scale : {1e-42, 1e-20, 1.0, 1e10, 1e19, 1e30}) {
    std::mt19937_64 rng(29);
    std::normal_distribution<double> g(0, 1);
    std::vector<float> rows(n_rows * nf);
    for (auto& v : rows) v = static_cast<float>(g(rng) * scale);
    const BlockedRows blocked(nullptr, rows.data(), n_rows, static_cast<uint32_t>(nf));
    const kernels::RowBlocksView& view = blocked.view;
    std::vector<double> queries(n_queries * nf);
    for (auto& v : queries) v = g(rng) * scale;
    std::vector<float> queries32(queries.size());
    for (size_t i = 0; i < queries.size(); ++i) queries32[i] = static_cast<float>(queries[i]);
    std::vector<uint32_t> queries16(n_queries * pairs);
    kernels::pack_queries_bf16(queries32.data(), n_queries, nf, queries16.data());
    std::vector<double> query_norms(n_queries), row_norms(view.n_blocks() * 8, 0.0), zero(nf, 0.0);
    for (size_t q = 0; q < n_queries; ++q)
      for (size_t f = 0; f < nf; ++f) query_norms[q] += queries[q * nf + f] * queries[q * nf + f];
    for (size_t r = 0; r < n_rows; ++r) row_norms[r] = kernels::squared_distance(view, r, zero.data());
    // Roots: the search's start (DBL_MAX), each query's exact distances to a
    // few rows, 0 and below.
    for (int pick : {0, 1, 2, 3}) {
      std::vector<double> roots(n_queries);
      for (size_t q = 0; q < n_queries; ++q) {
        const double d = kernels::squared_distance(view, (q * 11 + pick * 17) % n_rows, queries.data() + q * nf);
        roots[q] = pick == 0 ? std::numeric_limits<double>::max() : pick == 3 ? (q % 2 ? 0.0 : -1.0) : d;
      }
      std::vector<uint16_t> packed((view.n_blocks() / 2 + 1) * 32 * pairs);
      std::vector<float> terms((view.n_blocks() / 2 + 1) * 16);
      std::vector<uint64_t> below(n_queries, 0);
      kernels::PairwiseTask t;
      t.op = RowOp::euclidean_bound16;
      t.queries = queries.data();
      t.queries32 = queries32.data();
      t.queries16 = queries16.data();
      t.packed16 = packed.data();
      t.n_queries = n_queries;
      t.n_blocks = view.n_blocks();
      t.query_norms = query_norms.data();
      t.row_norms = row_norms.data();
      t.bound_slack = (2.0 * nf + 16) * 0x1p-52 + 0x1.04p-7 + (nf + 2.0) * 0x1p-22;  // neighbors.cc's
      t.bound_floor = (nf + 1.0) * 0x1p-120;
      t.roots = roots.data();
      t.below = below.data();
      t.row_terms16 = terms.data();
      kernels::pairwise(view, t);
      CAPTURE(scale);
      CAPTURE(pick);
      for (size_t q = 0; q < n_queries; ++q)
        for (size_t r = 0; r < n_rows; ++r)
          if (kernels::squared_distance(view, r, queries.data() + q * nf) < roots[q]) {
            CHECK(((below[q] >> (r / 4)) & 1) == 1);
            ++flagged;
          }
    }
  }
  MESSAGE(flagged << " rows nearer than their root, each flagged");
}

TEST_CASE("euclidean_bound16: float64 rows give the values of the same rows rounded to float") {
  if (!kernels::bf16_bound_available()) {
    MESSAGE("no AVX512_BF16 on this CPU (or another ISA forced): the bfloat16 kernel is not tested");
    return;
  }
  std::mt19937_64 rng(31);
  std::normal_distribution<double> g(0, 2);
  for (size_t n_rows : {1, 17, 100}) {
    for (uint32_t nf : {1u, 6u, 33u}) {
      std::vector<double> rows(n_rows * nf);
      for (auto& v : rows) v = g(rng);
      rows[0] = 1e39;  // beyond float's range: infinite either way
      std::vector<float> rows32(rows.size());
      for (size_t i = 0; i < rows.size(); ++i)
        rows32[i] = std::fabs(rows[i]) <= std::numeric_limits<float>::max() ? static_cast<float>(rows[i])
                                                                            : std::numeric_limits<float>::infinity();
      SampleRows src64, src32;
      src64.rows64 = rows.data();
      src32.rows32 = rows32.data();
      src64.n_rows = src32.n_rows = n_rows;
      src64.n_features = src32.n_features = nf;
      const auto blocks64 = writer::to_row_blocks<double>(src64);
      const auto blocks32 = writer::to_row_blocks<float>(src32);
      kernels::RowBlocksView view64, view32;
      view64.data64 = blocks64.data();
      view32.data32 = blocks32.data();
      view64.n_rows = view32.n_rows = n_rows;
      view64.n_features = view32.n_features = nf;
      const size_t n_queries = 5;
      const uint32_t pairs = (nf + 1) / 2;
      std::vector<double> queries(n_queries * nf);
      for (auto& v : queries) v = g(rng);
      const std::vector<float> queries32(queries.begin(), queries.end());
      std::vector<uint32_t> queries16(n_queries * pairs);
      kernels::pack_queries_bf16(queries32.data(), n_queries, nf, queries16.data());
      std::vector<double> query_norms(n_queries, 1.0), row_norms(view64.n_blocks() * 8, 2.0);
      std::vector<uint16_t> packed((view64.n_blocks() / 2 + 1) * 32 * pairs);
      kernels::PairwiseTask t;
      t.op = RowOp::euclidean_bound16;
      t.queries = queries.data();
      t.queries32 = queries32.data();
      t.queries16 = queries16.data();
      t.packed16 = packed.data();
      t.n_queries = n_queries;
      t.n_blocks = view64.n_blocks();
      t.stride = view64.n_blocks() * 8;
      t.query_norms = query_norms.data();
      t.row_norms = row_norms.data();
      t.bound_slack = 0x1p-7;
      std::vector<double> want(n_queries * t.stride), got(want.size());
      t.out = want.data();
      kernels::pairwise(view32, t);
      t.out = got.data();
      kernels::pairwise(view64, t);
      CAPTURE(n_rows);
      CAPTURE(nf);
      size_t differ = 0;
      for (size_t i = 0; i < got.size(); ++i) differ += bits(got[i]) != bits(want[i]);
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("euclidean_flags8: every half block holding a row nearer than the root is flagged, at any scale") {
  if (!kernels::int8_bound_available()) {
    MESSAGE("no AVX512_VNNI on this CPU (or another ISA forced): the int8 kernel is not tested");
    return;
  }
  const size_t n_queries = 9;
  int flagged = 0, ruled_out = 0;
  // Tiny values (scales near underflow), ordinary ones, ones whose squares
  // overflow (no bound), features of very different sizes; float32 and
  // float64 rows; widths not a multiple of 4; a last group of one block.
  for (double scale : {1e-300, 1e-42, 1e-20, 1.0, 1e10, 1e30, 1e160}) {
    for (bool wide_feature : {false, true}) {
      for (bool f64 : {false, true}) {
        for (uint32_t nf : {1u, 7u, 33u}) {
          for (size_t n_rows : {5, 70, 256}) {
            std::mt19937_64 rng(37 + nf + n_rows);
            std::normal_distribution<double> g(0, 1);
            std::vector<double> rows(n_rows * nf);
            for (size_t i = 0; i < rows.size(); ++i) rows[i] = g(rng) * scale * (wide_feature && i % nf == 0 ? 1e6 : 1);
            std::vector<float> rows32(rows.begin(), rows.end());
            const BlockedRows blocked(f64 ? rows.data() : nullptr, f64 ? nullptr : rows32.data(), n_rows, nf);
            const kernels::RowBlocksView& view = blocked.view;
            // Queries near some rows (the search's interesting case) and anywhere.
            std::vector<double> queries(n_queries * nf);
            for (size_t q = 0; q < n_queries; ++q)
              for (size_t f = 0; f < nf; ++f)
                queries[q * nf + f] = q % 2 ? (f64 ? rows[(q % n_rows) * nf + f] : rows32[(q % n_rows) * nf + f]) +
                                                  0.1 * scale * g(rng)
                                            : g(rng) * scale;
            const uint32_t quads = (nf + 3) / 4;
            std::vector<uint32_t> queries8(n_queries * quads);
            std::vector<double> l1(n_queries);
            const double s = kernels::pack_queries_int8(queries.data(), n_queries, nf, queries8.data(), l1.data());
            std::vector<double> query_norms(n_queries, 0.0), row_norms(view.n_blocks() * 8, 0.0), zero(nf, 0.0);
            for (size_t q = 0; q < n_queries; ++q)
              for (size_t f = 0; f < nf; ++f) query_norms[q] += queries[q * nf + f] * queries[q * nf + f];
            for (size_t r = 0; r < n_rows; ++r) row_norms[r] = kernels::squared_distance(view, r, zero.data());
            // Roots: the search's start (DBL_MAX), exact distances to a few
            // rows (the k-th of a search lies among them), 0, below 0, NaN.
            for (int pick : {0, 1, 2, 3, 4}) {
              std::vector<double> roots(n_queries);
              for (size_t q = 0; q < n_queries; ++q) {
                std::vector<double> d(n_rows);
                for (size_t r = 0; r < n_rows; ++r) d[r] = kernels::squared_distance(view, r, queries.data() + q * nf);
                std::sort(d.begin(), d.end());
                roots[q] = pick == 0   ? std::numeric_limits<double>::max()
                           : pick == 1 ? d[std::min<size_t>(3, n_rows - 1)]
                           : pick == 2 ? d[n_rows / 2]
                           : pick == 3 ? (q % 2 ? 0.0 : -1.0)
                                       : std::numeric_limits<double>::quiet_NaN();
              }
              std::vector<uint32_t> packed((view.n_blocks() / 2 + 1) * 16 * quads);
              std::vector<int32_t> terms((view.n_blocks() / 2 + 1) * 16);
              std::vector<uint64_t> below(n_queries, 0);
              kernels::PairwiseTask t;
              t.op = RowOp::euclidean_flags8;
              t.queries = queries.data();
              t.queries8 = queries8.data();
              t.query_scale8 = s;
              t.query_l1 = l1.data();
              t.packed8 = packed.data();
              t.row_terms8 = terms.data();
              t.n_queries = n_queries;
              t.n_blocks = view.n_blocks();
              t.query_norms = query_norms.data();
              t.row_norms = row_norms.data();
              t.bound_slack = (2.0 * nf + 16) * 0x1p-52;  // neighbors.cc's
              t.roots = roots.data();
              t.below = below.data();
              kernels::pairwise(view, t);
              CAPTURE(scale);
              CAPTURE(wide_feature);
              CAPTURE(f64);
              CAPTURE(nf);
              CAPTURE(n_rows);
              CAPTURE(pick);
              for (size_t q = 0; q < n_queries; ++q)
                for (size_t r = 0; r < n_rows; ++r) {
                  const bool flag = ((below[q] >> (r / 4)) & 1) == 1;
                  if (!(kernels::squared_distance(view, r, queries.data() + q * nf) >= roots[q])) {
                    CHECK(flag);
                    ++flagged;
                  } else {
                    ruled_out += !flag;
                  }
                }
            }
          }
        }
      }
    }
  }
  MESSAGE(flagged << " rows nearer than their root, each flagged; " << ruled_out << " farther rows ruled out");
  CHECK(ruled_out > 0);  // the bound does rule rows out
}
