#include "importers/hdf5_image.hpp"

// Types, constants and prototypes only: libhdf5 is loaded at first use (see
// Api below), never linked.
#include <hdf5.h>

#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include "importers/runtime_library.hpp"

namespace mlmap::importers {

namespace {

std::mutex& hdf5_lock() {
  static std::mutex m;
  return m;
}

// The libhdf5 functions and globals used here, loaded at the first Keras
// import (runtime_library.hpp says why).
struct Api {
#define MLMAP_HDF5_FUNCTIONS(X)                                                                                  \
  X(H5open) X(H5Eget_auto2) X(H5Eset_auto2) X(H5Pcreate) X(H5Pclose) X(H5Pset_fapl_core) X(H5Pset_file_image)     \
  X(H5Fopen) X(H5Fclose) X(H5Lexists) X(H5Oopen) X(H5Oclose) X(H5Iget_type) X(H5Aexists_by_name) X(H5Gopen2)      \
  X(H5Gclose) X(H5Gget_info) X(H5Lget_name_by_idx) X(H5Aopen_by_name) X(H5Aclose) X(H5Aget_type) X(H5Aget_space) \
  X(H5Tget_class) X(H5Tclose) X(H5Sclose) X(H5Sget_simple_extent_ndims) X(H5Sget_simple_extent_npoints)           \
  X(H5Tis_variable_str) X(H5Tcopy) X(H5Tset_size) X(H5Tset_cset) X(H5Tget_cset) X(H5Aread) X(H5Dvlen_reclaim)     \
  X(H5Tget_size) X(H5Tget_strpad) X(H5Dopen2) X(H5Dclose) X(H5Dget_type) X(H5Dget_space)                          \
  X(H5Sget_simple_extent_dims) X(H5Dread) X(H5get_libversion)
#define MLMAP_HDF5_MEMBER(f) decltype(&::f) f = nullptr;
  MLMAP_HDF5_FUNCTIONS(MLMAP_HDF5_MEMBER)
#undef MLMAP_HDF5_MEMBER
  hid_t file_access = -1, c_s1 = -1, native_float = -1, native_double = -1;
  std::string error;  // why it could not be loaded
};

// H5F_ACC_RDONLY without the H5check() / H5open() calls its macro makes.
constexpr unsigned read_only = 0x0000u;

// Loads libhdf5 once (under the caller's lock); the library stays loaded.
const Api& api() {
  static Api a;
  static bool tried = false;
  if (tried) return a;
  tried = true;
  void* lib = open_library({"libhdf5_serial.so.103", "libhdf5.so.103", "libhdf5_serial.so", "libhdf5.so"},
                           "libhdf5-103-1", a.error);
  if (!lib) return a;
  bool missing = false;
#define MLMAP_HDF5_LOAD(f) missing = !load_symbol(lib, #f, a.f, a.error) || missing;
  MLMAP_HDF5_FUNCTIONS(MLMAP_HDF5_LOAD)
#undef MLMAP_HDF5_LOAD
  const char* globals[] = {"H5P_CLS_FILE_ACCESS_ID_g", "H5T_C_S1_g", "H5T_NATIVE_FLOAT_g", "H5T_NATIVE_DOUBLE_g"};
  hid_t* slots[] = {&a.file_access, &a.c_s1, &a.native_float, &a.native_double};
  unsigned major = 0, minor = 0, release = 0;
  // The prototypes and types used here are those of 1.10 and later.
  if (!missing && (a.H5get_libversion(&major, &minor, &release) < 0 || major != 1 || minor < 10))
    missing = true, a.error = "libhdf5 " + std::to_string(major) + "." + std::to_string(minor) + " is older than 1.10";
  if (!missing && a.H5open() < 0) missing = true, a.error = "libhdf5 failed to initialise";
  for (size_t i = 0; i < 4 && !missing; ++i) {
    const auto* g = static_cast<const hid_t*>(dlsym(lib, globals[i]));
    if (!g) missing = true, a.error = std::string("libhdf5 has no ") + globals[i];
    else *slots[i] = *g;
  }
  if (missing) a.H5open = nullptr;  // unusable
  return a;
}

// Holds the lock and silences libhdf5's error printing for one call.
class Hdf5Call {
 public:
  Hdf5Call() : guard_(hdf5_lock()), h5(api()) {
    if (!h5.H5open) return;
    h5.H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    h5.H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Hdf5Call() {
    if (h5.H5open) h5.H5Eset_auto2(H5E_DEFAULT, func_, data_);
  }
  Hdf5Call(const Hdf5Call&) = delete;
  Hdf5Call& operator=(const Hdf5Call&) = delete;

 private:
  std::lock_guard<std::mutex> guard_;

 public:
  const Api& h5;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// Closes an HDF5 identifier at scope exit.
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id(hid_t id, Closer close) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  Closer close_;
};

Error failed(const std::string& what) { return Error(error_code::import_failed, "HDF5: " + what); }

std::string str(uint64_t v) { return std::to_string(v); }

bool object_is(const Api& h5, hid_t file, const std::string& path, H5I_type_t type) {
  if (path.empty() || path == "/") return type == H5I_GROUP;
  // Every link on the way must exist before the object may be opened.
  size_t at = 0;
  while (true) {
    at = path.find('/', at + 1);
    const std::string prefix = path.substr(0, at);
    if (h5.H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (at == std::string::npos) break;
  }
  const hid_t object = h5.H5Oopen(file, path.c_str(), H5P_DEFAULT);
  if (object < 0) return false;
  const bool is = h5.H5Iget_type(object) == type;
  h5.H5Oclose(object);
  return is;
}

// Strings of a fixed-length string type: n values of `size` bytes, cut at the
// first NUL (null-terminated or null-padded) or trailing spaces (space-padded).
std::vector<std::string> fixed_strings(const std::vector<char>& buf, size_t n, size_t size, H5T_str_t pad) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    const char* p = buf.data() + i * size;
    size_t len = 0;
    while (len < size && p[len] != '\0') ++len;
    if (pad == H5T_STR_SPACEPAD)
      while (len > 0 && p[len - 1] == ' ') --len;
    out.emplace_back(p, len);
  }
  return out;
}

}  // namespace

struct Hdf5Image::State {
  hid_t file = -1;
};

Hdf5Image::Hdf5Image(std::unique_ptr<State> s) noexcept : s_(std::move(s)) {}
Hdf5Image::Hdf5Image(Hdf5Image&&) noexcept = default;
Hdf5Image& Hdf5Image::operator=(Hdf5Image&&) noexcept = default;

Hdf5Image::~Hdf5Image() {
  if (s_ && s_->file >= 0) {
    Hdf5Call call;
    call.h5.H5Fclose(s_->file);
  }
}

Result<Hdf5Image> Hdf5Image::open(std::string_view bytes) noexcept {
  try {
    static const char magic[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    if (bytes.size() < 8 || std::memcmp(bytes.data(), magic, 8) != 0)
      return failed("not an HDF5 file (no HDF5 signature at its start)");
    Hdf5Call call;
    const Api& h5 = call.h5;
    if (!h5.H5open) return failed(h5.error);
    Id fapl(h5.H5Pcreate(h5.file_access), h5.H5Pclose);
    if (!fapl.ok() || h5.H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 ||
        h5.H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0)
      return failed("cannot set up an in-memory file");
    const hid_t file = h5.H5Fopen("mlmap-in-memory.h5", read_only, fapl.get());
    if (file < 0) return failed("the file is damaged or not an HDF5 file libhdf5 can read");
    auto s = std::make_unique<State>();
    s->file = file;
    return Hdf5Image(std::move(s));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory opening an HDF5 file");
  }
}

bool Hdf5Image::has_group(const std::string& path) const noexcept {
  Hdf5Call call;
  return call.h5.H5open && object_is(call.h5, s_->file, path, H5I_GROUP);
}

bool Hdf5Image::has_dataset(const std::string& path) const noexcept {
  Hdf5Call call;
  return call.h5.H5open && object_is(call.h5, s_->file, path, H5I_DATASET);
}

bool Hdf5Image::has_attribute(const std::string& path, const std::string& name) const noexcept {
  Hdf5Call call;
  const Api& h5 = call.h5;
  if (!h5.H5open) return false;
  if (!object_is(h5, s_->file, path, H5I_GROUP) && !object_is(h5, s_->file, path, H5I_DATASET)) return false;
  return h5.H5Aexists_by_name(s_->file, path.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

Result<std::vector<std::string>> Hdf5Image::children(const std::string& path, size_t limit) const noexcept {
  try {
    Hdf5Call call;
    const Api& h5 = call.h5;
    if (!h5.H5open) return failed(h5.error);
    if (!object_is(h5, s_->file, path, H5I_GROUP)) return failed("no group '" + path + "'");
    Id group(h5.H5Gopen2(s_->file, path.c_str(), H5P_DEFAULT), h5.H5Gclose);
    H5G_info_t info;
    if (!group.ok() || h5.H5Gget_info(group.get(), &info) < 0) return failed("cannot read group '" + path + "'");
    if (info.nlinks > limit)
      return failed("group '" + path + "' has " + str(info.nlinks) + " members, more than the limit of " + str(limit));
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t n = h5.H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (n < 0 || n > 4096) return failed("cannot read the name of member " + str(i) + " of '" + path + "'");
      std::string name(static_cast<size_t>(n) + 1, '\0');
      if (h5.H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0)
        return failed("cannot read the name of member " + str(i) + " of '" + path + "'");
      name.resize(static_cast<size_t>(n));
      names.push_back(std::move(name));
    }
    return names;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading an HDF5 group");
  }
}

Result<std::vector<std::string>> Hdf5Image::strings(const std::string& path, const std::string& name,
                                                    size_t max_bytes) const noexcept {
  try {
    Hdf5Call call;
    const Api& h5 = call.h5;
    if (!h5.H5open) return failed(h5.error);
    const std::string what = "attribute '" + name + "' of '" + path + "'";
    if (h5.H5Aexists_by_name(s_->file, path.c_str(), name.c_str(), H5P_DEFAULT) <= 0) return failed("no " + what);
    Id attr(h5.H5Aopen_by_name(s_->file, path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), h5.H5Aclose);
    if (!attr.ok()) return failed("cannot open " + what);
    Id type(h5.H5Aget_type(attr.get()), h5.H5Tclose);
    Id space(h5.H5Aget_space(attr.get()), h5.H5Sclose);
    if (!type.ok() || !space.ok() || h5.H5Tget_class(type.get()) != H5T_STRING) return failed(what + " is not a string");
    const int rank = h5.H5Sget_simple_extent_ndims(space.get());
    const hssize_t n = h5.H5Sget_simple_extent_npoints(space.get());
    if (rank < 0 || rank > 1 || n < 0) return failed(what + " is not a string or a list of strings");
    const size_t count = static_cast<size_t>(n);
    if (count > max_bytes) return failed(what + " has more than " + str(max_bytes) + " strings");
    const htri_t variable = h5.H5Tis_variable_str(type.get());
    if (variable < 0) return failed("cannot read the type of " + what);
    if (variable) {
      Id mem(h5.H5Tcopy(h5.c_s1), h5.H5Tclose);
      if (!mem.ok() || h5.H5Tset_size(mem.get(), H5T_VARIABLE) < 0 || h5.H5Tset_cset(mem.get(), h5.H5Tget_cset(type.get())) < 0)
        return failed("cannot read " + what);
      std::vector<char*> ptrs(count, nullptr);
      if (h5.H5Aread(attr.get(), mem.get(), ptrs.data()) < 0) return failed("cannot read " + what);
      std::vector<std::string> out;
      size_t total = 0;
      bool too_long = false;
      for (char* p : ptrs) {
        const size_t len = p ? strnlen(p, max_bytes + 1) : 0;
        total += len;
        if (total > max_bytes) too_long = true;
        if (!too_long) out.emplace_back(p ? p : "", len);
      }
      h5.H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
      if (too_long) return failed(what + " is longer than the limit of " + str(max_bytes) + " bytes");
      return out;
    }
    const size_t size = h5.H5Tget_size(type.get());
    if (size == 0 || (count && size > max_bytes / count)) return failed(what + " is longer than the limit of " + str(max_bytes) + " bytes");
    std::vector<char> buf(count * size);
    Id mem(h5.H5Tcopy(type.get()), h5.H5Tclose);
    if (!mem.ok() || h5.H5Aread(attr.get(), mem.get(), buf.data()) < 0) return failed("cannot read " + what);
    return fixed_strings(buf, count, size, h5.H5Tget_strpad(type.get()));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading an HDF5 attribute");
  }
}

Result<Tensor> Hdf5Image::floats(const std::string& path, uint64_t max_elements) const noexcept {
  try {
    Hdf5Call call;
    const Api& h5 = call.h5;
    if (!h5.H5open) return failed(h5.error);
    if (!object_is(h5, s_->file, path, H5I_DATASET)) return failed("no dataset '" + path + "'");
    Id set(h5.H5Dopen2(s_->file, path.c_str(), H5P_DEFAULT), h5.H5Dclose);
    if (!set.ok()) return failed("cannot open dataset '" + path + "'");
    Id type(h5.H5Dget_type(set.get()), h5.H5Tclose);
    Id space(h5.H5Dget_space(set.get()), h5.H5Sclose);
    if (!type.ok() || !space.ok()) return failed("cannot read dataset '" + path + "'");
    const size_t size = h5.H5Tget_size(type.get());
    const H5T_class_t cls = h5.H5Tget_class(type.get());
    // Integers (Normalization's sample count) are read as float64 too.
    if (!(cls == H5T_FLOAT && (size == 2 || size == 4 || size == 8)) && !(cls == H5T_INTEGER && size <= 8))
      return Error(error_code::unsupported_model, "dataset '" + path +
                                                      "' does not hold IEEE floats of 2, 4 or 8 bytes or integers "
                                                      "(bfloat16 weights are not supported)");
    const int rank = h5.H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 4) return failed("dataset '" + path + "' has rank " + std::to_string(rank) + ", at most 4 expected");
    hsize_t dims[4] = {0, 0, 0, 0};
    if (h5.H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) return failed("cannot read the shape of '" + path + "'");
    Tensor t;
    uint64_t n = 1;
    for (int i = 0; i < rank; ++i) {
      if (dims[i] > max_elements || (dims[i] && n > max_elements / dims[i]))
        return failed("dataset '" + path + "' has more than " + str(max_elements) + " values");
      n *= dims[i];
      t.shape.push_back(dims[i]);
    }
    t.float32 = cls == H5T_FLOAT && size <= 4;
    t.values.resize(n);
    if (t.float32) {
      std::vector<float> f(n);
      if (n && h5.H5Dread(set.get(), h5.native_float, H5S_ALL, H5S_ALL, H5P_DEFAULT, f.data()) < 0)
        return failed("cannot read the values of '" + path + "'");
      for (uint64_t i = 0; i < n; ++i) t.values[i] = f[i];
    } else if (n && h5.H5Dread(set.get(), h5.native_double, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.values.data()) < 0) {
      return failed("cannot read the values of '" + path + "'");
    }
    return t;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory reading an HDF5 dataset");
  }
}

}  // namespace mlmap::importers
