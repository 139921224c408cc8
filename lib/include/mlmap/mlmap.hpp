// mlmap/mlmap.hpp — the C++ API of mlmap (umbrella header).
//
//   auto model = mlmap::Model::open("forest.mlmap");      // mmap + checks, O(columns)
//   if (!model) { std::cerr << model.error().describe(); return 2; }
//   std::vector<float> proba(n_rows * model->output_width());
//   auto st = model->predict(X.data(), n_rows, proba.data());
//
// See model.hpp (open, verify, predict), info.hpp (what a file says about
// itself), writer.hpp (writing files), error.hpp (the error model),
// atomic_file.hpp (replacing a file atomically).
#pragma once

#include "mlmap/atomic_file.hpp"
#include "mlmap/error.hpp"
#include "mlmap/info.hpp"
#include "mlmap/json.hpp"
#include "mlmap/importers.hpp"
#include "mlmap/model.hpp"
#include "mlmap/store.hpp"
#include "mlmap/table.hpp"
#include "mlmap/version.hpp"
#include "mlmap/writer.hpp"
