// ndtri as Cephes defines it (Moshier, Cephes Math Library 2.1; scipy's
// scipy.special.ndtri keeps the algorithm and its coefficients), so that
// QuantileTransformer's normal output matches scipy's norm.ppf to the ulp:
//  * u in (exp(-2), 1 - exp(-2)]: with w = u - 1/2,
//      x = sqrt(2 pi) * (w + w * (w^2 P0(w^2) / Q0(w^2)));
//  * otherwise, with y = min(u, 1 - u) and z = sqrt(-2 log y),
//      x = z - log(z) / z - (1/z) P(1/z) / Q(1/z)
//    with (P1, Q1) for z < 8 (y > exp(-32)) and (P2, Q2) beyond, negated
//    when u is the lower tail.
// Polynomials by Horner's rule from the highest coefficient; Q's leading
// coefficient is 1 (Cephes' p1evl).  No fused multiply-add (this file is
// built without -mfma), as scipy's build.
#include "model/preprocessing/ndtri.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

namespace mlmap::model::prep {

namespace {

constexpr double sqrt_2pi = 2.50662827463100050242;
constexpr double exp_minus_2 = 0.13533528323661269189;

// |u - 1/2| <= 3/8
constexpr double p0[] = {-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
                         1.39312609387279679503E1, -1.23916583867381258016E0};
constexpr double q0[] = {1.95448858338141759834E0,  4.67627912898881538453E0,  8.63602421390890590575E1,
                         -2.25462687854119370527E2, 2.00260212380060660359E2,  -8.20372256168333339912E1,
                         1.59056225126211695515E1,  -1.18331621121330003142E0};
// z between 2 and 8
constexpr double p1[] = {4.05544892305962419923E0,  3.15251094599893866154E1,  5.71628192246421288162E1,
                         4.40805073893200834700E1,  1.46849561928858024014E1,  2.18663306850790267539E0,
                         -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4};
constexpr double q1[] = {1.57799883256466749731E1,  4.53907635128879210584E1,   4.13172038254672030440E1,
                         1.50425385692907503408E1,  2.50464946208309415979E0,   -1.42182922854787788574E-1,
                         -3.80806407691578277194E-2, -9.33259480895457427372E-4};
// z between 8 and 64
constexpr double p2[] = {3.23774891776946035970E0,  6.91522889068984211695E0,  3.93881025292474443415E0,
                         1.33303460815807542389E0,  2.01485389549179081538E-1, 1.23716634817820021358E-2,
                         3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9};
constexpr double q2[] = {6.02427039364742014255E0,  3.67983563856160859403E0,  1.37702099489081330271E0,
                         2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
                         2.89247864745380683936E-6, 6.79019408009981274425E-9};

// c[0] x^(n-1) + ... + c[n-1]
template <size_t N>
double horner(double x, const double (&c)[N]) noexcept {
  double r = c[0];
  for (size_t i = 1; i < N; ++i) r = r * x + c[i];
  return r;
}
// x^N + c[0] x^(N-1) + ... + c[N-1]: the leading 1 left out of the table
template <size_t N>
double horner_monic(double x, const double (&c)[N]) noexcept {
  double r = x + c[0];
  for (size_t i = 1; i < N; ++i) r = r * x + c[i];
  return r;
}

}  // namespace

double ndtri(double u) noexcept {
  if (u == 0) return -std::numeric_limits<double>::infinity();
  if (u == 1) return std::numeric_limits<double>::infinity();
  if (!(u > 0 && u < 1)) return std::numeric_limits<double>::quiet_NaN();  // NaN too
  bool lower = true;
  double y = u;
  if (y > 1.0 - exp_minus_2) {
    y = 1.0 - y;
    lower = false;
  }
  if (y > exp_minus_2) {
    y = y - 0.5;
    const double y2 = y * y;
    const double x = y + y * (y2 * horner(y2, p0) / horner_monic(y2, q0));
    return x * sqrt_2pi;
  }
  const double z = std::sqrt(-2.0 * std::log(y));
  const double x0 = z - std::log(z) / z;
  const double r = 1.0 / z;
  const double x1 = z < 8.0 ? r * horner(r, p1) / horner_monic(r, q1) : r * horner(r, p2) / horner_monic(r, q2);
  const double x = x0 - x1;
  return lower ? -x : x;
}

}  // namespace mlmap::model::prep
