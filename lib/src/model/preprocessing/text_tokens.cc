#include "model/preprocessing/text_tokens.hpp"

#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

namespace mlmap::model::prep {

namespace {

// Python's \w on ASCII: [A-Za-z0-9_].
bool ascii_word(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool is_word_char(int32_t c) noexcept {
  // ASCII (most characters of most documents) without the Unicode tables.
  if (c < 0x80) return ascii_word(static_cast<unsigned char>(c));
  switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return true;  // str.isalpha(): categories Lu, Ll, Lt, Lm, Lo
    default:
      // str.isdecimal() / isdigit() / isnumeric(): a Numeric_Type value.
      return u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
  }
}

namespace {

// Code point c as UTF-8 at p; the end of its bytes.
char* encode_utf8(char32_t c, char* p) noexcept {
  if (c < 0x80) {
    *p++ = static_cast<char>(c);
  } else if (c < 0x800) {
    *p++ = static_cast<char>(0xc0 | (c >> 6));
    *p++ = static_cast<char>(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    *p++ = static_cast<char>(0xe0 | (c >> 12));
    *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    *p++ = static_cast<char>(0x80 | (c & 0x3f));
  } else {
    *p++ = static_cast<char>(0xf0 | (c >> 18));
    *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3f));
    *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    *p++ = static_cast<char>(0x80 | (c & 0x3f));
  }
  return p;
}

void append_utf8(char32_t c, std::string& out) {
  char buf[4];
  out.append(buf, static_cast<size_t>(encode_utf8(c, buf) - buf));
}

// UTF-16 s[0, n) as UTF-8 appended to out, in one pass (not ICU's two per
// token; the text is ICU's own output from valid UTF-8: no lone surrogates,
// so at most 3 bytes per UTF-16 unit).
void append_utf8(const UChar* s, int32_t n, std::string& out) {
  thread_local std::string bytes;
  if (bytes.size() < 3 * static_cast<size_t>(n)) bytes.resize(3 * static_cast<size_t>(n));
  char* p = bytes.data();
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(s, i, n, c);
    p = encode_utf8(static_cast<char32_t>(c), p);
  }
  out.append(bytes.data(), static_cast<size_t>(p - bytes.data()));
}

}  // namespace

