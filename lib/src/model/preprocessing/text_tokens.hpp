// scikit-learn's default word analyzer (FORMAT.md §7.3): Python's
// str.lower(), then the matches of token_pattern (?u)\b\w\w+\b — with
// Python's Unicode \w (str.isalnum() or '_'), the maximal runs of two or
// more word characters — in order.  Character classes and case mapping come
// from ICU (Unicode's full lowercase mapping with Final_Sigma, the root
// locale: what CPython implements).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlmap::model::prep {

/// Python's `ch.isalnum() or ch == '_'`: the `\w` of a str pattern.
bool is_word_char(int32_t code_point) noexcept;

/// The tokens of `doc` (UTF-8) into `tokens` (UTF-8), lowercased first if
/// `lowercase`.  False if `doc` is not valid UTF-8 (tokens then unspecified).
/// May throw std::bad_alloc.
bool word_tokens(std::string_view doc, bool lowercase, std::vector<std::string>& tokens);

}  // namespace mlmap::model::prep
