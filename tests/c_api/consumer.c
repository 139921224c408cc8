/* A plain C99 program using only <mlmap/mlmap.h> and libmlmap.so, as an FFI
 * user would: proves the header is C and the shared library exports the API.
 * Usage: consumer MODEL N_ROWS [value|raw|decision|class] < rows
 * (whitespace-separated floats).  Prints the task, then one line per row:
 * the outputs separated by spaces (%.9g), or the class index. */
#include <mlmap/mlmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: consumer MODEL N_ROWS [value|raw|decision|class]\n");
    return 1;
  }
  mlmap_model *m = NULL;
  int rc = mlmap_open(argv[1], &m);
  if (rc != MLMAP_OK) {
    fprintf(stderr, "%s (%s)\n", mlmap_last_error(), mlmap_error_name(rc));
    return 2;
  }
  const char *what = argc == 4 ? argv[3] : "value";
  const int classes = strcmp(what, "class") == 0;
  const int output = strcmp(what, "raw") == 0 ? MLMAP_OUTPUT_RAW
                     : strcmp(what, "decision") == 0 ? MLMAP_OUTPUT_DECISION
                                                     : MLMAP_OUTPUT_VALUE;
  size_t rows = (size_t)strtoul(argv[2], NULL, 10);
  int64_t nf = mlmap_num_features(m), no = classes ? 1 : mlmap_output_width(m, output);
  if (!classes && output == MLMAP_OUTPUT_VALUE && no != mlmap_num_outputs(m)) return 4;
  float *X = malloc(sizeof(float) * rows * (size_t)nf);
  float *out = malloc(sizeof(float) * rows * (size_t)no);
  int64_t *cls = malloc(sizeof(int64_t) * rows);
  for (size_t i = 0; i < rows * (size_t)nf; ++i)
    if (scanf("%f", &X[i]) != 1) return 3;
  if (classes)
    rc = mlmap_predict_class(m, X, rows, cls, 0);
  else if (argc == 4)
    rc = mlmap_predict_output(m, X, rows, out, output, 0);
  else
    rc = mlmap_predict(m, X, rows, out, 0);
  if (rc != MLMAP_OK) {
    fprintf(stderr, "%s\n", mlmap_last_error());
    return 2;
  }
  printf("task %d\n", mlmap_task(m));
  for (size_t r = 0; r < rows; ++r) {
    if (classes) {
      printf("%lld\n", (long long)cls[r]);
      continue;
    }
    for (int64_t j = 0; j < no; ++j) printf(j ? " %.9g" : "%.9g", out[r * (size_t)no + (size_t)j]);
    printf("\n");
  }
  free(X);
  free(out);
  free(cls);
  mlmap_close(m);
  return 0;
}
