#include "store/store_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>


namespace mlmap::store {

namespace {

using platform::os_error;

bool is_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Status check_name(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 128 && name[0] != '.' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '-';
                  });
  if (!ok)
    // The name is cut short in the message: it may be anything a client sent.
    return Error(error_code::invalid_argument,
                 "model name '" + (name.size() > 60 ? name.substr(0, 57) + "..." : name) + "' (" +
                     std::to_string(name.size()) + " bytes) must be 1-128 of A-Z a-z 0-9 . _ - and not start with '.'");
  return {};
}

std::string version_file_name(uint64_t version, const std::string& hash) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(version));
  return std::string("v") + digits + "-" + hash + ".mlmap";
}

std::optional<VersionFile> parse_version_file(const std::string& f) {
  // v<digits>-<32 hex>.mlmap
  const size_t dash = f.find('-');
  if (f.size() < 2 || f[0] != 'v' || dash == std::string::npos || dash < 2) return std::nullopt;
  const std::string digits = f.substr(1, dash - 1);
  if (digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const std::string rest = f.substr(dash + 1);
  if (rest.size() != 32 + 6 || rest.compare(32, 6, ".mlmap") != 0) return std::nullopt;
  const std::string hash = rest.substr(0, 32);
  if (!is_hex(hash)) return std::nullopt;
  const uint64_t v = std::stoull(digits);
  if (v == 0) return std::nullopt;
  return VersionFile{v, hash, f};
}

Result<std::vector<std::string>> list_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return os_error("list", dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<VersionFile>> list_versions(const std::string& name_dir) {
  auto names = list_dir(name_dir);
  if (!names) return names.error();
  std::vector<VersionFile> out;
  for (const auto& n : *names)
    if (auto v = parse_version_file(n)) out.push_back(*v);
  std::sort(out.begin(), out.end(), [](const VersionFile& a, const VersionFile& b) { return a.version < b.version; });
  return out;
}

namespace {

// A name's small pointer file (CURRENT, HIGHEST): its text, at most `max`
// bytes; nullopt if it does not exist.
Result<std::optional<std::string>> read_small_file(const std::string& path, size_t max) {
  platform::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::optional<std::string>();
    return os_error("read", path, errno);
  }
  std::string text(max, '\0');
  auto n = platform::read_up_to(fd.get(), text.data(), max, path);
  if (!n || *n == 0) return Error(error_code::corrupt_header, "'" + path + "' is empty or unreadable");
  text.resize(*n);
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<std::optional<VersionFile>> read_current(const std::string& name_dir) {
  const std::string path = name_dir + "/" + current_file;
  auto file = read_small_file(path, 255);
  if (!file) return file.error();
  if (!*file) return std::optional<VersionFile>();
  const std::string& text = **file;
  // "<version> <file name>\n"
  const size_t space = text.find(' ');
  const size_t eol = text.find('\n');
  if (space == std::string::npos || eol == std::string::npos || eol < space)
    return Error(error_code::corrupt_header, "'" + path + "' is malformed");
  auto v = parse_version_file(text.substr(space + 1, eol - space - 1));
  if (!v || std::to_string(v->version) != text.substr(0, space))
    return Error(error_code::corrupt_header, "'" + path + "' names no version file");
  return std::optional<VersionFile>(*v);
}

Status write_current(const std::string& name_dir, const VersionFile& v) {
  return platform::write_file_atomically(name_dir + "/" + current_file,
                                        std::to_string(v.version) + " " + v.file_name + "\n", 0644);
}

Result<uint64_t> read_highest(const std::string& name_dir) {
  const std::string path = name_dir + "/" + highest_file;
  auto file = read_small_file(path, 31);
  if (!file) return file.error();
  if (!*file) return uint64_t{0};
  // "<version>\n"
  const std::string& text = **file;
  uint64_t v = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  const auto [p, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || p == begin || p + 1 != end || *p != '\n')
    return Error(error_code::corrupt_header, "'" + path + "' is malformed");
  return v;
}

Status write_highest(const std::string& name_dir, uint64_t version) {
  return platform::write_file_atomically(name_dir + "/" + highest_file, std::to_string(version) + "\n", 0644);
}

Result<StoreLock> StoreLock::acquire(const std::string& store_dir) {
  const std::string path = store_dir + "/" + lock_file;
  platform::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return os_error("open the lock", path, errno);
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) return os_error("lock", path, errno);
  return StoreLock(std::move(fd));
}

}  // namespace mlmap::store
