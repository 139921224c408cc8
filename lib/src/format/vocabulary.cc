#include "format/vocabulary.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace mlmap::format {

uint64_t term_hash(std::string_view term) noexcept { return XXH3_64bits(term.data(), term.size()); }

Result<VocabularyTable> build_vocabulary(const std::vector<std::string>& terms) {
  if (terms.empty()) return Error(error_code::invalid_argument, "the vocabulary is empty");
  if (terms.size() >= (uint64_t{1} << 31))
    return Error(error_code::limit_exceeded, "the vocabulary has " + std::to_string(terms.size()) + " terms");
  VocabularyTable v;
  uint64_t size = 2;
  while (size < 2 * uint64_t{terms.size()}) size <<= 1;
  v.table.assign(size, 0);
  v.offsets.reserve(terms.size() + 1);
  v.offsets.push_back(0);
  for (const auto& t : terms) {
    v.terms.insert(v.terms.end(), t.begin(), t.end());
    v.offsets.push_back(v.terms.size());
  }
  for (uint32_t i = 0; i < terms.size(); ++i) {
    const std::string& t = terms[i];
    if (t.empty()) return Error(error_code::invalid_argument, "vocabulary term " + std::to_string(i) + " is empty");
    uint64_t slot = term_hash(t) & (size - 1);
    uint32_t probe = 0;
    for (; v.table[slot] != 0; slot = (slot + 1) & (size - 1), ++probe)
      if (terms[v.table[slot] - 1] == t)
        return Error(error_code::invalid_argument, "vocabulary term '" + t + "' repeats");
    v.table[slot] = i + 1;
    v.max_probe = std::max(v.max_probe, probe);
  }
  return v;
}

std::string_view VocabularyView::term(uint32_t i) const noexcept {
  if (i >= n_terms) return {};
  const uint64_t b = offsets[i], e = offsets[i + 1];
  if (b > e || e > n_bytes) return {};
  return {reinterpret_cast<const char*>(terms + b), static_cast<size_t>(e - b)};
}

int64_t VocabularyView::find(std::string_view t, uint64_t hash) const noexcept {
  if (table_size == 0) return -1;
  const uint64_t mask = table_size - 1;
  uint64_t slot = hash & mask;
  for (uint64_t p = 0; p <= max_probe && p < table_size; ++p, slot = (slot + 1) & mask) {
    const uint32_t e = table[slot];
    if (e == 0) return -1;
    const std::string_view s = term(e - 1);  // empty when e > n_terms: never equal to a token
    if (s.size() == t.size() && !s.empty() && std::memcmp(s.data(), t.data(), t.size()) == 0) return int64_t{e} - 1;
  }
  return -1;
}

Status VocabularyView::verify(const std::string& where) const noexcept {
  try {
    auto bad = [&](const std::string& what) { return Error(error_code::invalid_model, where + ": " + what); };
    if (offsets[0] != 0 || offsets[n_terms] != n_bytes)
      return bad("the term offsets do not span the term bytes (" + std::to_string(offsets[0]) + " .. " +
                 std::to_string(offsets[n_terms]) + " of " + std::to_string(n_bytes) + ")");
    for (uint32_t i = 0; i < n_terms; ++i)
      if (offsets[i + 1] <= offsets[i]) return bad("term " + std::to_string(i) + " is empty or its offsets decrease");
    uint64_t used = 0;
    for (uint64_t s = 0; s < table_size; ++s) {
      if (table[s] > n_terms)
        return bad("table entry " + std::to_string(s) + " is " + std::to_string(table[s]) + ", past the " +
                   std::to_string(n_terms) + " terms");
      used += table[s] != 0;
    }
    if (used != n_terms) return bad(std::to_string(used) + " table entries for " + std::to_string(n_terms) + " terms");
    for (uint32_t i = 0; i < n_terms; ++i)
      if (find(term(i)) != int64_t{i})
        return bad("term " + std::to_string(i) + " is not found at its index within " + std::to_string(max_probe) +
                   " probes");
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory verifying " + where);
  }
}

}  // namespace mlmap::format
