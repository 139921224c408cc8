// Discretize (FORMAT.md §7): the bin of each input, as sklearn's
// KBinsDiscretizer computes it for every strategy once fitted —
// searchsorted(interior_edges, x, side='right'): the number of interior
// edges <= x.  The edges of input j are a run of category_counts[j] values of
// numeric_categories, non-decreasing, all finite.  sklearn refuses NaN here,
// so the step does too (missing_value).  A one-hot encoding of the bins is a
// OneHot step after it.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class DiscretizeStep final : public Step {
 public:
  DiscretizeStep(Slots s, const double* edges, std::vector<uint32_t> first) noexcept
      : Step(s), edges_(edges), first_(std::move(first)) {}

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      const double* lo = edges_ + first_[j];
      const double* hi = edges_ + first_[j + 1];
      for (size_t i = 0; i < n; ++i) {
        if (std::isnan(x[i])) {
          f->fail(i, slots_.in[j], false, error_code::missing_value,
                  "is missing (NaN); a discretize step refuses missing values, as sklearn's KBinsDiscretizer does");
          y[i] = 0;
          continue;
        }
        y[i] = static_cast<double>(std::upper_bound(lo, hi, x[i]) - lo);
      }
    }
  }
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) may_be_nan[slots_.out + j] = 0;
  }

 private:
  const double* edges_;
  std::vector<uint32_t> first_;  // input j's edges: [first_[j], first_[j + 1])
};

Result<std::unique_ptr<Step>> check_discretize(const OpCheck& c) {
  const fb::Op& op = c.op;
  const uint32_t n_in = c.slots.n_in;
  if (auto st = c.count(size_of(op.category_counts()), n_in, "category_counts (edges per input)"); !st)
    return st.error();
  uint64_t total = 0;
  for (uint32_t k : *op.category_counts()) total += k;
  if (auto st = c.count(size_of(op.numeric_categories()), total, "bin edges"); !st) return st.error();
  const double* edges = data_of(op.numeric_categories());
  std::vector<uint32_t> first{0};
  for (uint32_t j = 0; j < n_in; ++j) {
    const uint32_t begin = first.back(), end = begin + op.category_counts()->Get(j);
    for (uint32_t k = begin; k < end; ++k) {
      if (!std::isfinite(edges[k])) return c.bad("input " + std::to_string(j) + ": a bin edge is not finite");
      if (k > begin && !(edges[k - 1] <= edges[k]))
        return c.bad("input " + std::to_string(j) + ": bin edges are not sorted");
    }
    first.push_back(end);
  }
  return std::unique_ptr<Step>(new DiscretizeStep(per_input(c.slots), edges, std::move(first)));
}

}  // namespace

extern const OpKind discretize_kind{::mlmap::OpKind::discretize, /*reads_strings=*/never, /*writes_strings=*/false,
                                    /*one_to_one=*/true, /*n_columns=*/0, check_discretize};

}  // namespace mlmap::model::prep
