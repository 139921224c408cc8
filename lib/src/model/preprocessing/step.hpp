// What every kind of preprocessing op provides (FORMAT.md §7), and the block
// of rows it runs over.
//
// An op kind is one unit (scalers.cc, missing.cc, encoders.cc,
// polynomial.cc): its OpKind entry (name, slot kinds, parameter columns) and
// check at open, which returns the Step it runs as; the Step runs over a
// block of rows and tells the model's summary how missing values and NaN flow
// through it.  op_table.cc lists every kind in one table indexed by
// fb::OpKind.
//
// Rows run in blocks, op by op, each op over whole slot columns: slot s of a
// block is rows [0, n_rows) of that slot, contiguous.  Steps hold plain views
// (pointers and counts taken from the header, or from the op's parameter
// columns) and touch no FlatBuffers when they run; their arithmetic goes
// through the column kernels (kernels/column_kernels.hpp), with the same IEEE
// operations in the same order per value as the per-row definition.
//
// Adding a kind (PCA, a quantile transform, a nested model ...):
//  1. schema: a new OpKind value, its fields on Op, or parameter columns
//     (FORMAT.md §7.1) for arrays too large for the header; FORMAT.md §7.
//  2. its unit: check(OpCheck) validates the fields (OpCheck::bad, count),
//     binds the parameter columns (OpCheck::column<T>(k, count, role): dtype
//     and length checked like a predictor's) and returns a Step with plain
//     views; the Step's run(Block, Failure*) computes whole columns (a
//     matrix product over the block, a nested predictor on a gathered
//     sub-matrix in its scratch_per_row() room ...), reports a failing row
//     through Failure (named with its input column, first row first),
//     flow_missing() and flow_nan() describe its missing values, verify()
//     checks its parameter columns' contents (tier b).
//  3. one line in op_table.cc; the writer's OpSpec and build_op; the Python
//     exporter; tests (a hand-computed step, the corrupt-file kinds of new
//     columns, parity against the source library).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/file_view.hpp"
#include "kernels/column_kernels.hpp"
#include "mlmap/error.hpp"
#include "mlmap_generated.h"

namespace mlmap::model::prep {

/// A string cell: a string, or what stands in for one (mlmap::Table::Cell).
struct StringCell {
  enum class Missing : unsigned char { no = 0, nan = 1, none = 2, other = 3 };
  std::string_view value;
  Missing missing = Missing::nan;

  bool present() const noexcept { return missing == Missing::no; }
};

/// One nonzero feature of a row: the predictor's feature `position`.
struct SparseEntry {
  uint32_t position;
  double value;
};

/// Rows of a block, slot-major: numeric slot s holds rows [0, n_rows) at
/// numeric + physical[s] * stride (numeric + s * stride without `physical`),
/// string slot s at strings + s * stride.  Slots of steps that write their
/// features sparsely have no column.
struct Block {
  double* numeric = nullptr;
  StringCell* strings = nullptr;  // null when no op reads or writes strings
  double* scratch = nullptr;      // Step::scratch_per_row() * stride doubles for the running step
  size_t stride = 0;              // rows the columns have room for
  size_t n_rows = 0;
  const uint32_t* physical = nullptr;          // slot -> column, or null (the identity)
  std::vector<SparseEntry>* sparse = nullptr;  // per block row: the sparse steps' nonzero features

  double* column(uint32_t slot) const noexcept { return numeric + (physical ? physical[slot] : slot) * stride; }
  StringCell* string_column(uint32_t slot) const noexcept { return strings + slot * stride; }
};

/// The first row of a block at which a step fails.  Steps report through
/// fail(), which keeps the earliest row (and, for one row, the first report):
/// rows at or after limit() need not be computed any more.
struct Failure {
  static constexpr size_t none = std::numeric_limits<size_t>::max();
  size_t row = none;
  uint32_t slot = 0;           // the input slot whose value fails: names its column
  bool string_slot = false;
  error_code code = error_code::ok;
  std::string what;            // completes "row R: <column> ...", e.g. "has category 'x', unseen ..."

