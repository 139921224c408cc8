#include "mlmap/model.hpp"

#include <cstdlib>
#include <vector>

#include "api/predict.hpp"
#include "kernels/dispatch.hpp"
#include "model/loaded_model.hpp"

namespace mlmap {

namespace {

template <class In, class Out>
Status predict_matrix(const model::LoadedModel& m, const In* X, size_t n_rows, Out* out, Output output, int n_threads,
                      int64_t* classes) noexcept {
  api::Request<Out> req;
  req.out = out;
  req.classes = classes;
  req.output = output;
  req.n_threads = n_threads;
  return api::run(m, api::MatrixRows<In>{X, m.info.n_features}, n_rows, req);
}

Status predict_table(const model::LoadedModel& m, const Table& table, double* out, Output output, int n_threads,
                     int64_t* classes) noexcept {
  auto rows = api::match_table(m, table);
  if (!rows) return rows.error();
  api::Request<double> req;
  req.out = out;
  req.classes = classes;
  req.output = output;
  req.n_threads = n_threads;
  return api::run(m, *rows, table.n_rows(), req);
}

}  // namespace

namespace {

Result<Model> finish_open(Result<std::shared_ptr<const format::Mapping>> mapping, const OpenOptions& options,
                          Result<Model> (*make)(std::shared_ptr<const model::LoadedModel>)) noexcept {
  if (auto st = kernel_environment(); !st) return st.error();
  if (!mapping) return mapping.error();
  auto file = format::FileView::check(std::move(*mapping));
  if (!file) return file.error();
  auto loaded = model::load_model(std::move(*file));
  if (!loaded) return loaded.error();
  auto m = make(std::move(*loaded));
  if (m && options.verify) {
    auto st = m->verify();
    if (!st) return st.error();
  }
  return m;
}

}  // namespace

Result<Model> Model::open(const std::string& path, const OpenOptions& options) noexcept {
  return finish_open(format::Mapping::open(path, options.copy), options,
                     [](std::shared_ptr<const model::LoadedModel> l) -> Result<Model> { return Model(std::move(l)); });
}

Result<Model> Model::from_bytes(const void* data, size_t size, const OpenOptions& options) noexcept {
  if (!data && size) return Error(error_code::invalid_argument, "null buffer");
  return finish_open(format::Mapping::copy_of(data, size), options,
                     [](std::shared_ptr<const model::LoadedModel> l) -> Result<Model> { return Model(std::move(l)); });
}

Status Model::verify() const noexcept { return model::verify_model(*impl_); }
const ModelInfo& Model::info() const noexcept { return impl_->info; }
const std::string& Model::path() const noexcept { return impl_->file.mapping()->path(); }
size_t Model::num_features() const noexcept { return impl_->info.n_features; }
size_t Model::output_width(Output output) const noexcept { return impl_->width(output); }
Task Model::task() const noexcept { return impl_->info.task; }
size_t Model::class_width() const noexcept { return impl_->link.classes_per_row(); }

Status Model::predict(const float* X, size_t n_rows, float* out, const PredictOptions& o) const noexcept {
  return predict_matrix<float, float>(*impl_, X, n_rows, out, o.output, o.n_threads, nullptr);
}
Status Model::predict(const float* X, size_t n_rows, double* out, const PredictOptions& o) const noexcept {
  return predict_matrix<float, double>(*impl_, X, n_rows, out, o.output, o.n_threads, nullptr);
}
Status Model::predict(const double* X, size_t n_rows, double* out, const PredictOptions& o) const noexcept {
  return predict_matrix<double, double>(*impl_, X, n_rows, out, o.output, o.n_threads, nullptr);
}
Status Model::predict(const Table& table, double* out, const PredictOptions& o) const noexcept {
  return predict_table(*impl_, table, out, o.output, o.n_threads, nullptr);
}
Status Model::predict_class(const float* X, size_t n_rows, int64_t* class_index, int n_threads) const noexcept {
  return predict_matrix<float, double>(*impl_, X, n_rows, nullptr, Output::value, n_threads, class_index);
}
Status Model::predict_class(const double* X, size_t n_rows, int64_t* class_index, int n_threads) const noexcept {
  return predict_matrix<double, double>(*impl_, X, n_rows, nullptr, Output::value, n_threads, class_index);
}
Status Model::predict_class(const Table& table, int64_t* class_index, int n_threads) const noexcept {
  return predict_table(*impl_, table, nullptr, Output::value, n_threads, class_index);
}

const char* active_kernel() noexcept { return kernels::isa_name(kernels::active_isa()); }

std::vector<std::string> available_kernels() {
  std::vector<std::string> names;
  for (auto isa : kernels::supported_isas()) names.push_back(kernels::isa_name(isa));
  return names;
}

Status kernel_environment() noexcept {
  const char* forced = std::getenv("MLMAP_FORCE_ARCH");
  if (!forced || !*forced) return {};
  try {
    kernels::Isa isa;
    std::string valid;
    for (auto s : kernels::supported_isas()) valid += (valid.empty() ? "" : ", ") + std::string(kernels::isa_name(s));
    if (!kernels::parse_isa(forced, &isa))
      return Error(error_code::invalid_argument, std::string("MLMAP_FORCE_ARCH='") + forced +
                                                     "' names no kernel; valid: scalar, sse4_2, avx2, avx512bw "
                                                     "(this CPU runs " + valid + "), or unset it");
    if (!kernels::isa_supported(isa))
      return Error(error_code::invalid_argument,
                   std::string("MLMAP_FORCE_ARCH='") + forced + "': " +
                       (isa == kernels::Isa::avx512bw && !MLMAP_AVX512_KERNELS
                            ? "this build left the AVX-512 kernels out (meson -Davx512_kernels=false)"
                            : "this CPU cannot run that kernel") +
                       "; it runs " + valid);
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory checking MLMAP_FORCE_ARCH");
  }
}

Status use_kernel(const std::string& name) noexcept {
  kernels::Isa isa;
  if (!kernels::parse_isa(name, &isa))
    return Error(error_code::invalid_argument, "unknown kernel '" + name + "' (scalar, sse4_2, avx2, avx512bw)");
  if (!kernels::set_isa(isa))
    return Error(error_code::invalid_argument, "this CPU cannot run the " + name + " kernel");
  return {};
}

}  // namespace mlmap
