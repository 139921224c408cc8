// Projections onto stored vectors (FORMAT.md §7), their matrices in parameter
// columns (§7.1):
//   Project   out_o = (sum_j (x_j - center_j) * components[o, j]) / scale_o
//             (PCA, whitened or not; TruncatedSVD with a zero center);
//   Distance  out_k = sqrt(sum_j (x_j - centers[k, j])^2)
//             (KMeans.transform, and its predict as the nearest centre).
// Both sum over j in input order from 0, one column kernel pass per input
// (add_sub_mul / add_sub_square over a block's rows, SIMD through the column
// kernels' dispatch, the same bits on every ISA), into the step's scratch,
// then one pass that divides (Project) or takes the square root (Distance)
// into the output slot.
#include <cmath>
#include <string>

#include "model/preprocessing/step.hpp"

namespace mlmap::model::prep {

namespace {

// Any missing input makes every output NaN.
void flow_all(MissingFlow& m, const Slots& s) {
  bool any = false;
  for (uint32_t o = 0; o < s.n_out; ++o) any = any || m.numeric[s.out + o];
  if (any)
    for (uint32_t j = 0; j < s.n_in; ++j) m.numeric[s.in[j]] = 1;
}

Status all_finite(const double* v, uint64_t n, const std::string& what) {
  for (uint64_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      return Error(error_code::invalid_model, what + " holds a non-finite value at " + std::to_string(i));
  return {};
}

class ProjectStep final : public Step {
 public:
  ProjectStep(Slots s, const double* center, const double* components, const double* scale, std::string where) noexcept
      : Step(s), center_(center), components_(components), scale_(scale), where_(std::move(where)) {}

  size_t scratch_per_row() const noexcept override { return 1; }

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    double* acc = b.scratch;
    for (uint32_t o = 0; o < slots_.n_out; ++o) {
      for (size_t i = 0; i < n; ++i) acc[i] = 0;
      const double* w = components_ + size_t{o} * slots_.n_in;
      kernels::ColumnArgs args;
      for (uint32_t j = 0; j < slots_.n_in; ++j) {
        args.a = center_[j];
        args.b = w[j];
        columns(ColumnOp::add_sub_mul, args, b.column(slots_.in[j]), acc, n);
      }
      columns(ColumnOp::div, acc, b.column(slots_.out + o), n, 0, scale_[o]);
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_all(m, slots_); }
  [[nodiscard]] Status verify() const noexcept override {
    try {
      auto st = all_finite(center_, slots_.n_in, where_ + " center");
      if (st) st = all_finite(components_, uint64_t{slots_.n_out} * slots_.n_in, where_ + " components");
      if (st) st = all_finite(scale_, slots_.n_out, where_ + " scale");
      for (uint32_t o = 0; st && o < slots_.n_out; ++o)
        if (scale_[o] == 0) st = Error(error_code::invalid_model, where_ + " scale is 0 at " + std::to_string(o));
      return st;
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory verifying " + where_);
    }
  }

 private:
  const double* center_;      // [n_in]
  const double* components_;  // [n_out, n_in]
  const double* scale_;       // [n_out]
  std::string where_;
};

Result<std::unique_ptr<Step>> check_project(const OpCheck& c) {
  Slots s = c.slots;
  s.n_out = c.op.n_out();
  if (s.n_out == 0) return c.bad("n_out is 0");
  auto center = c.column<double>(0, s.n_in, "center");
  if (!center) return center.error();
  auto components = c.column<double>(1, uint64_t{s.n_out} * s.n_in, "components");
  if (!components) return components.error();
  auto scale = c.column<double>(2, s.n_out, "scale");
  if (!scale) return scale.error();
  return std::unique_ptr<Step>(new ProjectStep(s, *center, *components, *scale, c.where));
}

class DistanceStep final : public Step {
 public:
  DistanceStep(Slots s, const double* centers, std::string where) noexcept
      : Step(s), centers_(centers), where_(std::move(where)) {}

  size_t scratch_per_row() const noexcept override { return 1; }

  void run(const Block& b, Failure*) const noexcept override {
    const size_t n = b.n_rows;
    double* acc = b.scratch;
    for (uint32_t k = 0; k < slots_.n_out; ++k) {
      for (size_t i = 0; i < n; ++i) acc[i] = 0;
      const double* c = centers_ + size_t{k} * slots_.n_in;
      for (uint32_t j = 0; j < slots_.n_in; ++j) columns(ColumnOp::add_sub_square, b.column(slots_.in[j]), acc, n, c[j]);
      columns(ColumnOp::sqrt, acc, b.column(slots_.out + k), n);
    }
  }
  void flow_missing(MissingFlow& m) const override { flow_all(m, slots_); }
  [[nodiscard]] Status verify() const noexcept override {
    try {
      return all_finite(centers_, uint64_t{slots_.n_out} * slots_.n_in, where_ + " centers");
    } catch (const std::bad_alloc&) {
      return Error(error_code::out_of_memory, "out of memory verifying " + where_);
    }
  }

 private:
  const double* centers_;  // [n_out, n_in]
  std::string where_;
};

Result<std::unique_ptr<Step>> check_distance(const OpCheck& c) {
  Slots s = c.slots;
  s.n_out = c.op.n_out();
  if (s.n_out == 0) return c.bad("n_out is 0");
  auto centers = c.column<double>(0, uint64_t{s.n_out} * s.n_in, "centers");
  if (!centers) return centers.error();
  return std::unique_ptr<Step>(new DistanceStep(s, *centers, c.where));
}

}  // namespace

extern const OpKind project_kind{::mlmap::OpKind::project, /*reads_strings=*/never, /*writes_strings=*/false,
                                 /*one_to_one=*/false, /*n_columns=*/3, check_project};
extern const OpKind distance_kind{::mlmap::OpKind::distance, /*reads_strings=*/never, /*writes_strings=*/false,
                                  /*one_to_one=*/false, /*n_columns=*/1, check_distance};

}  // namespace mlmap::model::prep
