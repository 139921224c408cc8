#include "mlmap/mlmap.h"

#include <new>
#include <string>

#include "mlmap/model.hpp"

struct mlmap_model {
  mlmap::Model model;
};

namespace {

thread_local std::string last_error;

int fail(const mlmap::Error& e) {
  try {
    last_error = e.describe();
  } catch (...) {
    last_error.clear();
  }
  return static_cast<int>(e.code());
}

int fail(mlmap::error_code code, const char* message) { return fail(mlmap::Error(code, message)); }

int done(const mlmap::Status& s) { return s.ok() ? MLMAP_OK : fail(s.error()); }

bool to_output(int output, mlmap::Output* out) {
  switch (output) {
    case MLMAP_OUTPUT_VALUE: *out = mlmap::Output::value; return true;
    case MLMAP_OUTPUT_RAW: *out = mlmap::Output::raw; return true;
    case MLMAP_OUTPUT_DECISION: *out = mlmap::Output::decision; return true;
    default: return false;
  }
}

}  // namespace

extern "C" {

int mlmap_open(const char* path, mlmap_model** out) {
  if (!out) return fail(mlmap::error_code::invalid_argument, "mlmap_open: out is NULL");
  *out = nullptr;
  if (!path) return fail(mlmap::error_code::invalid_argument, "mlmap_open: path is NULL");
  auto m = mlmap::Model::open(path);
  if (!m) return fail(m.error());
  *out = new (std::nothrow) mlmap_model{std::move(*m)};
  if (!*out) return fail(mlmap::error_code::out_of_memory, "mlmap_open: out of memory");
  return MLMAP_OK;
}

const char* mlmap_last_error(void) { return last_error.c_str(); }

int64_t mlmap_num_features(const mlmap_model* m) { return m ? static_cast<int64_t>(m->model.num_features()) : -1; }

int64_t mlmap_num_outputs(const mlmap_model* m) { return m ? static_cast<int64_t>(m->model.output_width()) : -1; }

int mlmap_predict(const mlmap_model* m, const float* X, size_t n_rows, float* out, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict: model is NULL");
  mlmap::PredictOptions o;
  o.n_threads = n_threads;
  return done(m->model.predict(X, n_rows, out, o));
}

void mlmap_close(mlmap_model* m) { delete m; }

int mlmap_verify(const mlmap_model* m) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_verify: model is NULL");
  return done(m->model.verify());
}

const char* mlmap_error_name(int code) { return mlmap::error_name(static_cast<mlmap::error_code>(code)); }

int mlmap_is_classifier(const mlmap_model* m) { return m && m->model.task() == mlmap::Task::classification; }

int mlmap_predict_class(const mlmap_model* m, const float* X, size_t n_rows, int64_t* out, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_class: model is NULL");
  return done(m->model.predict_class(X, n_rows, out, n_threads));
}

int mlmap_task(const mlmap_model* m) { return m ? static_cast<int>(m->model.task()) : -1; }

int64_t mlmap_output_width(const mlmap_model* m, int output) {
  mlmap::Output o;
  if (!m || !to_output(output, &o)) return -1;
  return static_cast<int64_t>(m->model.output_width(o));
}

int mlmap_predict_output(const mlmap_model* m, const float* X, size_t n_rows, float* out, int output, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_output: model is NULL");
  mlmap::PredictOptions o;
  if (!to_output(output, &o.output))
    return fail(mlmap::error_code::invalid_argument, "mlmap_predict_output: unknown output (use MLMAP_OUTPUT_*)");
  o.n_threads = n_threads;
  return done(m->model.predict(X, n_rows, out, o));
}

}  // extern "C"