namespace {

// An ASCII document: Python's \w is [A-Za-z0-9_] and str.lower() maps A-Z
// to a-z there, so no Unicode tables are needed.
bool is_ascii(std::string_view doc) noexcept {
  unsigned char any = 0;
  for (char c : doc) any |= static_cast<unsigned char>(c);
  return any < 0x80;
}

void ascii_tokens(std::string_view doc, bool lowercase, std::vector<std::string>& tokens) {
  size_t i = 0;
  const size_t n = doc.size();
  while (i < n) {
    if (!ascii_word(static_cast<unsigned char>(doc[i]))) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < n && ascii_word(static_cast<unsigned char>(doc[end]))) ++end;
    if (end - i >= 2) {
      tokens.emplace_back(doc.substr(i, end - i));
      if (lowercase)
        for (char& c : tokens.back())
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    i = end;
  }
}

// The non-ASCII `doc` (UTF-8) lowercased if `lowercase`, then accents
// stripped, as UTF-16 in `s`/`n` (thread-local storage, valid until the
// next call).  False if `doc` is not valid UTF-8.
bool preprocess_utf16(std::string_view doc, bool lowercase, StripAccents strip, const UChar*& s, int32_t& n) {
  if (doc.size() > static_cast<size_t>(INT32_MAX / 2)) return false;
  // UTF-8 -> UTF-16 (invalid sequences refused: a Python str is valid).
  thread_local std::u16string u16, lower;
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  u_strFromUTF8(nullptr, 0, &len, doc.data(), static_cast<int32_t>(doc.size()), &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return false;
  u16.resize(static_cast<size_t>(len));
  err = U_ZERO_ERROR;
  u_strFromUTF8(reinterpret_cast<UChar*>(u16.data()), len, nullptr, doc.data(), static_cast<int32_t>(doc.size()), &err);
  if (U_FAILURE(err)) return false;
  s = reinterpret_cast<const UChar*>(u16.data());
  n = len;
  if (lowercase) {
    err = U_ZERO_ERROR;
    int32_t ln = u_strToLower(nullptr, 0, s, n, "", &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return false;
    lower.resize(static_cast<size_t>(ln));
    err = U_ZERO_ERROR;
    u_strToLower(reinterpret_cast<UChar*>(lower.data()), ln, s, n, "", &err);
    if (U_FAILURE(err)) return false;
    s = reinterpret_cast<const UChar*>(lower.data());
    n = ln;
  }
  if (strip != StripAccents::none) {
    thread_local std::u16string nfkd, kept;
    err = U_ZERO_ERROR;
    const UNormalizer2* norm = unorm2_getNFKDInstance(&err);
    if (U_FAILURE(err)) return false;
    int32_t dn = unorm2_normalize(norm, s, n, nullptr, 0, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return false;
    nfkd.resize(static_cast<size_t>(dn));
    err = U_ZERO_ERROR;
    unorm2_normalize(norm, s, n, reinterpret_cast<UChar*>(nfkd.data()), dn, &err);
    if (U_FAILURE(err)) return false;
    kept.clear();
    const UChar* d = reinterpret_cast<const UChar*>(nfkd.data());
    for (int32_t i = 0; i < dn;) {
      const int32_t start = i;
      UChar32 c;
      U16_NEXT(d, i, dn, c);
      const bool drop = strip == StripAccents::ascii ? c >= 0x80 : u_getCombiningClass(c) != 0;
      if (!drop) kept.append(nfkd, static_cast<size_t>(start), static_cast<size_t>(i - start));
    }
    s = reinterpret_cast<const UChar*>(kept.data());
    n = static_cast<int32_t>(kept.size());
  }
  return true;
}

}  // namespace

namespace {

// `doc` (UTF-8) lowercased as str.lower() into `out`, UTF-8 to UTF-8 (the
// same full mapping with Final_Sigma as u_strToLower, without the trip
// through UTF-16).  False on an ICU failure.
bool lower_utf8(std::string_view doc, std::string& out) {
  static UCaseMap* const root = [] {
    UErrorCode err = U_ZERO_ERROR;
    UCaseMap* m = ucasemap_open("", 0, &err);
    return U_FAILURE(err) ? nullptr : m;
  }();
  if (!root) return false;
  out.resize(doc.size() + doc.size() / 2 + 16);
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode err = U_ZERO_ERROR;
    const int32_t len = ucasemap_utf8ToLower(root, out.data(), static_cast<int32_t>(out.size()), doc.data(),
                                             static_cast<int32_t>(doc.size()), &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
      out.resize(static_cast<size_t>(len));
      continue;
    }
    if (U_FAILURE(err)) return false;
    out.resize(static_cast<size_t>(len));
    return true;
  }
  return false;
}

// The tokens of a non-ASCII document without accent stripping, on its UTF-8
// bytes: tokens are substrings, no conversions.  False if it is not valid
// UTF-8 (U8_NEXT refuses ill-formed sequences, which lowercasing leaves as
// they are).
// is_word_char, with its ASCII test inlined into the tokenizer's loop.
inline bool word_char(UChar32 c) noexcept {
  return c < 0x80 ? ascii_word(static_cast<unsigned char>(c)) : is_word_char(c);
}

bool utf8_tokens(std::string_view doc, bool lowercase, std::vector<std::string>& tokens) {
  thread_local std::string lowered;
  std::string_view text = doc;
  if (lowercase) {
    if (!lower_utf8(doc, lowered)) return false;
    text = lowered;
  }
  if (text.size() > static_cast<size_t>(INT32_MAX)) return false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) return false;
    if (!word_char(c)) continue;
    int32_t count = 1, end = i;
    while (end < n) {
      int32_t j = end;
      U8_NEXT(s, j, n, c);
      if (c < 0) return false;
      if (!word_char(c)) break;
      end = j;
      ++count;
    }
    if (count >= 2) tokens.emplace_back(text.data() + start, static_cast<size_t>(end - start));
    i = end;
  }
  return true;
}

}  // namespace

