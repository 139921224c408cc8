// The preprocessing program in front of a predictor (FORMAT.md §7): scalers,
// imputers, encoders, polynomial features, as a straight-line program over
// numeric and string registers ("slots").  Everything but an op's parameter
// columns lives in the header, so opening checks the program completely and
// compiles each op into a Step (preprocessing/step.hpp).
//
// It runs over blocks of rows held slot-major (prep::Block): the caller fills
// the input slots' columns, run() runs every step over the whole block,
// first_nan_feature() finds a NaN the predictor would refuse, gather() hands
// the predictor its features row by row (steps whose outputs only the
// predictor reads write theirs there directly).  No allocation and no virtual
// call per row: the caller owns the block.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/file_view.hpp"
#include "mlmap/error.hpp"
#include "mlmap/info.hpp"
#include "model/preprocessing/slot_origins.hpp"
#include "model/preprocessing/step.hpp"

namespace mlmap::model {

using prep::StringCell;

class Preprocessor {
 public:
  /// Checks the whole program against `n_inputs` input columns, and binds
  /// the ops' parameter columns in `file` (which must outlive it).  `names`
  /// (empty, or one per input; must outlive the Preprocessor) name columns
  /// in errors.
  [[nodiscard]] static Result<Preprocessor> make(const format::FileView& file, const fb::Preprocessing& p,
                                                 uint32_t n_inputs, const std::vector<std::string>* names,
                                                 PreprocessingSummary* summary) noexcept;

  size_t n_features() const noexcept { return n_features_; }
  size_t n_slots() const noexcept { return n_slots_; }
  /// Numeric slot columns a block has (Block::numeric): n_slots() minus the
  /// outputs of steps that write their features sparsely, which have none.
  size_t n_slot_columns() const noexcept { return n_slot_columns_; }
  /// Slot -> its column (Block::physical), or null when every slot has one.
  const uint32_t* physical() const noexcept { return physical_.empty() ? nullptr : physical_.data(); }
  /// Whether some step writes its features sparsely (a text vectorizer): run
  /// then needs Block::sparse, and the features come from gather_sparse().
  size_t n_string_slots() const noexcept { return n_string_slots_; }
  bool is_string_input(size_t column) const noexcept { return column < string_input_.size() && string_input_[column]; }
  /// The input columns some op or feature reads, in order: the caller fills
  /// only their slots.
  const std::vector<uint32_t>& input_columns() const noexcept { return input_columns_; }
  /// Whether blocks need string columns (some op reads or writes strings).
  bool uses_strings() const noexcept { return uses_strings_; }

  /// Rows per block that keep a block's slot columns in cache (at least 1).
  size_t block_rows() const noexcept { return block_rows_; }
  /// Scratch doubles a block needs per row (Block::scratch).
  size_t scratch_per_row() const noexcept { return scratch_per_row_; }

  /// Runs every step over rows [0, b.n_rows) of `b`, whose input slots the
  /// caller filled (numeric slots of numeric inputs, string slots of string
  /// inputs).  Errors (unknown_category) name row `first_row` + the block row,
  /// the input column and the value, as a row-by-row run would: the first
  /// failing row, and within it the first failing step.  On failure
  /// b.n_rows becomes the failing block row: the rows before it are complete.
  [[nodiscard]] Status run(prep::Block& b, size_t first_row) const noexcept;

  bool sparse() const noexcept { return !sparse_steps_.empty(); }

  /// The predictor's features of the block's rows into F[i * n_features() + k].
  /// Not for a sparse() program.
  void gather(const prep::Block& b, double* F) const noexcept;
  /// A sparse() program's features: appends each row's nonzero gathered
  /// features to b.sparse[i], where the sparse steps' already are (in no
  /// particular order; a position appears at most once).
  void gather_sparse(const prep::Block& b) const;

  /// The first block row with a NaN feature (b.n_rows if none), and in it
  /// the first such feature.  Only features that may hold NaN are looked at
  /// (not one-hot outputs, indicators, imputed values ...).
  size_t first_nan_feature(const prep::Block& b, size_t* feature) const noexcept;

