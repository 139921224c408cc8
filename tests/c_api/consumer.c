/* A plain C99 program using only <mlmap/mlmap.h> and libmlmap.so, as an FFI
 * user would: proves the header is C and the shared library exports the API.
 * Usage: consumer MODEL N_ROWS < rows (whitespace-separated floats)
 * Prints one line per row: the outputs separated by spaces (%.9g). */
#include <mlmap/mlmap.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: consumer MODEL N_ROWS\n");
    return 1;
  }
  mlmap_model *m = NULL;
  int rc = mlmap_open(argv[1], &m);
  if (rc != MLMAP_OK) {
    fprintf(stderr, "%s (%s)\n", mlmap_last_error(), mlmap_error_name(rc));
    return 2;
  }
  size_t rows = (size_t)strtoul(argv[2], NULL, 10);
  int64_t nf = mlmap_num_features(m), no = mlmap_num_outputs(m);
  float *X = malloc(sizeof(float) * rows * (size_t)nf);
  float *out = malloc(sizeof(float) * rows * (size_t)no);
  for (size_t i = 0; i < rows * (size_t)nf; ++i)
    if (scanf("%f", &X[i]) != 1) return 3;
  rc = mlmap_predict(m, X, rows, out, 0);
  if (rc != MLMAP_OK) {
    fprintf(stderr, "%s\n", mlmap_last_error());
    return 2;
  }
  for (size_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < no; ++j) printf(j ? " %.9g" : "%.9g", out[r * (size_t)no + (size_t)j]);
    printf("\n");
  }
  free(X);
  free(out);
  mlmap_close(m);
  return 0;
}
