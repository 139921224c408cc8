// Test support shared by the XGBoost importer's doctest files: edits of a
// fixture document and checks of an import's error.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <random>
#include <string>

#include "mlmap/importers.hpp"

namespace mlmap::test {

/// `s` with the first `from` replaced by `to` (which must be there).
inline std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, (std::string("'") + from + "' not in the document"));
  return s.replace(at, from.size(), to);
}

/// The import failed with `code` and a message containing `needle`.
inline void check_error(const Result<ImportedModel>& r, error_code code, const std::string& needle) {
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(r.code() == code, r.error().describe());
  CHECK_MESSAGE(r.message().find(needle) != std::string::npos,
                (std::string("message '") + r.message() + "' does not contain '" + needle + "'"));
}

/// `good` with 1 to 3 random edits (replace, insert or erase up to 8 bytes);
/// inserted and replacing bytes come from pick(rng).
template <class Pick>
std::string mutate(const std::string& good, std::mt19937_64& rng, Pick pick) {
  std::string s = good;
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    const char c = pick(rng);
    switch (rng() % 3) {
      case 0: s[at] = c; break;
      case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c); break;
      default: s.erase(at, 1 + rng() % 8); break;
    }
  }
  return s;
}

/// An import of mutated input: ok, or refused as import_failed /
/// unsupported_model with a message.  Returns whether it was ok.
inline bool acceptable(const Result<ImportedModel>& r) {
  if (r.ok()) return true;
  REQUIRE_MESSAGE((r.code() == error_code::import_failed || r.code() == error_code::unsupported_model),
                  r.error().describe());
  REQUIRE(!r.message().empty());
  return false;
}

}  // namespace mlmap::test
