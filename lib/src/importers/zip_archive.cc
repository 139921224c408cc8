#include "importers/zip_archive.hpp"

#include <zip.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "importers/runtime_library.hpp"

namespace mlmap::importers {

namespace {

Error failed(const std::string& what) { return Error(error_code::import_failed, "zip archive: " + what); }

// The libzip functions used here, loaded at the first .keras file
// (runtime_library.hpp says why).
struct Api {
#define MLMAP_ZIP_FUNCTIONS(X)                                                                                   \
  X(zip_error_init) X(zip_error_fini) X(zip_error_strerror) X(zip_source_buffer_create) X(zip_source_free)        \
  X(zip_open_from_source) X(zip_discard) X(zip_stat_init) X(zip_stat) X(zip_fopen) X(zip_fread) X(zip_fclose)     \
  X(zip_file_get_error) X(zip_get_error)
#define MLMAP_ZIP_MEMBER(f) decltype(&::f) f = nullptr;
  MLMAP_ZIP_FUNCTIONS(MLMAP_ZIP_MEMBER)
#undef MLMAP_ZIP_MEMBER
  bool ok = false;
  std::string error;
};

const Api& api() {
  static const Api a = [] {
    Api x;
    void* lib = open_library({"libzip.so.4", "libzip.so"}, "libzip4", x.error);
    if (!lib) return x;
    bool missing = false;
#define MLMAP_ZIP_LOAD(f) missing = !load_symbol(lib, #f, x.f, x.error) || missing;
    MLMAP_ZIP_FUNCTIONS(MLMAP_ZIP_LOAD)
#undef MLMAP_ZIP_LOAD
    x.ok = !missing;
    return x;
  }();
  return a;
}

struct ZipCloser {
  void operator()(zip_t* z) const { api().zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { api().zip_fclose(f); }
};

std::string message(zip_error_t* e) {
  const char* s = api().zip_error_strerror(e);
  return s ? s : "unknown error";
}

}  // namespace

bool looks_like_zip(std::string_view bytes) noexcept {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\x03\x04", 4) == 0;
}

Result<std::vector<std::string>> read_zip_members(std::string_view bytes, const std::vector<std::string>& names,
                                                  size_t limit) noexcept {
  try {
    const Api& z = api();
    if (!z.ok) return failed(z.error);
    zip_error_t error;
    z.zip_error_init(&error);
    zip_source_t* source = z.zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!source) {
      auto e = failed(message(&error));
      z.zip_error_fini(&error);
      return e;
    }
    std::unique_ptr<zip_t, ZipCloser> archive(z.zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
    if (!archive) {
      z.zip_source_free(source);
      auto e = failed("cannot open it: " + message(&error));
      z.zip_error_fini(&error);
      return e;
    }
    z.zip_error_fini(&error);
    std::vector<std::string> out;
    for (const auto& name : names) {
      zip_stat_t st;
      z.zip_stat_init(&st);
      if (z.zip_stat(archive.get(), name.c_str(), 0, &st) != 0) return failed("no member '" + name + "'");
      if ((st.valid & ZIP_STAT_SIZE) && st.size > limit)
        return failed("member '" + name + "' has " + std::to_string(st.size) + " bytes, more than the limit of " +
                      std::to_string(limit));
      std::unique_ptr<zip_file_t, FileCloser> file(z.zip_fopen(archive.get(), name.c_str(), 0));
      if (!file) return failed("cannot open member '" + name + "': " + message(z.zip_get_error(archive.get())));
      std::string content;
      char buf[1 << 16];
      while (true) {
        const zip_int64_t n = z.zip_fread(file.get(), buf, sizeof buf);
        if (n < 0) return failed("cannot read member '" + name + "': " + message(z.zip_file_get_error(file.get())));
        if (n == 0) break;
        if (content.size() + static_cast<size_t>(n) > limit)
          return failed("member '" + name + "' inflates past the limit of " + std::to_string(limit) + " bytes");
        content.append(buf, static_cast<size_t>(n));
      }
      out.push_back(std::move(content));
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading a zip archive");
  }
}

}  // namespace mlmap::importers
