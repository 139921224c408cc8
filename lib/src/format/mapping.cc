#include "format/mapping.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "format/foreign.hpp"
#include "format/limits.hpp"
#include "platform/posix_file.hpp"

namespace mlmap::format {

namespace bip = boost::interprocess;

struct Mapping::Region {
  std::optional<bip::file_mapping> file;
  std::optional<bip::mapped_region> region;
  void* buffer = nullptr;  // copy mode
  ~Region() { std::free(buffer); }
};

namespace {

using platform::os_error;

Status read_file(const std::string& path, uint8_t* dst, uint64_t size) {
  auto fd = platform::open_fd(path, O_RDONLY);
  if (!fd) return fd.status();
  return platform::read_all(fd->get(), dst, size, path);
}

// Checks what Boost.Interprocess would only report vaguely ("Invalid argument"
// for an empty file, "No such device" for a directory).  A file too small to
// be ours may still be a recognisable foreign one (a tiny pickle).
Result<uint64_t> regular_file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return os_error("open", path, errno);
  if (S_ISDIR(st.st_mode)) return Error(error_code::not_a_file, "'" + path + "' is a directory, not a model file");
  if (!S_ISREG(st.st_mode)) return Error(error_code::not_a_file, "'" + path + "' is not a regular file");
  auto size = static_cast<uint64_t>(st.st_size);
  if (size < limits::preamble_size) {
    uint8_t head[limits::preamble_size];
    if (size > 0 && read_file(path, head, size).ok()) {
      const std::string foreign = describe_foreign(head, static_cast<size_t>(size));
      if (!foreign.empty()) return Error(error_code::bad_magic, "'" + path + "' is not an mlmap file: " + foreign);
    }
    return Error(error_code::file_too_small, "'" + path + "' has " + std::to_string(size) +
                                                 " bytes; an mlmap file has at least " +
                                                 std::to_string(limits::preamble_size));
  }
  return size;
}

}  // namespace

Result<std::shared_ptr<const Mapping>> Mapping::open(const std::string& path, bool copy) noexcept {
  try {
    auto size = regular_file_size(path);
    if (!size) return size.error();
    std::shared_ptr<Mapping> m(new Mapping());
    m->region_ = std::make_unique<Region>();
    m->path_ = path;
    m->size_ = *size;
    if (copy) {
      uint64_t rounded = (*size + limits::column_alignment - 1) / limits::column_alignment * limits::column_alignment;
      m->region_->buffer = std::aligned_alloc(limits::column_alignment, rounded);
      if (m->region_->buffer == nullptr)
        return Error(error_code::out_of_memory, "cannot allocate " + std::to_string(*size) + " bytes to copy '" + path + "'");
      auto st = read_file(path, static_cast<uint8_t*>(m->region_->buffer), *size);
      if (!st) return st.error();
      m->data_ = static_cast<const uint8_t*>(m->region_->buffer);
    } else {
      m->region_->file.emplace(path.c_str(), bip::read_only);
      m->region_->region.emplace(*m->region_->file, bip::read_only, 0, static_cast<std::size_t>(*size));
      m->data_ = static_cast<const uint8_t*>(m->region_->region->get_address());
    }
    return std::shared_ptr<const Mapping>(std::move(m));
  } catch (const bip::interprocess_exception& e) {
    return Error(error_code::io_error, "cannot map '" + path + "': " + e.what());
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening '" + path + "'");
  } catch (const std::exception& e) {
    return Error(error_code::io_error, "cannot open '" + path + "': " + e.what());
  }
}

Result<std::shared_ptr<const Mapping>> Mapping::copy_of(const void* data, uint64_t size) noexcept {
  try {
    if (size < limits::preamble_size)
      return Error(error_code::file_too_small, "the buffer has " + std::to_string(size) + " bytes; an mlmap file has at least " +
                                                   std::to_string(limits::preamble_size));
    std::shared_ptr<Mapping> m(new Mapping());
    m->region_ = std::make_unique<Region>();
    m->path_ = "<memory>";
    const uint64_t rounded = (size + limits::column_alignment - 1) / limits::column_alignment * limits::column_alignment;
    m->region_->buffer = std::aligned_alloc(limits::column_alignment, rounded);
    if (!m->region_->buffer) return Error(error_code::out_of_memory, "cannot allocate " + std::to_string(size) + " bytes");
    std::memcpy(m->region_->buffer, data, size);
    m->data_ = static_cast<const uint8_t*>(m->region_->buffer);
    m->size_ = size;
    return std::shared_ptr<const Mapping>(std::move(m));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory copying a model buffer");
  }
}

Result<std::shared_ptr<const Mapping>> Mapping::slice(std::shared_ptr<const Mapping> parent, uint64_t offset,
                                                      uint64_t size) noexcept {
  try {
    if (!parent || offset > parent->size() || size > parent->size() - offset)
      return Error(error_code::invalid_model, "a nested file lies outside its parent");
    if (size < limits::preamble_size)
      return Error(error_code::file_too_small, "a nested file has " + std::to_string(size) +
                                                   " bytes; an mlmap file has at least " +
                                                   std::to_string(limits::preamble_size));
    std::shared_ptr<Mapping> m(new Mapping());
    m->data_ = parent->data() + offset;
    m->size_ = size;
    m->path_ = parent->path();
    m->parent_ = std::move(parent);
    return std::shared_ptr<const Mapping>(std::move(m));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory");
  }
}

Mapping::~Mapping() = default;

}  // namespace mlmap::format
