// QuantileTransformer (FORMAT.md §7): QuantileUniform and QuantileNormal,
// with parameter columns [quantiles (n_inputs x n_q), references (n_q)].
// For a non-NaN x of input j, with q its quantiles and r the references:
//   u = 0.5 * (interp(x, q, r) - interp(-x, -reversed(q), -reversed(r)))
// (sklearn averages an ascending and a descending interpolation so that
// repeated quantiles map to the middle of their references), numpy's interp
// exactly (below); then
//   uniform: u = 1 where x == q[n_q - 1], then u = 0 where x == q[0];
//   normal:  u = 1 where x + 1e-7 > q[n_q - 1], then u = 0 where x - 1e-7 < q[0];
//            y = clamp(ndtri(u), clip_low, clip_high)
// with ndtri the inverse of the standard normal CDF, scipy's (Cephes'
// algorithm, ndtri.cc; 0 and 1 map to -inf / +inf, then to the clip bounds,
// which the writer stores as scipy computes them).  NaN stays NaN.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "model/preprocessing/interp.hpp"
#include "model/preprocessing/ndtri.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

constexpr double bounds_threshold = 1e-7;  // sklearn's BOUNDS_THRESHOLD

class QuantileStep final : public Step {
 public:
  QuantileStep(Slots s, const double* quantiles, const double* references, size_t n_q, bool normal, double clip_low,
               double clip_high, std::string where) noexcept
      : Step(s),
        quantiles_(quantiles),
        references_(references),
        n_q_(n_q),
        normal_(normal),
        clip_low_(clip_low),
        clip_high_(clip_high),
        where_(std::move(where)) {}

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows, m = n_q_;
    const double* r = references_;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* q = quantiles_ + size_t{j} * m;
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      auto up_x = [q](size_t i) { return q[i]; };
      auto up_f = [r](size_t i) { return r[i]; };
      auto down_x = [q, m](size_t i) { return -q[m - 1 - i]; };
      auto down_f = [r, m](size_t i) { return -r[m - 1 - i]; };
      for (size_t i = 0; i < n; ++i) {
        const double v = x[i];
        if (std::isnan(v)) {
          y[i] = v;
          continue;
        }
        double u = 0.5 * (interp(v, m, up_x, up_f) - interp(-v, m, down_x, down_f));
        if (normal_) {
          if (v + bounds_threshold > q[m - 1]) u = 1;
          if (v - bounds_threshold < q[0]) u = 0;
          const double t = ndtri(u);
          y[i] = std::min(std::max(t, clip_low_), clip_high_);  // np.clip
        } else {
          if (v == q[m - 1]) u = 1;
          if (v == q[0]) u = 0;
          y[i] = u;
        }
      }
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_one_to_one(m.numeric, m.numeric, slots_); }
  // NaN only from NaN (or from damaged columns, which verify refuses).
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) may_be_nan[slots_.out + j] = may_be_nan[slots_.in[j]];
  }
  [[nodiscard]] Status verify() const noexcept override {
    try {
      const uint64_t n_quantiles = uint64_t{slots_.n_in} * n_q_;
      for (uint64_t k = 0; k < n_quantiles; ++k)
        if (!std::isfinite(quantiles_[k]))
          return Error(error_code::invalid_model, where_ + " quantiles holds a non-finite value at " + std::to_string(k));
      for (size_t k = 0; k < n_q_; ++k) {
        if (!std::isfinite(references_[k]))
          return Error(error_code::invalid_model, where_ + " references holds a non-finite value at " + std::to_string(k));
        if (references_[k] < 0 || references_[k] > 1 || (k > 0 && !(references_[k - 1] < references_[k])))
          return Error(error_code::invalid_model,
                       where_ + " references are not strictly increasing in [0, 1] at " + std::to_string(k));
      }
      for (uint32_t j = 0; j < slots_.n_in; ++j)
        for (size_t k = 1; k < n_q_; ++k) {
          const double* q = quantiles_ + size_t{j} * n_q_;
          if (!(q[k - 1] <= q[k]))
            return Error(error_code::invalid_model, where_ + " quantiles of input " + std::to_string(j) +
                                                        " are not non-decreasing at " + std::to_string(k));
        }
      return {};
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory verifying " + where_);
    }
  }

 private:
  const double* quantiles_;   // [n_in, n_q]
  const double* references_;  // [n_q]
  size_t n_q_;
  bool normal_;
  double clip_low_, clip_high_;
  std::string where_;
};

Result<std::unique_ptr<Step>> check(const OpCheck& c, bool normal) {
  // n_q: the length of the references column, at least 2.
  const int32_t ref = c.op.columns()->Get(1);
  const auto* desc = c.file.header().columns()->Get(static_cast<uint32_t>(ref));  // named by the generic check
  const uint64_t n_q = desc->length() / 8;
  if (n_q < 2) return c.bad("references has " + std::to_string(n_q) + " values, at least 2 are needed");
  auto references = c.column<double>(1, n_q, "references");
  if (!references) return references.error();
  auto quantiles = c.column<double>(0, uint64_t{c.slots.n_in} * n_q, "quantiles");
  if (!quantiles) return quantiles.error();
  if (normal && !(c.op.clip_low() <= c.op.clip_high())) return c.bad("clip_low is not <= clip_high");
  return std::unique_ptr<Step>(new QuantileStep(per_input(c.slots), *quantiles, *references, n_q, normal,
                                                c.op.clip_low(), c.op.clip_high(), c.where));
}

Result<std::unique_ptr<Step>> check_uniform(const OpCheck& c) { return check(c, false); }
Result<std::unique_ptr<Step>> check_normal(const OpCheck& c) { return check(c, true); }

}  // namespace

extern const OpKind quantile_uniform_kind{::mlmap::OpKind::quantile_uniform, /*reads_strings=*/never, /*writes_strings=*/false,
                                          /*one_to_one=*/true, /*n_columns=*/2, check_uniform};
extern const OpKind quantile_normal_kind{::mlmap::OpKind::quantile_normal, /*reads_strings=*/never, /*writes_strings=*/false,
                                         /*one_to_one=*/true, /*n_columns=*/2, check_normal};

}  // namespace mlmap::model::prep
