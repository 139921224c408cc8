#include "mlmap/mlmap.h"

#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "mlmap/model.hpp"
#include "mlmap/table.hpp"

struct mlmap_model {
  mlmap::Model model;
};

// The C++ Table refers to its string columns as string_views and missing
// flags, which the C table owns (deque: stable addresses as it grows).
struct mlmap_table {
  mlmap::Table table;
  std::deque<std::unique_ptr<std::string_view[]>> strings;
  std::deque<std::unique_ptr<bool[]>> missing;
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

namespace {

// mlmap_predict_class(_table)'s out has one index per row: a multi-output
// classifier would write past it.
int refuse_multi_output(const char* fn, const mlmap_model* m) {
  if (m->model.class_width() == 1) return MLMAP_OK;
  return fail(mlmap::error_code::invalid_argument,
              (std::string(fn) + ": this classifier predicts " + std::to_string(m->model.class_width()) +
               " classes per row (one per output); use mlmap_predict_classes")
                  .c_str());
}

}  // namespace

int mlmap_predict_class(const mlmap_model* m, const float* X, size_t n_rows, int64_t* out, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_class: model is NULL");
  if (int rc = refuse_multi_output("mlmap_predict_class", m)) return rc;
  return done(m->model.predict_class(X, n_rows, out, n_threads));
}

int mlmap_task(const mlmap_model* m) { return m ? static_cast<int>(m->model.task()) : -1; }

int64_t mlmap_output_width(const mlmap_model* m, int output) {
  mlmap::Output o;
  if (!m || !to_output(output, &o)) return -1;
  return static_cast<int64_t>(m->model.output_width(o));
}

int mlmap_predict_output(const mlmap_model* m, const float* X, size_t n_rows, float* out, int output,
                         int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_output: model is NULL");
  mlmap::PredictOptions o;
  if (!to_output(output, &o.output))
    return fail(mlmap::error_code::invalid_argument, "mlmap_predict_output: unknown output (use MLMAP_OUTPUT_*)");
  o.n_threads = n_threads;
  return done(m->model.predict(X, n_rows, out, o));
}

int mlmap_table_create(size_t n_rows, mlmap_table** out) {
  if (!out) return fail(mlmap::error_code::invalid_argument, "mlmap_table_create: out is NULL");
  *out = new (std::nothrow) mlmap_table{mlmap::Table(n_rows), {}, {}};
  if (!*out) return fail(mlmap::error_code::out_of_memory, "mlmap_table_create: out of memory");
  return MLMAP_OK;
}

namespace {

int check_column(const char* fn, const mlmap_table* t, const char* name, const void* values) {
  if (!t) return fail(mlmap::error_code::invalid_argument, (std::string(fn) + ": table is NULL").c_str());
  if (!name) return fail(mlmap::error_code::invalid_argument, (std::string(fn) + ": name is NULL").c_str());
  if (!values && t->table.n_rows() > 0)
    return fail(mlmap::error_code::invalid_argument, (std::string(fn) + ": values is NULL").c_str());
  return MLMAP_OK;
}

}  // namespace

int mlmap_table_add_double(mlmap_table* t, const char* name, const double* values) {
  if (int rc = check_column("mlmap_table_add_double", t, name, values)) return rc;
  try {
    return done(t->table.add_numeric(name, values));
  } catch (const std::bad_alloc&) {
    return fail(mlmap::error_code::out_of_memory, "mlmap_table_add_double: out of memory");
  }
}

int mlmap_table_add_float(mlmap_table* t, const char* name, const float* values) {
  if (int rc = check_column("mlmap_table_add_float", t, name, values)) return rc;
  try {
    return done(t->table.add_numeric(name, values));
  } catch (const std::bad_alloc&) {
    return fail(mlmap::error_code::out_of_memory, "mlmap_table_add_float: out of memory");
  }
}

int mlmap_table_add_strings(mlmap_table* t, const char* name, const char* const* values, const size_t* lengths) {
  if (int rc = check_column("mlmap_table_add_strings", t, name, values)) return rc;
  try {
    const size_t n = t->table.n_rows();
    auto views = std::make_unique<std::string_view[]>(n);
    auto missing = std::make_unique<bool[]>(n);
    for (size_t i = 0; i < n; ++i) {
      missing[i] = values[i] == nullptr;
      if (values[i]) views[i] = std::string_view(values[i], lengths ? lengths[i] : std::strlen(values[i]));
    }
    if (auto st = t->table.add_strings(name, views.get(), missing.get()); !st) return fail(st.error());
    t->strings.push_back(std::move(views));
    t->missing.push_back(std::move(missing));
    return MLMAP_OK;
  } catch (const std::bad_alloc&) {
    return fail(mlmap::error_code::out_of_memory, "mlmap_table_add_strings: out of memory");
  }
}

void mlmap_table_free(mlmap_table* t) { delete t; }

namespace {

// mlmap_predict_output_table and mlmap_predict_table; `fn` names the
// caller's function in errors.
int predict_output_table(const char* fn, const mlmap_model* m, const mlmap_table* t, double* out, int output,
                         int n_threads) {
  using mlmap::error_code;
  if (!m) return fail(mlmap::Error(error_code::invalid_argument, std::string(fn) + ": model is NULL"));
  if (!t) return fail(mlmap::Error(error_code::invalid_argument, std::string(fn) + ": table is NULL"));
  mlmap::PredictOptions o;
  if (!to_output(output, &o.output))
    return fail(mlmap::Error(error_code::invalid_argument, std::string(fn) + ": unknown output (use MLMAP_OUTPUT_*)"));
  o.n_threads = n_threads;
  return done(m->model.predict(t->table, out, o));
}

}  // namespace

int mlmap_predict_output_table(const mlmap_model* m, const mlmap_table* t, double* out, int output, int n_threads) {
  return predict_output_table("mlmap_predict_output_table", m, t, out, output, n_threads);
}

int mlmap_predict_table(const mlmap_model* m, const mlmap_table* t, double* out, int n_threads) {
  return predict_output_table("mlmap_predict_table", m, t, out, MLMAP_OUTPUT_VALUE, n_threads);
}

int mlmap_predict_class_table(const mlmap_model* m, const mlmap_table* t, int64_t* out, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_class_table: model is NULL");
  if (!t) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_class_table: table is NULL");
  if (int rc = refuse_multi_output("mlmap_predict_class_table", m)) return rc;
  return done(m->model.predict_class(t->table, out, n_threads));
}

int64_t mlmap_num_class_outputs(const mlmap_model* m) {
  if (!m) return -1;
  const auto task = m->model.task();
  if (task != mlmap::Task::classification && task != mlmap::Task::outlier_detection) return 0;
  return static_cast<int64_t>(m->model.class_width());
}

int64_t mlmap_output_classes(const mlmap_model* m, int64_t j) {
  if (!m || j < 0 || j >= mlmap_num_class_outputs(m)) return -1;
  const auto& groups = m->model.info().output_groups;
  if (groups.empty()) return static_cast<int64_t>(m->model.info().classes.size());
  return static_cast<int64_t>(groups[static_cast<size_t>(j)]);
}

int mlmap_predict_classes(const mlmap_model* m, const float* X, size_t n_rows, int64_t* out, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_classes: model is NULL");
  return done(m->model.predict_class(X, n_rows, out, n_threads));
}

int mlmap_predict_classes_table(const mlmap_model* m, const mlmap_table* t, int64_t* out, int n_threads) {
  if (!m) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_classes_table: model is NULL");
  if (!t) return fail(mlmap::error_code::invalid_argument, "mlmap_predict_classes_table: table is NULL");
  return done(m->model.predict_class(t->table, out, n_threads));
}

}  // extern "C"
