// RefuseMissing (FORMAT.md §7): output j is input j; a NaN fails the row
// with missing_value.  It stands for a scikit-learn step whose input check
// refuses NaN but whose arithmetic mlmap's other steps would carry through
// (the feature selectors without allow_nan, PCA, TruncatedSVD, KMeans'
// transform): placed before them, the row is refused as sklearn refuses it.
#include <cmath>
#include <cstring>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

class RefuseMissingStep final : public Step {
 public:
  explicit RefuseMissingStep(Slots s) noexcept : Step(s) {}

  void run(const Block& b, Failure* f) const noexcept override {
    const size_t n = b.n_rows;
    for (uint32_t j = 0; j < slots_.n_in; ++j) {
      const double* x = b.column(slots_.in[j]);
      double* y = b.column(slots_.out + j);
      std::memcpy(y, x, n * sizeof(double));
      for (size_t i = 0; i < f->limit(n); ++i)
        if (std::isnan(x[i])) {
          f->fail(i, slots_.in[j], false, error_code::missing_value,
                  "is missing (NaN), which the scikit-learn step here refuses (its input check does)");
          break;
        }
    }
  }
  void flow_missing(MissingFlow& m) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) m.numeric[slots_.in[j]] = 1;
  }
  void flow_nan(std::vector<char>& may_be_nan) const override {
    for (uint32_t j = 0; j < slots_.n_in; ++j) may_be_nan[slots_.out + j] = 0;
  }
};

Result<std::unique_ptr<Step>> check_refuse_missing(const OpCheck& c) {
  return std::unique_ptr<Step>(new RefuseMissingStep(per_input(c.slots)));
}

}  // namespace

extern const OpKind refuse_missing_kind{::mlmap::OpKind::refuse_missing, /*reads_strings=*/never,
                                        /*writes_strings=*/false, /*one_to_one=*/true, /*n_columns=*/0,
                                        check_refuse_missing};

}  // namespace mlmap::model::prep
