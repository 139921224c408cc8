/* mlmap.h — the C API of mlmap, for FFI users.
 *
 * Open a model file (mapped read-only, shared by every process that maps it),
 * ask its shape, predict.  Every function is safe to call from many threads
 * at once on the same model; a model is immutable once opened.
 *
 * Errors: functions returning int give 0 on success or one of the MLMAP_E_*
 * codes below (the same numbers as mlmap::error_code, pinned for good); the
 * message of the calling thread's last failure is mlmap_last_error().
 *
 * Predicting never reads outside the file, even for a file that was not
 * verified: a crafted file can give wrong numbers, not a crash.  Call
 * mlmap_verify() on files you did not write.
 *
 * Models whose preprocessing reads string columns (text vectorizers,
 * encoders of string categories: a DataFrame in Python) are fed through an
 * mlmap_table: named numeric and string columns (mlmap_predict_table).
 */
#ifndef MLMAP_H
#define MLMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlmap_model mlmap_model;

enum {
  MLMAP_OK = 0,
  MLMAP_E_INVALID_ARGUMENT = 1,
  MLMAP_E_IO = 2,
  MLMAP_E_NOT_A_FILE = 3,
  MLMAP_E_FILE_TOO_SMALL = 4,
  MLMAP_E_BAD_MAGIC = 5,
  MLMAP_E_UNSUPPORTED_VERSION = 6,
  MLMAP_E_TRUNCATED = 7,
  MLMAP_E_CORRUPT_HEADER = 8,
  MLMAP_E_COLUMN_OUT_OF_BOUNDS = 9,
  MLMAP_E_COLUMN_MISALIGNED = 10,
  MLMAP_E_COLUMN_MISMATCH = 11,
  MLMAP_E_INVALID_MODEL = 12,
  MLMAP_E_CHECKSUM_MISMATCH = 13,
  MLMAP_E_UNSUPPORTED_MODEL = 14,
  MLMAP_E_FEATURE_COUNT_MISMATCH = 15,
  MLMAP_E_MISSING_VALUE = 16,
  MLMAP_E_LIMIT_EXCEEDED = 17,
  MLMAP_E_WRITE_FAILED = 18,
  MLMAP_E_OUT_OF_MEMORY = 19,
  MLMAP_E_UNKNOWN_CATEGORY = 20,
  MLMAP_E_IMPORT_FAILED = 21,
  MLMAP_E_INTERNAL = 22
};

/* Opens and checks `path` (O(number of columns)); *out receives the model. */
int mlmap_open(const char *path, mlmap_model **out);

/* The calling thread's last error message; "" if none.  Valid until the
 * thread's next mlmap call. */
const char *mlmap_last_error(void);

/* Input width. */
int64_t mlmap_num_features(const mlmap_model *m);

/* Values per row from mlmap_predict: n_classes (probabilities; 2 for binary
 * classifiers, as sklearn's predict_proba) or n_targets. */
int64_t mlmap_num_outputs(const mlmap_model *m);

/* Row-major X (n_rows x num_features) -> out (n_rows x num_outputs).
 * n_threads 0 means all cores.  NaN means "missing" for models that learned
 * how to route it and is MLMAP_E_MISSING_VALUE for the others. */
int mlmap_predict(const mlmap_model *m, const float *X, size_t n_rows, float *out, int n_threads);

/* Releases the model (NULL is fine). */
void mlmap_close(mlmap_model *m);

/* --- extensions --- */

/* Full validation: every index and checksum (O(file size)). */
int mlmap_verify(const mlmap_model *m);

/* Stable name of an error code, e.g. "checksum_mismatch". */
const char *mlmap_error_name(int code);

/* 1 for classifiers, else 0. */
int mlmap_is_classifier(const mlmap_model *m);

/* Classifiers: predicted class index per row (into the labels in the file).
 * Outlier detectors: 0 for an outlier (sklearn's -1), 1 for an inlier.
 * Multi-output classifiers (mlmap_num_class_outputs > 1) are
 * MLMAP_E_INVALID_ARGUMENT here: out would need several indices per row; use
 * mlmap_predict_classes. */
int mlmap_predict_class(const mlmap_model *m, const float *X, size_t n_rows, int64_t *out, int n_threads);

/* What a model predicts (mlmap_task). */
enum {
  MLMAP_TASK_REGRESSION = 0,
  MLMAP_TASK_CLASSIFICATION = 1,
  MLMAP_TASK_RANKING = 2,
  MLMAP_TASK_OUTLIER_DETECTION = 3
};

