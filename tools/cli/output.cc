#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace mlmap::cli {

OutputFile::OutputFile(int fd, std::string path, std::string temp_path)
    : fd_(fd), path_(std::move(path)), temp_path_(std::move(temp_path)) {}

OutputFile::~OutputFile() {
  if (temp_path_.empty()) return;
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

std::string OutputFile::failure(const char* what, int err) const {
  const std::string name = path_.empty() ? std::string("standard output") : "'" + path_ + "'";
  return std::string("cannot ") + what + " " + name + ": " + std::strerror(err);
}

std::unique_ptr<OutputFile> OutputFile::open(const std::string& path, std::string& error) {
  if (path.empty() || path == "-") {
    std::fflush(stdout);  // this object writes to the descriptor directly
    return std::unique_ptr<OutputFile>(new OutputFile(STDOUT_FILENO, "", ""));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    error = "cannot write '" + path + "': it is a directory";
    return nullptr;
  }
  // The temporary file lives next to the target so that rename() is atomic.
  std::string templ = path + ".tmp-XXXXXX";
  std::vector<char> name(templ.begin(), templ.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    error = "cannot create '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  // mkstemp makes the file 0600; give it the usual 0666 & ~umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  (void)::fchmod(fd, 0666 & ~mask);
  return std::unique_ptr<OutputFile>(new OutputFile(fd, path, std::string(name.data())));
}

bool OutputFile::write(std::string_view data, std::string& error) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = failure("write", n < 0 ? errno : EIO);
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool OutputFile::commit(std::string& error) {
  if (temp_path_.empty()) return true;  // stdout: write() is unbuffered
  if (::fsync(fd_) != 0) {
    error = failure("write", errno);
    return false;
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    error = failure("write", errno);
    return false;
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    error = failure("replace", errno);
    return false;
  }
  committed_ = true;
  return true;
}

}  // namespace mlmap::cli