  /// Whether the whole program is unary column ops on the way from input
  /// columns to features, the same ops for every feature (imputers and
  /// scalers): then matrix rows may go to the features along rows, through
  /// row_map() (kernels::map_rows), instead of through blocks.
  bool maps_rows() const noexcept { return maps_rows_; }
  /// The program as a row map (valid while the Preprocessor lives); its
  /// features are n_features() wide.  Only when maps_rows().
  kernels::RowMap row_map() const noexcept;
  /// Whether some feature may hold NaN (first_nan_feature() has any to look at).
  bool may_give_nan() const noexcept { return !nan_features_.empty(); }

  /// The input column feature k carries, for messages ("column 'age'"), or
  /// "" when it mixes several (a polynomial term, a normalised row ...).
  std::string feature_column(size_t k) const;

  /// Per input column: whether a missing value in it is accepted (FORMAT.md
  /// §7.2): no path takes it to a predictor feature that refuses NaN
  /// (`predictor_accepts_nan` false), and no encoder refuses it.
  std::vector<bool> accepts_missing(bool predictor_accepts_nan) const;

  /// The steps' semantic checks of their parameter columns (tier b).
  [[nodiscard]] Status verify() const noexcept;

 private:
  std::string column_name(uint32_t slot, bool string_slot) const;
  // Feature k's slot.
  uint32_t feature_slot(size_t k) const noexcept {
    if (!by_runs_) return features_[k];
    if (runs_.size() == 1) return runs_[0].slot + static_cast<uint32_t>(k);
    auto r = std::upper_bound(runs_.begin(), runs_.end(), k, [](size_t p, const FeatureRun& x) { return p < x.position; });
    --r;
    return r->slot + static_cast<uint32_t>(k - r->position);
  }
  [[nodiscard]] Status take_features(const fb::Preprocessing& p, uint64_t n_slots);
  // The features' plan: which steps write theirs directly, the rest gathered.
  void plan_features(const std::vector<char>& may_be_nan, const std::vector<char>& reads_numbers,
                     const std::vector<char>& writes_numbers);

  // The row map, when the program is one (maps_rows_).
  void plan_row_map();

  // Steps choose at open whether to write features directly (then const).
  std::vector<std::unique_ptr<prep::Step>> steps_;
  std::vector<const prep::Step*> direct_steps_;  // those that write their features themselves
  std::vector<const prep::Step*> sparse_steps_;  // those that write their features sparsely
  std::vector<uint32_t> physical_;               // slot -> column when there are sparse steps
  size_t n_slot_columns_ = 0;
  std::vector<uint32_t> gather_slots_, gather_positions_;  // the other features: slot column, position
  // The features: a list of slots (features_), or runs of consecutive slots
  // (by_runs_: a file's feature_runs, or a list that is one run), which
  // opening then handles run by run, not feature by feature.
  struct FeatureRun {
    uint32_t slot;      // features [position, position + count) are slots [slot, slot + count)
    uint32_t count;
    uint64_t position;
  };
  const uint32_t* features_ = nullptr;  // unless by_runs_
  bool by_runs_ = false;
  std::vector<FeatureRun> runs_;          // in feature order
  std::vector<FeatureRun> runs_by_slot_;  // the same, by first slot
  std::vector<uint64_t> slot_end_before_; // per runs_by_slot_ entry: the largest slot end of those before it
  size_t n_features_ = 0;
  const std::vector<std::string>* names_ = nullptr;
  size_t n_slots_ = 0;
  size_t n_string_slots_ = 0;
  size_t block_rows_ = 1;
  size_t scratch_per_row_ = 0;
  bool uses_strings_ = false;
  std::vector<bool> string_input_;
  std::vector<uint32_t> input_columns_;
  std::vector<uint32_t> nan_features_;  // the features whose slots may hold NaN, in order
  std::vector<uint32_t> nan_slots_;     // their slots
  bool maps_rows_ = false;
  std::vector<uint32_t> map_cols_;       // per feature: its input column
  std::vector<kernels::ColumnOp> map_ops_;  // per stage
  std::vector<double> map_args_;         // kernels::RowMap::args
  size_t map_period_ = 0;
  prep::SlotOrigins numeric_origin_, string_origin_;  // per slot: its input column, or -1
};

}  // namespace mlmap::model
