// The links' exp(): every kernel gives the scalar reference's bits, and the
// reference is within 1 ulp of the C library's exp over the whole range,
// including overflow, underflow to denormals and zero, infinities and NaN.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "kernels/exp_kernels.hpp"
#include "support.hpp"

using namespace mlmap;

namespace {

uint64_t bits_of(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Distance in representable doubles between two finite non-negative values.
uint64_t ulps(double a, double b) {
  const uint64_t x = bits_of(a), y = bits_of(b);
  return x > y ? x - y : y - x;
}

std::vector<double> sample_arguments() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> x = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, -1e-300, 709.78, 709.79, 710.0, 1e6,
                           -708.39, -708.4, -745.13, -745.14, -746.0, -1e6, inf, -inf,
                           std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min()};
  for (int k = -1100; k <= 1100; ++k) x.push_back(k * std::log(2.0) / 2);  // every reduction boundary
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> wide(-750, 715), narrow(-4, 4);
  for (int i = 0; i < 200000; ++i) x.push_back(i % 2 ? wide(rng) : narrow(rng));
  return x;
}

struct KernelGuard {
  std::string saved = active_kernel();
  ~KernelGuard() { (void)use_kernel(saved); }
};

}  // namespace

TEST_CASE("exp: the scalar reference is within 1 ulp of the C library everywhere") {
  uint64_t worst = 0;
  for (double x : sample_arguments()) {
    CAPTURE(x);
    const double got = kernels::exp_reference(x), want = std::exp(x);
    if (std::isnan(x)) {
      CHECK(std::isnan(got));
      continue;
    }
    if (want == 0 || std::isinf(want)) {
      CHECK(got == want);  // underflow to 0 and overflow to inf land exactly
      continue;
    }
    const uint64_t d = ulps(got, want);
    worst = std::max(worst, d);
    CHECK(d <= 1);
  }
  MESSAGE("largest difference from std::exp: " << worst << " ulp");
}

TEST_CASE("exp: every kernel gives the scalar reference's bits, tails included") {
  KernelGuard guard;
  const auto x = sample_arguments();
  std::vector<double> want(x.size());
  for (size_t i = 0; i < x.size(); ++i) want[i] = kernels::exp_reference(x[i]);
  for (const auto& k : available_kernels()) {
    CAPTURE(k);
    REQUIRE(use_kernel(k).ok());
    for (size_t n : {x.size(), size_t{1}, size_t{3}, size_t{7}, size_t{9}, size_t{15}}) {  // lane tails
      CAPTURE(n);
      std::vector<double> got(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n));
      kernels::exp_inplace(got.data(), n);
      size_t differ = 0;
      for (size_t i = 0; i < n; ++i)
        differ += std::isnan(want[i]) ? !std::isnan(got[i]) : bits_of(got[i]) != bits_of(want[i]);
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("sigmoid: the scalar reference is within 2 ulp of the logistic function in long double") {
  uint64_t worst = 0;
  for (double z : sample_arguments()) {
    CAPTURE(z);
    const double got = kernels::sigmoid_reference(z);
    if (std::isnan(z)) {
      CHECK(std::isnan(got));
      continue;
    }
    const double want = static_cast<double>(1.0L / (1.0L + std::exp(-static_cast<long double>(z))));
    if (want < std::numeric_limits<double>::min()) {  // denormal or 0: compare absolutely
      CHECK(std::fabs(got - want) <= 2 * std::numeric_limits<double>::denorm_min());
      continue;
    }
    const uint64_t d = ulps(got, want);
    worst = std::max(worst, d);
    CHECK(d <= 2);
  }
  MESSAGE("largest difference from the long double logistic: " << worst << " ulp");
}

TEST_CASE("sigmoid: every kernel gives the scalar reference's bits, alone and as (1 - p, p) pairs") {
  KernelGuard guard;
  const auto z = sample_arguments();
  for (double s : {1.0, -1.0, 0.37}) {
    CAPTURE(s);
    std::vector<double> want(z.size());
    for (size_t i = 0; i < z.size(); ++i) want[i] = kernels::sigmoid_reference(s * z[i]);
    auto same = [](double a, double b) { return std::isnan(b) ? std::isnan(a) : bits_of(a) == bits_of(b); };
    for (const auto& k : available_kernels()) {
      CAPTURE(k);
      REQUIRE(use_kernel(k).ok());
      for (size_t n : {z.size(), size_t{1}, size_t{3}, size_t{7}, size_t{9}, size_t{15}}) {  // lane tails
        CAPTURE(n);
        std::vector<double> got(n), in_place(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(n)), pairs(2 * n);
        kernels::sigmoids(s, z.data(), n, got.data());
        kernels::sigmoids(s, in_place.data(), n, in_place.data());
        kernels::sigmoid_pairs(s, z.data(), n, pairs.data());
        size_t differ = 0;
        for (size_t i = 0; i < n; ++i)
          differ += !same(got[i], want[i]) + !same(in_place[i], want[i]) + !same(pairs[2 * i + 1], want[i]) +
                    !same(pairs[2 * i], 1.0 - want[i]);
        CHECK(differ == 0);
      }
    }
  }
}
