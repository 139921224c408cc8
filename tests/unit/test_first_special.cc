// The chunked scans for the first NaN, the first +-inf and the first of
// either (kernels/first_special.hpp) find the same index as a value-by-value
// search, for float and double, at every position around the chunk
// boundaries and the short-run one (64 values), with both signs and every
// kind of NaN, among the values each must not match (the other special
// value, the largest finite ones, denormals, zeros); the infinity scan on
// every kernel.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/first_special.hpp"
#include "support.hpp"

using mlmap::kernels::first_inf;
using mlmap::kernels::first_inf_reference;
using mlmap::kernels::first_nan;
using mlmap::kernels::first_nonfinite;

namespace {

template <class T>
size_t naive_first(const std::vector<T>& x, bool nan) {
  for (size_t i = 0; i < x.size(); ++i)
    if (nan ? std::isnan(x[i]) : std::isinf(x[i])) return i;
  return x.size();
}

template <class T>
size_t naive_first_nonfinite(const std::vector<T>& x) {
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i])) return i;
  return x.size();
}

// Values neither NaN nor infinite whose bits sit next to theirs.
template <class T>
std::vector<T> ordinary() {
  using L = std::numeric_limits<T>;
  return {T(0), -T(0), T(1), T(-2.5), L::max(), -L::max(), L::min(), L::denorm_min(), -L::denorm_min()};
}

template <class T>
std::vector<T> nans() {
  using L = std::numeric_limits<T>;
  using Bits = mlmap::kernels::FloatBits<T>;
  Bits b;
  T smallest_payload = L::infinity();
  std::memcpy(&b, &smallest_payload, sizeof b);
  ++b;  // signalling NaN with the smallest payload
  std::memcpy(&smallest_payload, &b, sizeof b);
  return {L::quiet_NaN(), -L::quiet_NaN(), smallest_payload};
}

// The dispatched infinity scan (the active kernel's), checked against the
// scalar reference.
template <class T>
size_t inf_at(const std::vector<T>& y, size_t n) {
  const size_t got = first_inf(y.data(), n);
  CHECK(got == first_inf_reference(y.data(), n));
  return got;
}

template <class T>
void check_scans() {
  using L = std::numeric_limits<T>;
  const std::vector<T> ord = ordinary<T>();
  for (size_t n : {0, 1, 7, 50, 63, 64, 65, 2047, 2048, 2049, 5000}) {
    std::vector<T> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = ord[i % ord.size()];
    CHECK(first_nan(x.data(), n) == n);
    CHECK(inf_at(x, n) == n);
    CHECK(first_nonfinite(x.data(), n) == n);
    std::vector<size_t> at = {0, n / 2, n - 1};
    for (size_t b : {size_t{2047}, size_t{2048}, size_t{4095}, size_t{4096}})
      if (b < n) at.push_back(b);
    for (size_t p : at) {
      if (n == 0) break;
      for (T special : {L::infinity(), -L::infinity()}) {
        std::vector<T> y = x;
        y[p] = special;
        if (p + 3 < n) y[p + 3] = L::quiet_NaN();  // a later NaN is not an infinity
        CHECK(inf_at(y, n) == naive_first(y, false));
        CHECK(inf_at(y, n) == p);
        CHECK(first_nan(y.data(), n) == naive_first(y, true));
        CHECK(first_nonfinite(y.data(), n) == naive_first_nonfinite(y));
        CHECK(first_nonfinite(y.data(), n) == p);
      }
      for (T special : nans<T>()) {
        std::vector<T> y = x;
        y[p] = special;
        if (p + 3 < n) y[p + 3] = L::infinity();
        CHECK(first_nan(y.data(), n) == p);
        CHECK(inf_at(y, n) == naive_first(y, false));
        CHECK(first_nonfinite(y.data(), n) == naive_first_nonfinite(y));
        CHECK(first_nonfinite(y.data(), n) == p);
        // The first of two.
        if (p + 1 < n) {
          y[n - 1] = special;
          CHECK(first_nan(y.data(), n) == p);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("first_nan, first_inf and first_nonfinite find the first NaN, infinity, either (float and double), on every kernel") {
  const std::string saved = mlmap::active_kernel();
  for (const auto& k : mlmap::available_kernels()) {
    CAPTURE(k);
    REQUIRE(mlmap::use_kernel(k).ok());
    check_scans<float>();
    check_scans<double>();
  }
  (void)mlmap::use_kernel(saved);
}

TEST_CASE("first_beyond_float finds the first double float32 cannot hold: +-inf or past FLT_MAX's rounding") {
  using mlmap::kernels::first_beyond_float;
  const double midpoint = 0x1.ffffffp127;  // rounds (to even) to 2^128: +inf as a float
  // Held by a float: FLT_MAX, the largest doubles below the midpoint, NaN,
  // denormals, zeros.  Not held: the midpoint and beyond, infinities.
  const double held[] = {std::numeric_limits<float>::max(), std::nextafter(midpoint, 0.0),
                         -std::nextafter(midpoint, 0.0), std::numeric_limits<double>::quiet_NaN(),
                         -std::numeric_limits<double>::quiet_NaN(), 4.9e-324, 0.0, -0.0, 1.0};
  const double beyond[] = {midpoint, -midpoint, 1e39, -1e300, std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (const double h : held) CHECK_FALSE(std::isinf(static_cast<float>(h)));
  for (const double b : beyond) CHECK(std::isinf(static_cast<float>(b)));
  for (const size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{2047}, size_t{2048}, size_t{4100}}) {
    std::vector<double> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = held[i % (sizeof held / sizeof held[0])];
    CHECK(first_beyond_float(x.data(), n) == n);
    for (const size_t p : {size_t{0}, n / 2, n - 1}) {
      for (const double b : beyond) {
        std::vector<double> y = x;
        y[p] = b;
        CAPTURE(n);
        CAPTURE(p);
        CAPTURE(b);
        CHECK(first_beyond_float(y.data(), n) == p);
        CHECK(mlmap::kernels::first_nonfinite_as_float(y.data(), n) <= p);  // a NaN of x may come first
      }
    }
  }
  // first_nonfinite_as_float: NaN too, and nothing float32 holds.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const size_t n : {size_t{5}, size_t{100}, size_t{3000}}) {
    std::vector<double> x(n, std::numeric_limits<float>::max());
    x[n / 3] = -std::nextafter(midpoint, 0.0);
    CHECK(mlmap::kernels::first_nonfinite_as_float(x.data(), n) == n);
    for (const double bad : {nan, -nan, midpoint, -1e39, std::numeric_limits<double>::infinity()}) {
      std::vector<double> y = x;
      y[n - 2] = bad;
      CAPTURE(n);
      CAPTURE(bad);
      CHECK(mlmap::kernels::first_nonfinite_as_float(y.data(), n) == n - 2);
    }
  }
}
