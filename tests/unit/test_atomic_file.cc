// mlmap::AtomicFile: the target holds the old file or the new one, never a
// part; a dropped, failed or vetoed write leaves it and no temporary file.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "support.hpp"

using namespace mlmap;

namespace {

std::string text_of(const std::string& path) {
  const auto bytes = test::read_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

void write_text(const std::string& path, const std::string& text) {
  test::write_bytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("AtomicFile replaces a file only at commit") {
  test::TempDir dir;
  const auto target = dir.file("out.csv");
  write_text(target, "old\n");
  REQUIRE(::chmod(target.c_str(), 0640) == 0);

  auto f = AtomicFile::create(target);
  REQUIRE_MESSAGE(f.ok(), f.message());
  CHECK(f->path() == target);
  REQUIRE(f->write("new ").ok());
  REQUIRE(f->write(std::string("text\n")).ok());
  CHECK(text_of(target) == "old\n");  // nothing visible before commit
  CHECK(test::list_dir(dir.path()).size() == 2);
  REQUIRE(f->commit().ok());
  CHECK(text_of(target) == "new text\n");
  CHECK(mode_of(target) == 0640);  // the replaced file's mode is kept
  CHECK(test::list_dir(dir.path()) == std::vector<std::string>{"out.csv"});
  CHECK(f->write("x").code() == error_code::invalid_argument);  // once committed, done
  CHECK(f->commit().code() == error_code::invalid_argument);
}

TEST_CASE("AtomicFile dropped or vetoed leaves the target and no temporary file") {
  test::TempDir dir;
  const auto target = dir.file("model.bin");
  write_text(target, "keep");
  {
    auto f = AtomicFile::create(target);
    REQUIRE(f.ok());
    REQUIRE(f->write("partial").ok());
  }  // dropped without commit
  CHECK(text_of(target) == "keep");
  CHECK(test::list_dir(dir.path()).size() == 1);

  auto f = AtomicFile::create(target, 0600);
  REQUIRE(f.ok());
  REQUIRE(f->write("rejected").ok());
  std::string seen;
  auto st = f->commit([&](const std::string& temp) -> Status {
    seen = text_of(temp);  // complete and closed when the check runs
    return Error(error_code::invalid_model, "vetoed");
  });
  CHECK(st.code() == error_code::invalid_model);
  CHECK(seen == "rejected");
  CHECK(text_of(target) == "keep");
  CHECK(test::list_dir(dir.path()) == std::vector<std::string>{"model.bin"});
}

TEST_CASE("AtomicFile: new files, explicit modes and refusals") {
  test::TempDir dir;
  auto f = AtomicFile::create(dir.file("new"), 0444);
  REQUIRE(f.ok());
  REQUIRE(f->write("x", 1).ok());
  REQUIRE(f->commit().ok());
  CHECK(mode_of(dir.file("new")) == 0444);

  auto into_dir = AtomicFile::create(dir.path());
  CHECK(into_dir.code() == error_code::write_failed);
  CHECK(into_dir.message().find("directory") != std::string::npos);
  auto no_dir = AtomicFile::create(dir.file("missing/out"));
  CHECK(no_dir.code() == error_code::write_failed);
  CHECK(no_dir.message().find("cannot create a temporary file in") != std::string::npos);
}

TEST_CASE("AtomicFile replaces a link's target, never a link, FIFO or device itself") {
  test::TempDir dir;
  const auto target = dir.file("target.csv"), link = dir.file("link.csv");
  write_text(target, "old\n");
  REQUIRE(::symlink("target.csv", link.c_str()) == 0);
  auto f = AtomicFile::create(link);
  REQUIRE_MESSAGE(f.ok(), f.message());
  REQUIRE(f->write("new\n").ok());
  REQUIRE(f->commit().ok());
  struct stat st {};
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // still a link, to the new file
  CHECK(text_of(link) == "new\n");
  CHECK(text_of(target) == "new\n");

  // A rename over these would leave a regular file where a FIFO (or
  // /dev/null) was: refused before anything is written.
  const auto fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto on_fifo = AtomicFile::create(fifo);
  CHECK(on_fifo.code() == error_code::write_failed);
  CHECK(on_fifo.message().find("is not a regular file") != std::string::npos);
  const auto to_null = dir.file("null");
  REQUIRE(::symlink("/dev/null", to_null.c_str()) == 0);
  CHECK(AtomicFile::create(to_null).code() == error_code::write_failed);
  CHECK(AtomicFile::create("/dev/null").code() == error_code::write_failed);
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));

  const auto dangling = dir.file("dangling");
  REQUIRE(::symlink("nowhere", dangling.c_str()) == 0);
  auto on_dangling = AtomicFile::create(dangling);
  CHECK(on_dangling.code() == error_code::write_failed);
  CHECK(on_dangling.message().find("symbolic link to a file that does not exist") != std::string::npos);
  auto names = test::list_dir(dir.path());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"dangling", "fifo", "link.csv", "null", "target.csv"});  // no temporary files
}
