// The inverse of the standard normal CDF as scipy computes it
// (scipy.special.ndtri, scipy.stats.norm.ppf): Cephes' rational
// approximations in three ranges, evaluated in the same order.
#pragma once

namespace mlmap::model::prep {

/// x with Phi(x) = u: -inf at 0, +inf at 1, NaN outside [0, 1] and for NaN.
double ndtri(double u) noexcept;

}  // namespace mlmap::model::prep
