// scikit-learn's analyzers (FORMAT.md §7.4).  The default word analyzer:
// Python's str.lower(), then the matches of token_pattern (?u)\b\w\w+\b — with
// Python's Unicode \w (str.isalnum() or '_'), the maximal runs of two or
// more word characters — in order.  Character classes and case mapping come
// from ICU (Unicode's full lowercase mapping with Final_Sigma, the root
// locale: what CPython implements).  The character analyzers ('char',
// 'char_wb'): n-grams of the code points of the lowercased document.
#pragma once

#include <string>
#include <string_view>
#include <utility>
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

/// Python's `ch.isspace()`: the `\s` of a str pattern and what
/// `str.split()` splits on.
bool is_space(int32_t code_point) noexcept;

/// A document's character n-grams: each a view into `text`.
struct CharGrams {
  std::string text;
  std::vector<std::string_view> grams;
};

/// scikit-learn's `_char_ngrams` (`word_bounded` false: runs of two or more
/// whitespace characters become one space, then every run of n code points,
/// n in [min_n, max_n], of the document) or `_char_wb_ngrams` (each
/// whitespace-separated word padded with a space on both sides, its runs of
/// n code points; a padded word of n or fewer code points once, whole), of
/// the document lowercased if `lowercase`, then accents stripped.  The
/// n-grams are UTF-8, in no particular order.  False if `doc` is not valid
/// UTF-8.  May throw std::bad_alloc.
bool char_ngrams(std::string_view doc, bool lowercase, StripAccents strip, bool word_bounded, uint32_t min_n,
                 uint32_t max_n, CharGrams& out);

}  // namespace mlmap::model::prep
