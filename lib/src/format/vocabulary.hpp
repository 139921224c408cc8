// A vocabulary as a hash table over a blob of terms (FORMAT.md §7.4): the
// columns of a TextCount step.  Term i is bytes [offsets[i], offsets[i+1]) of
// `terms` (UTF-8); `table` has a power-of-two number of entries, each 0
// (empty) or i + 1, placed by linear probing from XXH3-64(term) mod size.
// One home for the hash and the probe rule: the writer builds tables with
// build_vocabulary(), readers look terms up with VocabularyView::find().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mlmap/error.hpp"

namespace mlmap::format {

/// The hash a term is placed by: XXH3-64 (seed 0) of its UTF-8 bytes.
uint64_t term_hash(std::string_view term) noexcept;

struct VocabularyTable {
  std::vector<uint32_t> table;    // power of two >= 2 * n_terms entries
  std::vector<uint64_t> offsets;  // n_terms + 1
  std::vector<uint8_t> terms;     // the terms' bytes, in index order
  uint32_t max_probe = 0;         // the longest probe sequence any term needs (0: found at its slot)
};

/// The table of `terms` (term i has index i); refuses an empty list, an
/// empty term and a repeated one (invalid_argument).
[[nodiscard]] Result<VocabularyTable> build_vocabulary(const std::vector<std::string>& terms);

/// A mapped table.  find() is memory-safe for any contents (offsets and
/// entries are clamped, probes bounded by max_probe + 1); verify() checks
/// that the contents are the table build_vocabulary() makes (tier b).
struct VocabularyView {
  const uint32_t* table = nullptr;
  uint64_t table_size = 0;  // a power of two (checked at open)
  const uint64_t* offsets = nullptr;
  uint32_t n_terms = 0;
  const uint8_t* terms = nullptr;
  uint64_t n_bytes = 0;
  uint32_t max_probe = 0;

  /// The term's index, or -1.
  int64_t find(std::string_view term) const noexcept { return find(term, term_hash(term)); }
  int64_t find(std::string_view term, uint64_t hash) const noexcept;
  /// Term i's bytes (empty if its offsets are out of bounds).
  std::string_view term(uint32_t i) const noexcept;
  [[nodiscard]] Status verify(const std::string& where) const noexcept;
};

}  // namespace mlmap::format
