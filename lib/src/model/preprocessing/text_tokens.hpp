// scikit-learn's default word analyzer (FORMAT.md §7.4): Python's
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

/// scikit-learn's strip_accents (after lowercasing): `unicode` removes the
/// combining marks (canonical combining class != 0) of the NFKD form,
/// `ascii` every non-ASCII character of it; a document that is all ASCII is
/// left as it is.
enum class StripAccents { none = 0, unicode = 1, ascii = 2 };

/// The tokens of `doc` (UTF-8) into `tokens` (UTF-8), lowercased first if
/// `lowercase`, then accents stripped.  False if `doc` is not valid UTF-8
/// (tokens then unspecified).  May throw std::bad_alloc.
bool word_tokens(std::string_view doc, bool lowercase, std::vector<std::string>& tokens,
                 StripAccents strip = StripAccents::none);

}  // namespace mlmap::model::prep