bool word_tokens(std::string_view doc, bool lowercase, std::vector<std::string>& tokens, StripAccents strip) {
  tokens.clear();
  if (is_ascii(doc)) {
    ascii_tokens(doc, lowercase, tokens);
    return true;
  }
  if (doc.size() > static_cast<size_t>(INT32_MAX / 2)) return false;
  if (strip == StripAccents::none) return utf8_tokens(doc, lowercase, tokens);
  const UChar* s = nullptr;
  int32_t n = 0;
  if (!preprocess_utf16(doc, lowercase, strip, s, n)) return false;
  // Maximal runs of word characters, kept when two code points or longer.
  int32_t i = 0;
  while (i < n) {
    UChar32 c;
    int32_t start = i;
    U16_NEXT(s, i, n, c);
    if (!is_word_char(c)) continue;
    int32_t count = 1, end = i;
    while (end < n) {
      int32_t j = end;
      U16_NEXT(s, j, n, c);
      if (!is_word_char(c)) break;
      end = j;
      ++count;
    }
    if (count >= 2) {
      tokens.emplace_back();
      append_utf8(s + start, end - start, tokens.back());
    }
    i = end;
  }
  return true;
}


bool is_space(int32_t c) noexcept {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
  // Python's unicodedata rule for str.isspace(): general category Zs, or
  // bidirectional class WS, B or S.
  if (u_charType(c) == U_SPACE_SEPARATOR) return true;
  switch (u_charDirection(c)) {
    case U_WHITE_SPACE_NEUTRAL:
    case U_BLOCK_SEPARATOR:
    case U_SEGMENT_SEPARATOR:
      return true;
    default:
      return false;
  }
}

namespace {

// The code points of the preprocessed document (lowercased, accents
// stripped), as Python indexes a str.
bool preprocessed_code_points(std::string_view doc, bool lowercase, StripAccents strip, std::u32string& cps) {
  cps.clear();
  if (is_ascii(doc)) {
    cps.reserve(doc.size());
    for (char ch : doc) cps += static_cast<char32_t>(lowercase && ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    return true;
  }
  const UChar* s = nullptr;
  int32_t n = 0;
  if (!preprocess_utf16(doc, lowercase, strip, s, n)) return false;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(s, i, n, c);
    cps += static_cast<char32_t>(c);
  }
  return true;
}

}  // namespace

bool char_ngrams(std::string_view doc, bool lowercase, StripAccents strip, bool word_bounded, uint32_t min_n,
                 uint32_t max_n, CharGrams& out) {
  out.text.clear();
  out.grams.clear();
  thread_local std::u32string cps;
  if (!preprocessed_code_points(doc, lowercase, strip, cps)) return false;
  // out.text holds the normalised document (char) or the padded words one
  // after another (char_wb); starts[k] is the byte offset of its code point k.
  thread_local std::vector<size_t> starts;
  thread_local std::vector<std::pair<size_t, size_t>> words;  // [begin, end) code point indices
  starts.clear();
  words.clear();
  auto put = [&](char32_t c) {
    starts.push_back(out.text.size());
    append_utf8(c, out.text);
  };
  const size_t n = cps.size();
  if (!word_bounded) {
    // _white_spaces.sub(" ", doc): a run of two or more whitespace
    // characters becomes one space; a single one stays as it is.
    for (size_t i = 0; i < n;) {
      if (is_space(static_cast<int32_t>(cps[i])) && i + 1 < n && is_space(static_cast<int32_t>(cps[i + 1]))) {
        while (i < n && is_space(static_cast<int32_t>(cps[i]))) ++i;
        put(U' ');
      } else {
        put(cps[i++]);
      }
    }
    words.emplace_back(0, starts.size());
  } else {
    // doc.split(): each maximal run of non-whitespace, as " " + w + " ".
    for (size_t i = 0; i < n;) {
      if (is_space(static_cast<int32_t>(cps[i]))) {
        ++i;
        continue;
      }
      const size_t begin = starts.size();
      put(U' ');
      while (i < n && !is_space(static_cast<int32_t>(cps[i]))) put(cps[i++]);
      put(U' ');
      words.emplace_back(begin, starts.size());
    }
  }
  starts.push_back(out.text.size());
  auto gram = [&](size_t b, size_t e) { out.grams.emplace_back(out.text.data() + starts[b], starts[e] - starts[b]); };
  for (const auto& [b, e] : words) {
    const size_t len = e - b;
    for (size_t g = min_n; g <= max_n; ++g) {
      if (g > len) {
        // _char_wb_ngrams counts a word no longer than n once, whole;
        // _char_ngrams has no n-grams longer than the document.
        if (word_bounded) gram(b, e);
        break;
      }
      if (word_bounded && g == len) {
        gram(b, e);
        break;
      }
      for (size_t k = b; k + g <= e; ++k) gram(k, k + g);
    }
  }
  return true;
}

}  // namespace mlmap::model::prep