  bool failed() const noexcept { return row != none; }
  size_t limit(size_t n_rows) const noexcept { return row < n_rows ? row : n_rows; }
  void fail(size_t at, uint32_t in_slot, bool in_string_slot, error_code c, std::string message) {
    if (at >= row) return;
    row = at;
    slot = in_slot;
    string_slot = in_string_slot;
    code = c;
    what = std::move(message);
  }
};

/// Missing-value flow, analysed backwards over the program at open: a slot
/// is sensitive when a missing value in it (NaN, or a missing string) reaches
/// a predictor feature that refuses NaN, or an op that refuses it.
struct MissingFlow {
  std::vector<char> numeric, strings;  // per slot
};

/// Where a step's outputs go among the predictor's features: output o is
/// feature `list[o]`, or `first + o` when the list is empty (the outputs are
/// a run of features: a text vectorizer's 2^20, which then need no table).
struct FeaturePositions {
  std::vector<uint32_t> list;
  uint32_t first = 0;
  uint32_t n = 0;

  uint32_t size() const noexcept { return n; }
  uint32_t operator[](uint32_t o) const noexcept { return list.empty() ? first + o : list[o]; }
};

/// The slots an op reads and writes.
struct Slots {
  const uint32_t* in = nullptr;  // n_in input slots (numeric or string, by kind)
  uint32_t n_in = 0;
  uint32_t out = 0;              // the first output slot
  uint32_t n_out = 0;
};

/// A checked op, ready to run.
class Step {
 public:
  explicit Step(Slots s) noexcept : slots_(s) {}
  virtual ~Step() = default;
  const Slots& slots() const noexcept { return slots_; }

  /// Rows [0, b.n_rows): reads the input slot columns, writes the output
  /// columns.  A failing row is reported through `f`; outputs of rows at or
  /// after f->limit() may be left unwritten.
  virtual void run(const Block& b, Failure* f) const noexcept = 0;
  /// Scratch doubles run() needs per row of a block (Block::scratch).
  virtual size_t scratch_per_row() const noexcept { return 0; }
  /// Marks the inputs through which a missing value reaches a sensitive
  /// output of this step, or which the step refuses when missing.
  virtual void flow_missing(MissingFlow& m) const = 0;
  /// Forwards: marks the numeric outputs that may hold NaN, given which
  /// numeric slots may (input columns may hold anything).  By default every
  /// output may: infinities make NaN in most arithmetic.  Only steps that
  /// write numeric slots are asked.
  virtual void flow_nan(std::vector<char>& may_be_nan) const {
    for (uint32_t o = 0; o < slots_.n_out; ++o) may_be_nan[slots_.out + o] = 1;
  }
  /// Whether no output may hold NaN and flow_missing() reads no output's
  /// mark (a text vectorizer's counts): then opening keeps no flags for the
  /// outputs (flow_nan is not asked; flags that end before them read 0), so
  /// that it does not grow with a vectorizer's 2^20 of them.
  virtual bool outputs_never_nan() const noexcept { return false; }
  /// Semantic checks of the step's parameter columns (tier b, verify).
  [[nodiscard]] virtual Status verify() const noexcept { return {}; }

  /// Outputs that only the predictor reads may go straight into its feature
  /// rows instead of through slot columns and the transpose (a one-hot
  /// row: zeros and a 1).  Asked once at open, when no later step reads an
  /// output, each is a feature exactly once (output o at features
  /// `positions[o]`) and none may hold NaN.  A step that agrees keeps the
  /// positions, may use its output slot columns for its own ends in run(),
  /// and writes the features in write_features().
  virtual bool write_features_directly(const std::vector<uint32_t>& /*positions*/) { return false; }
  /// After run(): rows [0, b.n_rows) of its outputs into F (pw wide), where
  /// they arrive as zeros.
  virtual void write_features(const Block& /*b*/, double* /*F*/, size_t /*pw*/) const noexcept {}

  /// Whether output j is input j's value alone through one unary column op
  /// (kernels::is_unary; an imputer, a scaler), which never fails: then it
  /// says which, with input j's arguments.  A program of such steps only
  /// may run along rows (Preprocessor::row_map), without transposes.
  virtual bool unary_op(uint32_t /*j*/, kernels::ColumnOp* /*op*/, kernels::ColumnArgs* /*args*/) const noexcept {
    return false;
  }