/* One of MLMAP_TASK_*; -1 for a NULL model. */
int mlmap_task(const mlmap_model *m);

/* What mlmap_predict_output writes per row. */
enum {
  MLMAP_OUTPUT_VALUE = 0,    /* as mlmap_predict: probabilities, values, or
                                outlier detectors' anomaly scores (score_samples) */
  MLMAP_OUTPUT_RAW = 1,      /* raw scores before the link function */
  MLMAP_OUTPUT_DECISION = 2  /* sklearn's decision_function (outlier detectors:
                                negative for an outlier) */
};

/* Values per row of `output` (one of MLMAP_OUTPUT_*); -1 for a NULL model or
 * an unknown output. */
int64_t mlmap_output_width(const mlmap_model *m, int output);

/* As mlmap_predict, for any MLMAP_OUTPUT_*: out holds n_rows x
 * mlmap_output_width(m, output) values. */
int mlmap_predict_output(const mlmap_model *m, const float *X, size_t n_rows, float *out, int output, int n_threads);

/* --- tables: named columns, numeric or string --- */

/* A table of n_rows rows: named columns matched to the model's input columns
 * by name (its feature_names, the DataFrame's column names in Python);
 * columns the model does not read are ignored.  The table refers to the
 * caller's value arrays and strings, which must stay alive and unchanged
 * while it is used; it copies the names.  Not for use by several threads at
 * once while columns are added; predicting from it is. */
typedef struct mlmap_table mlmap_table;

/* *out receives an empty table of n_rows rows. */
int mlmap_table_create(size_t n_rows, mlmap_table **out);

/* A numeric column of n_rows values; NaN means missing. */
int mlmap_table_add_double(mlmap_table *t, const char *name, const double *values);
int mlmap_table_add_float(mlmap_table *t, const char *name, const float *values);

/* A string column of n_rows UTF-8 strings: values[i] NULL means missing
 * (NaN in pandas, as read_csv gives for an empty field; an encoder that
 * learned Python's None as a category does not see it as None); lengths (optional, NULL: each string ends at its
 * NUL) gives each string's length in bytes. */
int mlmap_table_add_strings(mlmap_table *t, const char *name, const char *const *values, const size_t *lengths);

/* Releases the table (NULL is fine). */
void mlmap_table_free(mlmap_table *t);

/* As mlmap_predict / mlmap_predict_output / mlmap_predict_class, from a
 * table: out holds n_rows x mlmap_output_width(m, output) doubles.  A column
 * the model reads that the table lacks is MLMAP_E_FEATURE_COUNT_MISMATCH, an
 * unseen category an encoder refuses MLMAP_E_UNKNOWN_CATEGORY, a missing
 * document MLMAP_E_MISSING_VALUE. */
int mlmap_predict_table(const mlmap_model *m, const mlmap_table *t, double *out, int n_threads);
int mlmap_predict_output_table(const mlmap_model *m, const mlmap_table *t, double *out, int output, int n_threads);
int mlmap_predict_class_table(const mlmap_model *m, const mlmap_table *t, int64_t *out, int n_threads);

/* --- multi-output classifiers (sklearn's MultiOutputClassifier) --- */

/* Class indices per row from mlmap_predict_classes: the number of outputs m
 * of a multi-output classifier, 1 for other classifiers and outlier
 * detectors, 0 for other models, -1 for a NULL model. */
int64_t mlmap_num_class_outputs(const mlmap_model *m);

/* Classes of output j (0 <= j < mlmap_num_class_outputs): its probabilities
 * are the next that many values of a row of mlmap_predict, after those of
 * the outputs before it, and its labels the next that many in the file's
 * class labels.  -1 for a NULL model or j out of range. */
int64_t mlmap_output_classes(const mlmap_model *m, int64_t j);

/* As mlmap_predict_class, for every classifier: out holds n_rows x
 * mlmap_num_class_outputs(m) indices, row-major; output j's index is into
 * the file's class labels (within output j's). */
int mlmap_predict_classes(const mlmap_model *m, const float *X, size_t n_rows, int64_t *out, int n_threads);
int mlmap_predict_classes_table(const mlmap_model *m, const mlmap_table *t, int64_t *out, int n_threads);

#ifdef __cplusplus
}
#endif

#endif /* MLMAP_H */
