// tools/common/batch.hpp — rows of model input, decoded from a CSV file or a
// request body, ready to predict.
//
// A Batch is a row-major matrix of doubles for a numeric model, or, for a
// model that reads string columns (has_string_inputs), one column per input
// for the Table API.  Cells start missing (NaN, or a missing string) and are
// set one by one.  predict() / predict_class() hand the batch to the model
// the right way; both the CLI (`mlmap predict`) and the server decode into
// it, so a model with string columns is fed the same from either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/model.hpp"

namespace mlmap::tools {

/// Whether the model reads any string input (then it needs the Table API).
bool has_string_inputs(const ModelInfo& info);
/// Whether input `j` is a string column.
bool is_string_input(const ModelInfo& info, size_t j);
/// Whether no step reads input `j` (ModelInfo's unread_columns: a
/// ColumnTransformer's dropped column): its cells are skipped, whatever
/// they hold, and left missing.
bool is_unread_input(const ModelInfo& info, size_t j);

class Batch {
 public:
  /// An empty batch for the inputs of `info` (which must outlive it).
  explicit Batch(const ModelInfo& info);
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  /// Drops the rows (keeps the memory for the next ones).
  void clear();
  /// Appends a row of missing cells; returns its index.
  size_t add_row();
  void set_number(size_t row, size_t input, double value) noexcept;
  /// `value` must outlive the batch (a string of a parsed JSON document).
  void set_string(size_t row, size_t input, std::string_view value);
  /// A copy of `value` is kept (a CSV field, valid only until the next record).
  void set_owned_string(size_t row, size_t input, std::string_view value);

  size_t n_rows() const noexcept { return n_rows_; }
  bool uses_table() const noexcept { return use_table_; }
  /// Reserves room for `n` more rows of a numeric model.
  void reserve(size_t n);

  /// Predicts every row into `out` (n_rows() x output_width(options.output)).
  [[nodiscard]] Status predict(const Model& model, double* out, const PredictOptions& options = {});
  /// Classifiers: each row's class index into `out` (n_rows()).
  [[nodiscard]] Status predict_class(const Model& model, int64_t* out, int n_threads = 1);

 private:
  [[nodiscard]] Status make_table(Table& table);

  const ModelInfo& info_;
  bool use_table_;
  size_t n_rows_ = 0;
  std::vector<double> matrix_;                        // !use_table_: n_rows x n_features
  std::vector<std::vector<double>> numeric_;          // use_table_: per input
  std::vector<std::vector<std::string_view>> strings_;
  std::vector<std::vector<char>> missing_;            // string inputs: 1 = missing
  std::deque<std::string> owned_;                     // copied string cells
  std::vector<std::unique_ptr<bool[]>> missing_flags_;  // bool copies of missing_ for a Table
};

}  // namespace mlmap::tools
