#include "args.hpp"

#include <charconv>

namespace mlmap::cli {

std::string Args::positional_or(size_t i, std::string fallback) const {
  return i < positional_.size() ? positional_[i] : std::move(fallback);
}

std::optional<std::string> Args::value(std::string_view flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end()) return std::nullopt;
  return it->second;
}

namespace {

const FlagSpec* find_flag(const ArgSpec& spec, std::string_view name) {
  for (const auto& f : spec.flags)
    if (f.name == name) return &f;
  return nullptr;
}

std::string positional_name(const ArgSpec& spec, size_t i) {
  return i < spec.positional_names.size() ? std::string(spec.positional_names[i]) : "argument";
}

}  // namespace

bool parse_args(const ArgSpec& spec, int argc, const char* const* argv, Args& args, std::string& error) {
  args = Args();
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      args.help_ = true;
      return true;
    }
  }
  bool flags_done = false;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (flags_done || a == "-" || a.empty() || a[0] != '-') {
      args.positional_.emplace_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    const size_t eq = a.find('=');
    const std::string_view name = a.substr(0, eq);
    const FlagSpec* f = find_flag(spec, name);
    if (!f) {
      error = "unknown flag '" + std::string(name) + "'";
      return false;
    }
    if (f->value_name.empty()) {
      if (eq != std::string_view::npos) {
        error = "flag '" + std::string(name) + "' takes no value";
        return false;
      }
      args.flags_[std::string(name)] = std::string();
      continue;
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(a.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      error = "flag '" + std::string(name) + "' needs a value " + std::string(f->value_name);
      return false;
    }
    args.flags_[std::string(name)] = std::move(value);
  }
  const size_t n = args.positional_.size();
  if (n < spec.min_positional) {
    error = "missing " + positional_name(spec, n);
    return false;
  }
  if (n > spec.max_positional) {
    error = "unexpected argument '" + args.positional_[spec.max_positional] + "'";
    return false;
  }
  return true;
}

std::optional<int> parse_non_negative_int(std::string_view text) {
  int v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < 0) return std::nullopt;
  return v;
}

}  // namespace mlmap::cli
