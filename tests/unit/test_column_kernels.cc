// The preprocessing's kernels: every column operation on every kernel this
// CPU runs gives the scalar reference's bits, on NaN, infinities, signed
// zeros, denormals and ordinary values, for lengths around every vector
// width, from unaligned addresses, and the reference computes the formulas
// of column_kernels.hpp; the transposes move the same bits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/column_kernels.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/transpose_kernels.hpp"

using namespace mlmap::kernels;

namespace {

const double inf = std::numeric_limits<double>::infinity();
const double nan_ = std::numeric_limits<double>::quiet_NaN();

const ColumnOp all_ops[] = {ColumnOp::sub_div,     ColumnOp::sub,        ColumnOp::div,         ColumnOp::mul_add,
                            ColumnOp::mul_add_clip, ColumnOp::fill_nan,   ColumnOp::fill_equal,  ColumnOp::is_nan,
                            ColumnOp::is_equal,     ColumnOp::set_if_nan, ColumnOp::set_if_equal, ColumnOp::mul_into,
                            ColumnOp::add_square,   ColumnOp::add_abs,    ColumnOp::max_abs,     ColumnOp::div_by,
                            ColumnOp::greater,      ColumnOp::add_sub_mul, ColumnOp::add_sub_square, ColumnOp::sqrt,
                            ColumnOp::mul};

std::vector<double> values(std::mt19937_64& rng, size_t n) {
  const double special[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, inf, -inf, nan_, -nan_, 1e308, -1e308,
                            std::numeric_limits<double>::denorm_min(), 3.0};
  std::uniform_real_distribution<double> u(-4, 4);
  std::vector<double> v(n);
  for (auto& x : v) x = rng() % 3 == 0 ? special[rng() % (sizeof special / sizeof special[0])] : u(rng);
  return v;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

using Kernel = void (*)(ColumnOp, const ColumnArgs&, const double*, const double*, double*, size_t) noexcept;

}  // namespace

TEST_CASE("column kernels: the scalar reference computes the documented formulas") {
  const double x[] = {1.5, nan_, -inf, 2.0, -0.0};
  const double z[] = {2.0, 2.0, 2.0, 0.0, -1.0};
  ColumnArgs p;
  p.a = 0.5;
  p.b = 2.0;
  p.lo = -1;
  p.hi = 1;
  double y[5];
  auto run = [&](ColumnOp op, double start = 7.0) {
    for (double& v : y) v = start;
    column_op_scalar(op, p, x, z, y, 5);
  };
  run(ColumnOp::sub_div);
  CHECK(y[0] == (1.5 - 0.5) / 2.0);
  CHECK(std::isnan(y[1]));
  run(ColumnOp::mul_add_clip);
  CHECK(y[0] == 1.0);   // 1.5 * 0.5 + 2 = 2.75, clipped
  CHECK(std::isnan(y[1]));  // NaN stays, as std::min(std::max(NaN, lo), hi) keeps it
  CHECK(y[2] == -1.0);
  run(ColumnOp::fill_equal);
  CHECK(y[3] == 0.5);
  CHECK(y[0] == 1.5);
  run(ColumnOp::set_if_nan);
  CHECK(y[1] == 0.5);
  CHECK(y[0] == 7.0);
  run(ColumnOp::max_abs, 1.0);
  CHECK(y[0] == 1.5);
  CHECK(y[1] == 1.0);  // a NaN |x| leaves y
  CHECK(y[2] == inf);
  run(ColumnOp::div_by);
  CHECK(y[0] == 0.75);
  CHECK(y[3] == inf);
  run(ColumnOp::greater);
  CHECK(y[0] == 1.0);
  CHECK(y[1] == 0.0);  // NaN is not above the threshold
  CHECK(y[2] == 0.0);
  CHECK(y[4] == 0.0);
  run(ColumnOp::add_sub_mul, 1.0);
  CHECK(y[0] == 1.0 + (1.5 - 0.5) * 2.0);
  CHECK(std::isnan(y[1]));
  CHECK(y[2] == -inf);
  run(ColumnOp::add_sub_square, 1.0);
  CHECK(y[0] == 2.0);
  CHECK(y[3] == 1.0 + 1.5 * 1.5);
  CHECK(y[2] == inf);
  run(ColumnOp::sqrt);
  CHECK(y[3] == std::sqrt(2.0));
  CHECK(std::isnan(y[1]));
  run(ColumnOp::mul);
  CHECK(y[0] == 3.0);
  CHECK(std::isnan(y[1]));
  CHECK(y[2] == -inf);
  CHECK(y[3] == 0.0);
  CHECK(std::signbit(y[4]) == false);  // -0 * -1
}

TEST_CASE("column kernels: every kernel gives the scalar reference's bits") {
  std::vector<std::pair<const char*, Kernel>> kernels = {{"dispatch", column_op}};
  for (Isa isa : supported_isas()) {
    if (isa == Isa::sse4_2) kernels.push_back({"sse4_2", column_op_sse4_2});
    if (isa == Isa::avx2) kernels.push_back({"avx2", column_op_avx2});
    MLMAP_IF_AVX512(if (isa == Isa::avx512bw) kernels.push_back({"avx512bw", column_op_avx512bw});)
  }
  MESSAGE("column kernels checked: " << kernels.size());
  std::mt19937_64 rng(11);
  const double params[][4] = {{0.5, 2.0, -1.0, 1.0}, {-3.0, 0.0, 0.0, 0.0}, {inf, -inf, -inf, inf},
                              {nan_, 3.0, 0.25, 0.5}, {0.0, nan_, 1.0, -1.0}};
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{7}, size_t{8}, size_t{15}, size_t{16}, size_t{17},
                   size_t{31}, size_t{33}, size_t{64}, size_t{1000}}) {
    for (size_t offset : {size_t{0}, size_t{1}}) {
      auto x = values(rng, n + offset), z = values(rng, n + offset), y0 = values(rng, n + offset);
      for (const auto& q : params) {
        const ColumnArgs p{q[0], q[1], q[2], q[3]};
        for (ColumnOp op : all_ops) {
          auto want = y0;
          column_op_scalar(op, p, x.data() + offset, z.data() + offset, want.data() + offset, n);
          for (const auto& [name, kernel] : kernels) {
            auto got = y0;
            kernel(op, p, x.data() + offset, z.data() + offset, got.data() + offset, n);
            for (size_t i = 0; i < n + offset; ++i) {
              if (same_bits(got[i], want[i]) || (std::isnan(got[i]) && std::isnan(want[i]))) continue;
              FAIL("kernel " << name << ", op " << static_cast<int>(op) << ", n " << n << ", value " << i << ": "
                             << got[i] << " != " << want[i]);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("transposes: every kernel moves the scalar reference's bits, whatever the shape") {
  struct Kernels {
    const char* name;
    void (*to_rows)(const double*, size_t, const uint32_t*, const uint32_t*, size_t, size_t, size_t, double*) noexcept;
    void (*to_columns_f)(const float*, size_t, const uint32_t*, size_t, size_t, double*, size_t) noexcept;
    void (*to_columns_d)(const double*, size_t, const uint32_t*, size_t, size_t, double*, size_t) noexcept;
  };
  std::vector<Kernels> kernels = {{"dispatch", columns_to_rows, rows_to_columns, rows_to_columns}};
  for (Isa isa : supported_isas()) {
    if (isa == Isa::sse4_2) kernels.push_back({"sse4_2", columns_to_rows_sse4_2, rows_to_columns_sse4_2, rows_to_columns_sse4_2});
    if (isa == Isa::avx2) kernels.push_back({"avx2", columns_to_rows_avx2, rows_to_columns_avx2, rows_to_columns_avx2});
    MLMAP_IF_AVX512(if (isa == Isa::avx512bw) kernels.push_back(
                        {"avx512bw", columns_to_rows_avx512bw, rows_to_columns_avx512bw, rows_to_columns_avx512bw});)
  }
  std::mt19937_64 rng(5);
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, size_t{17}, size_t{64}, size_t{131}}) {
    for (size_t width : {size_t{1}, size_t{3}, size_t{8}, size_t{12}, size_t{19}, size_t{40}}) {
      CAPTURE(n);
      CAPTURE(width);
      // Slot columns: width * 2 of them, `stride` apart; features read a
      // shuffled subset, inputs an increasing one with runs and gaps.
      const size_t stride = n + 3, n_slots = 2 * width + 1;
      auto base = values(rng, n_slots * stride);
      std::vector<uint32_t> slots, positions;
      for (size_t k = 0; k < width + 5; ++k) slots.push_back(static_cast<uint32_t>(rng() % n_slots));
      // Positions among pw features, increasing, in runs with gaps (the
      // features a direct-writing step leaves out).
      const size_t pw = slots.size() + 4;
      for (uint32_t p = 0; positions.size() < slots.size(); ++p)
        if (pw - p == slots.size() - positions.size() || rng() % 6 != 0) positions.push_back(p);
      std::vector<uint32_t> cols;
      for (uint32_t c = 0; c < width; ++c)
        if (rng() % 5 != 0) cols.push_back(c);
      auto Xd = values(rng, n * width);
      std::vector<float> Xf(Xd.begin(), Xd.end());
      std::vector<double> want_rows(n * slots.size()), want_gaps(n * pw, -7.0), want_d(n_slots * stride, -1.0),
          want_f = want_d;
      columns_to_rows_scalar(base.data(), stride, slots.data(), nullptr, slots.size(), slots.size(), n, want_rows.data());
      columns_to_rows_scalar(base.data(), stride, slots.data(), positions.data(), slots.size(), pw, n, want_gaps.data());
      rows_to_columns_scalar(Xd.data(), width, cols.data(), cols.size(), n, want_d.data(), stride);
      rows_to_columns_scalar(Xf.data(), width, cols.data(), cols.size(), n, want_f.data(), stride);
      for (size_t i = 0; i < n; ++i)  // the reference's definition
        for (size_t k = 0; k < slots.size(); ++k) {
          REQUIRE(same_bits(want_rows[i * slots.size() + k], base[slots[k] * stride + i]));
          REQUIRE(same_bits(want_gaps[i * pw + positions[k]], base[slots[k] * stride + i]));
        }
      for (const auto& k : kernels) {
        CAPTURE(std::string(k.name));
        std::vector<double> rows(n * slots.size()), gaps(n * pw, -7.0), cd(n_slots * stride, -1.0), cf = cd;
        k.to_rows(base.data(), stride, slots.data(), nullptr, slots.size(), slots.size(), n, rows.data());
        k.to_rows(base.data(), stride, slots.data(), positions.data(), slots.size(), pw, n, gaps.data());
        for (size_t i = 0; i < gaps.size(); ++i) REQUIRE(same_bits(gaps[i], want_gaps[i]));
        k.to_columns_d(Xd.data(), width, cols.data(), cols.size(), n, cd.data(), stride);
        k.to_columns_f(Xf.data(), width, cols.data(), cols.size(), n, cf.data(), stride);
        for (size_t i = 0; i < rows.size(); ++i) REQUIRE(same_bits(rows[i], want_rows[i]));
        for (size_t i = 0; i < cd.size(); ++i) REQUIRE(same_bits(cd[i], want_d[i]));
        for (size_t i = 0; i < cf.size(); ++i) REQUIRE(same_bits(cf[i], want_f[i]));
      }
    }
  }
}

TEST_CASE("column lookup: every kernel gives the scalar reference's bits") {
  std::mt19937_64 rng(3);
  // Consecutive integers (which column_lookup_by_index finds too), and with
  // a gap.
  for (size_t m : {size_t{0}, size_t{1}, size_t{5}, size_t{15}, size_t{16}, size_t{64}, size_t{65}}) {
    std::vector<double> cats(m), codes(m);
    for (size_t c = 0; c < m; ++c) {
      cats[c] = static_cast<double>(c) - 2;  // distinct, -0.0 matches 0.0
      codes[c] = 0.5 * static_cast<double>(c) + 1;
    }
    if (m == 65) cats[m - 1] += 3;  // a gap: searched
    for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{300}}) {
      std::vector<double> x(n);
      for (auto& v : x) {
        const uint64_t r = rng() % 10;
        v = r == 0 ? nan_ : r == 1 ? -0.0 : r == 2 ? inf : static_cast<double>(rng() % (m + 8)) - 3;
        if (r == 3) v += 0.5;
        if (r == 4 && rng() % 2) v = -v * 1e300;
      }
      std::vector<double> want(n);
      column_lookup_reference(x.data(), n, cats.data(), codes.data(), m, -7.0, want.data());
      for (size_t i = 0; i < n; ++i) {  // the definition
        double w = -7.0;
        for (size_t c = 0; c < m; ++c)
          if (x[i] == cats[c]) w = codes[c];
        REQUIRE(same_bits(want[i], w));
      }
      std::vector<void (*)(const double*, size_t, const double*, const double*, size_t, double, double*) noexcept>
          kernels = {column_lookup, column_lookup_scalar};
      for (Isa isa : supported_isas()) {
        if (isa == Isa::sse4_2) kernels.push_back(column_lookup_sse4_2);
        if (isa == Isa::avx2) kernels.push_back(column_lookup_avx2);
        MLMAP_IF_AVX512(if (isa == Isa::avx512bw) kernels.push_back(column_lookup_avx512bw);)
      }
      if (consecutive_integers(cats.data(), m)) kernels.push_back(column_lookup_by_index);
      CHECK(consecutive_integers(cats.data(), m) == (m > 0 && m != 65));
      for (auto k : kernels) {
        std::vector<double> got(n, 99.0);
        k(x.data(), n, cats.data(), codes.data(), m, -7.0, got.data());
        for (size_t i = 0; i < n; ++i) REQUIRE(same_bits(got[i], want[i]));
      }
    }
  }
}

// The row maps compute, along rows, what the column ops compute down columns:
// each feature's input column through the stages' ops with its own
// arguments (column_op_reference, stage by stage), to the bit, on every
// kernel, for float and double rows that are whole rows, a consecutive run
// of their columns, or columns in any order; nothing is written past F.
TEST_CASE("row maps: every kernel gives the column ops' bits, whatever the shape") {
  using MapKernel = void (*)(const RowMap&, const float*, size_t, size_t, double*) noexcept;
  using MapKernelD = void (*)(const RowMap&, const double*, size_t, size_t, double*) noexcept;
  struct Kernels {
    const char* name;
    MapKernel f;
    MapKernelD d;
  };
  std::vector<Kernels> kernels = {{"dispatch", map_rows, map_rows}, {"scalar", map_rows_scalar, map_rows_scalar}};
  for (Isa isa : supported_isas()) {
    if (isa == Isa::sse4_2) kernels.push_back({"sse4_2", map_rows_sse4_2, map_rows_sse4_2});
    if (isa == Isa::avx2) kernels.push_back({"avx2", map_rows_avx2, map_rows_avx2});
    MLMAP_IF_AVX512(if (isa == Isa::avx512bw) kernels.push_back({"avx512bw", map_rows_avx512bw, map_rows_avx512bw});)
  }
  std::vector<ColumnOp> unary_ops;
  for (ColumnOp op : all_ops)
    if (is_unary(op)) unary_ops.push_back(op);
  CHECK(unary_ops.size() == 11);
  std::mt19937_64 rng(17);
  const double guard = 12345.678;
  size_t after_fill = 0;
  for (size_t nf : {size_t{1}, size_t{3}, size_t{8}, size_t{12}, size_t{13}, size_t{20}}) {
    for (int layout = 0; layout < 3; ++layout) {  // whole rows, a consecutive run, any order
      const size_t width = layout == 0 ? nf : nf + 3;
      std::vector<uint32_t> cols(nf);
      for (size_t k = 0; k < nf; ++k)
        cols[k] = static_cast<uint32_t>(layout == 0 ? k : layout == 1 ? k + 2 : rng() % width);
      for (size_t n_stages : {size_t{0}, size_t{1}, size_t{2}, size_t{3}}) {
        // The stages, and every feature's arguments in the periodic layout.
        std::vector<ColumnOp> ops(n_stages);
        for (auto& op : ops) op = unary_ops[rng() % unary_ops.size()];
        if (n_stages == 2) ops = {ColumnOp::fill_nan, ColumnOp::sub_div};  // an imputer, a scaler
        // A fill and the stage after it run fused: every op after a fill, in turn.
        if (n_stages == 3) ops = {ColumnOp::fill_nan, unary_ops[after_fill++ % unary_ops.size()], ops[2]};
        const size_t period = RowMap::period_for(nf);
        CHECK(period % nf == 0);
        CHECK(period % 8 == 0);
        std::vector<double> per_feature = values(rng, 4 * n_stages * nf);
        std::vector<double> args(4 * n_stages * period);
        for (size_t s = 0; s < n_stages; ++s)
          for (size_t w = 0; w < 4; ++w)
            for (size_t p = 0; p < period; ++p) args[(4 * s + w) * period + p] = per_feature[(4 * s + w) * nf + p % nf];
        RowMap m;
        m.cols = cols.data();
        m.n_features = nf;
        m.ops = ops.data();
        m.n_stages = n_stages;
        m.args = args.data();
        m.period = period;
        for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{31}, size_t{32}, size_t{33}, size_t{100}}) {
          CAPTURE(nf);
          CAPTURE(layout);
          CAPTURE(n_stages);
          CAPTURE(n);
          const std::vector<double> xd = values(rng, n * width);
          std::vector<float> xf(xd.size());
          for (size_t i = 0; i < xd.size(); ++i) xf[i] = static_cast<float>(xd[i]);
          for (int as_float = 0; as_float < 2; ++as_float) {
            // The column ops' answer: each feature's column, stage by stage.
            std::vector<double> want(n * nf);
            std::vector<double> col(n), out(n);
            for (size_t k = 0; k < nf; ++k) {
              for (size_t i = 0; i < n; ++i)
                col[i] = as_float ? static_cast<double>(xf[i * width + cols[k]]) : xd[i * width + cols[k]];
              for (size_t s = 0; s < n_stages; ++s) {
                const ColumnArgs p{per_feature[(4 * s) * nf + k], per_feature[(4 * s + 1) * nf + k],
                                   per_feature[(4 * s + 2) * nf + k], per_feature[(4 * s + 3) * nf + k]};
                column_op_reference(ops[s], p, col.data(), nullptr, out.data(), n);
                col = out;
              }
              for (size_t i = 0; i < n; ++i) want[i * nf + k] = col[i];
            }
            for (const auto& kernel : kernels) {
              std::vector<double> got(n * nf + 9, guard);
              if (as_float)
                kernel.f(m, xf.data(), width, n, got.data());
              else
                kernel.d(m, xd.data(), width, n, got.data());
              for (size_t i = 0; i < n * nf; ++i) {
                if (same_bits(got[i], want[i]) || (std::isnan(got[i]) && std::isnan(want[i]))) continue;
                FAIL("kernel " << kernel.name << (as_float ? " (float)" : " (double)") << ", value " << i << ": "
                               << got[i] << " != " << want[i]);
              }
              for (size_t i = n * nf; i < got.size(); ++i) CHECK(got[i] == guard);
            }
          }
        }
      }
    }
  }
  CHECK(after_fill >= unary_ops.size());
}