  /// Outputs that only the predictor reads (as for write_features_directly)
  /// may instead be written sparsely: a step that agrees keeps the
  /// positions, gets no output slot columns, and in run() appends each row's
  /// nonzero features to b.sparse[row] (a text vectorizer: a handful of
  /// terms out of a vocabulary of 100,000).
  virtual bool write_features_sparsely(FeaturePositions&& /*positions*/) { return false; }

 protected:
  Slots slots_;
};

/// What a kind's check sees.  The generic checks have run: the kind is
/// known, every input slot was written before, the outputs start at the next
/// free slot, and every parameter column reference names a column.
struct OpCheck {
  const fb::Op& op;
  const format::FileView& file;
  std::string where;  // "preprocessing step 3 (one_hot)", for messages
  Slots slots;        // n_out: as declared; the kind's step says how many it writes

  Error bad(const std::string& what) const { return Error(error_code::invalid_model, where + ": " + what); }
  /// `got` must equal `want` for the per-input vector `what`.
  [[nodiscard]] Status count(size_t got, size_t want, const char* what) const;
  /// Parameter column `k` of the op (Op.columns[k]) as `count` values of T:
  /// its dtype and length checked as a predictor's columns are.
  template <class T>
  [[nodiscard]] Result<const T*> column(size_t k, uint64_t count, const char* role) const {
    const std::string name = where + " " + role;
    return file.column<T>(op.columns()->Get(static_cast<uint32_t>(k)), count, name.c_str());
  }
};

/// One kind of op: an entry of the op table.
struct OpKind {
  ::mlmap::OpKind kind;  // the public value: its name (info.hpp) names the step in messages
  const char* name() const noexcept { return enum_name(kind); }
  /// Whether its inputs are string slots.
  bool (*reads_strings)(const fb::Op& op) noexcept;
  bool writes_strings;  // whether its outputs are string slots
  bool one_to_one;      // output j carries input j's column (names it in errors)
  size_t n_columns;     // parameter columns it takes (Op.columns), in its own order
  /// The kind's own checks; returns the step.
  Result<std::unique_ptr<Step>> (*check)(const OpCheck& c);
};

/// Blocks of fewer rows are handled row by row where that saves the setup of
/// a pass per column (encoders, the NaN check of the features).
constexpr size_t row_scan_below = 8;

/// Helpers shared by the kinds.
using kernels::ColumnOp;
/// y = op(x[, z]) over n rows of columns (kernels/column_kernels.hpp): few
/// rows inline, more through the dispatched ISA kernel.
inline void columns(ColumnOp op, const kernels::ColumnArgs& args, const double* x, double* y, size_t n,
                    const double* z = nullptr) noexcept {
  if (n < kernels::column_kernel_min_rows)
    kernels::column_op_reference(op, args, x, z, y, n);
  else
    kernels::column_op(op, args, x, z, y, n);
}
inline void columns(ColumnOp op, const double* x, double* y, size_t n, double a = 0, double b = 0,
                    const double* z = nullptr) noexcept {
  kernels::ColumnArgs args;
  args.a = a;
  args.b = b;
  columns(op, args, x, y, n, z);
}
inline bool never(const fb::Op&) noexcept { return false; }
inline bool always(const fb::Op&) noexcept { return true; }
template <class T>
size_t size_of(const flatbuffers::Vector<T>* v) noexcept {
  return v ? v->size() : 0;
}
/// The slots of an op that writes one output per input.
inline Slots per_input(Slots s) noexcept {
  s.n_out = s.n_in;
  return s;
}
/// Output j carries input j: a missing value in input j reaches output j.
inline void flow_one_to_one(std::vector<char>& in, const std::vector<char>& out, const Slots& s) {
  for (uint32_t j = 0; j < s.n_in; ++j)
    if (out[s.out + j]) in[s.in[j]] = 1;
}
/// The vector's values, or null when it is absent or empty.
template <class T>
const T* data_of(const flatbuffers::Vector<T>* v) noexcept {
  return v && v->size() ? v->data() : nullptr;
}

}  // namespace mlmap::model::prep
