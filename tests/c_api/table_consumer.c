/* A plain C99 program feeding named numeric and string columns through the
 * C table API (<mlmap/mlmap.h>, libmlmap.so), as an FFI user with text or a
 * DataFrame's columns would.
 * Usage: table_consumer MODEL N_ROWS [value|raw|decision|class] [lengths|nul]
 * Reads from stdin the number of columns, then per column a line
 * "KIND NAME" (KIND d: double, f: float, s: string) and its N_ROWS cells:
 * numbers one per line (nan: missing), strings as a line with the length in
 * bytes (-1: missing, passed as NULL) and then that many bytes and a newline.
 * Strings go in with their lengths ("lengths", the default) or as
 * NUL-terminated strings ("nul").  Prints the task, then one line per row:
 * the outputs separated by spaces (%.17g), or the class index; on an error,
 * the message and the error's name on stderr, exit status 2. */
#include <mlmap/mlmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 64

static int fail(const char *what, int rc) {
  fprintf(stderr, "%s: %s (%s)\n", what, mlmap_last_error(), mlmap_error_name(rc));
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 5) {
    fprintf(stderr, "usage: table_consumer MODEL N_ROWS [value|raw|decision|class] [lengths|nul]\n");
    return 1;
  }
  mlmap_model *m = NULL;
  int rc = mlmap_open(argv[1], &m);
  if (rc != MLMAP_OK) return fail("open", rc);
  const size_t rows = (size_t)strtoul(argv[2], NULL, 10);
  const char *what = argc >= 4 ? argv[3] : "value";
  const int with_lengths = argc < 5 || strcmp(argv[4], "nul") != 0;
  const int classes = strcmp(what, "class") == 0;
  const int output = strcmp(what, "raw") == 0 ? MLMAP_OUTPUT_RAW
                     : strcmp(what, "decision") == 0 ? MLMAP_OUTPUT_DECISION
                                                     : MLMAP_OUTPUT_VALUE;
  mlmap_table *t = NULL;
  rc = mlmap_table_create(rows, &t);
  if (rc != MLMAP_OK) return fail("table", rc);

  void *arrays[MAX_COLUMNS] = {0};
  char **strings[MAX_COLUMNS] = {0};
  size_t *lengths[MAX_COLUMNS] = {0};
  int n_columns = 0;
  if (scanf("%d\n", &n_columns) != 1 || n_columns < 0 || n_columns > MAX_COLUMNS) return 3;
  for (int c = 0; c < n_columns; ++c) {
    char kind = 0, name[256];
    if (scanf(" %c %255[^\n]\n", &kind, name) != 2) return 3;
    if (kind == 'd' || kind == 'f') {
      double *d = malloc(sizeof(double) * (rows ? rows : 1));
      float *f = malloc(sizeof(float) * (rows ? rows : 1));
      for (size_t i = 0; i < rows; ++i) {
        char cell[64];
        if (scanf("%63s", cell) != 1) return 3;
        d[i] = strtod(cell, NULL);
        f[i] = (float)d[i];
      }
      if (kind == 'd') {
        free(f);
        arrays[c] = d;
        rc = mlmap_table_add_double(t, name, d);
      } else {
        free(d);
        arrays[c] = f;
        rc = mlmap_table_add_float(t, name, f);
      }
    } else if (kind == 's') {
      strings[c] = calloc(rows ? rows : 1, sizeof(char *));
      lengths[c] = calloc(rows ? rows : 1, sizeof(size_t));
      for (size_t i = 0; i < rows; ++i) {
        long len = 0;
        if (scanf("%ld", &len) != 1 || getchar() != '\n') return 3;
        if (len < 0) continue; /* missing: NULL */
        strings[c][i] = malloc((size_t)len + 1);
        if (fread(strings[c][i], 1, (size_t)len, stdin) != (size_t)len || getchar() != '\n') return 3;
        strings[c][i][len] = '\0';
        lengths[c][i] = (size_t)len;
      }
      rc = mlmap_table_add_strings(t, name, (const char *const *)strings[c], with_lengths ? lengths[c] : NULL);
    } else {
      return 3;
    }
    if (rc != MLMAP_OK) return fail("column", rc);
  }

  const int64_t width = classes ? 1 : mlmap_output_width(m, output);
  double *out = malloc(sizeof(double) * (rows ? rows : 1) * (size_t)width);
  int64_t *cls = malloc(sizeof(int64_t) * (rows ? rows : 1));
  if (classes)
    rc = mlmap_predict_class_table(m, t, cls, 0);
  else if (output == MLMAP_OUTPUT_VALUE)
    rc = mlmap_predict_table(m, t, out, 0);
  else
    rc = mlmap_predict_output_table(m, t, out, output, 0);
  if (rc != MLMAP_OK) return fail("predict", rc);
  printf("task %d\n", mlmap_task(m));
  for (size_t r = 0; r < rows; ++r) {
    if (classes) {
      printf("%lld\n", (long long)cls[r]);
      continue;
    }
    for (int64_t j = 0; j < width; ++j) printf(j ? " %.17g" : "%.17g", out[r * (size_t)width + (size_t)j]);
    printf("\n");
  }
  free(out);
  free(cls);
  mlmap_table_free(t);
  for (int c = 0; c < n_columns; ++c) {
    free(arrays[c]);
    if (strings[c])
      for (size_t i = 0; i < rows; ++i) free(strings[c][i]);
    free(strings[c]);
    free(lengths[c]);
  }
  mlmap_close(m);
  return 0;
}
