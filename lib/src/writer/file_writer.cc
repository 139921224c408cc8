#include "writer/file_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include "format/checksum.hpp"
#include "format/limits.hpp"
#include "format/preamble.hpp"
#include "mlmap/version.hpp"

namespace mlmap::writer {

namespace {

namespace fbs = flatbuffers;

std::string str(uint64_t v) { return std::to_string(v); }

uint64_t align_up(uint64_t x) {
  return (x + limits::column_alignment - 1) / limits::column_alignment * limits::column_alignment;
}

Error os_error(const std::string& what, const std::string& path, int err) {
  return Error(error_code::write_failed, "cannot " + what + " '" + path + "': " + std::strerror(err));
}

// The header is small unless a caller passes millions of names; refuse before
// FlatBuffers' 2 GiB limit is near (its release builds do not check it).
Status check_header_budget(const ModelDescription& d, const std::vector<ColumnInput>& cols) {
  uint64_t bytes = 0;
  for (const auto& s : d.feature_names) bytes += s.size() + 16;
  for (const auto& s : d.classes.strings) bytes += s.size() + 16;
  bytes += d.classes.integers.size() * 8 + d.base_score.size() * 8;
  for (const auto& [k, v] : d.metadata) bytes += k.size() + v.size() + 32;
  for (const auto& c : cols) bytes += c.name.size() + c.shape.size() * 8 + 96;
  if (bytes > (uint64_t{1} << 30))
    return Error(error_code::limit_exceeded, "names, labels and metadata need about " + str(bytes) +
                                                 " header bytes; the limit is 1 GiB");
  return {};
}

fb::Link to_fb(LinkFunction l) {
  switch (l) {
    case LinkFunction::identity: return fb::Link::Identity;
    case LinkFunction::logistic: return fb::Link::Logistic;
    case LinkFunction::softmax: return fb::Link::Softmax;
    case LinkFunction::exp: return fb::Link::Exp;
    case LinkFunction::logistic_ovr: return fb::Link::LogisticOvR;
  }
  return fb::Link::Identity;
}

fb::Task to_fb(Task t) {
  switch (t) {
    case Task::regression: return fb::Task::Regression;
    case Task::classification: return fb::Task::Classification;
    case Task::ranking: return fb::Task::Ranking;
  }
  return fb::Task::Regression;
}

void build_header(fbs::FlatBufferBuilder& b, const ModelDescription& d, const std::vector<ColumnInput>& cols,
                  const std::vector<uint64_t>& offsets, const std::vector<uint64_t>& checksums,
                  uint32_t n_raw, const PredictorTableFn& predictor) {
  b.Clear();
  b.ForceDefaults(true);  // every scalar written: the size does not depend on offsets
  std::vector<fbs::Offset<fb::Column>> cs;
  for (size_t i = 0; i < cols.size(); ++i) {
    const auto& c = cols[i];
    cs.push_back(fb::CreateColumn(b, b.CreateString(c.name), c.dtype, b.CreateVector(c.shape), offsets[i], c.bytes,
                                  checksums[i]));
  }
  auto columns = b.CreateVector(cs);
  const auto& p = d.provenance;
  const int64_t created = p.created_unix_ms ? p.created_unix_ms
                                            : std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count();
  auto provenance =
      fb::CreateProvenance(b, b.CreateString("mlmap"), b.CreateString(MLMAP_VERSION), b.CreateString(p.source_library),
                           b.CreateString(p.source_version), b.CreateString(p.numpy_version),
                           b.CreateString(p.python_version), created);
  std::vector<fbs::Offset<fb::KeyValue>> kvs;
  for (const auto& [k, v] : d.metadata) kvs.push_back(fb::CreateKeyValue(b, b.CreateString(k), b.CreateString(v)));
  auto metadata = b.CreateVectorOfSortedTables(&kvs);
  auto feature_names = b.CreateVectorOfStrings(d.feature_names);
  fb::ClassLabels classes_type = fb::ClassLabels::NONE;
  fbs::Offset<void> classes;
  if (d.classes.kind == ClassLabels::Kind::integers) {
    classes_type = fb::ClassLabels::Int64Labels;
    classes = fb::CreateInt64Labels(b, b.CreateVector(d.classes.integers)).Union();
  } else if (d.classes.kind == ClassLabels::Kind::strings) {
    classes_type = fb::ClassLabels::StringLabels;
    classes = fb::CreateStringLabels(b, b.CreateVectorOfStrings(d.classes.strings)).Union();
  }
  auto base_score = b.CreateVector(d.base_score);
  auto estimator = b.CreateString(d.estimator);
  auto [ptype, pred] = predictor(b);
  fb::ModelBuilder mb(b);
  mb.add_task(to_fb(d.task));
  mb.add_estimator(estimator);
  mb.add_n_features(static_cast<uint32_t>(d.n_features));
  mb.add_n_outputs(static_cast<uint32_t>(d.n_outputs));
  mb.add_n_raw(n_raw);
  mb.add_feature_names(feature_names);
  mb.add_classes_type(classes_type);
  if (classes_type != fb::ClassLabels::NONE) mb.add_classes(classes);
  mb.add_base_score(base_score);
  mb.add_link(to_fb(d.link));
  mb.add_link_scale(d.link_scale);
  mb.add_class_from_raw(d.class_from_raw);
  mb.add_predictor_type(ptype);
  mb.add_predictor(pred);
  auto model = mb.Finish();
  fb::FinishHeaderBuffer(b, fb::CreateHeader(b, provenance, metadata, columns, model));
}

// The process umask, without the race of umask(umask(0)): Linux reports it in
// /proc/self/status.
mode_t current_umask() {
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      unsigned mask;
      if (std::sscanf(line, "Umask: %o", &mask) == 1) {
        std::fclose(f);
        return static_cast<mode_t>(mask);
      }
    }
    std::fclose(f);
  }
  return 022;
}

}  // namespace

Status write_all(int fd, const void* data, uint64_t size, const std::string& path) noexcept {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, uint64_t{1} << 30));
    ssize_t n = ::write(fd, p, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("write", path, n < 0 ? errno : EIO);
    p += n;
    size -= static_cast<uint64_t>(n);
  }
  return {};
}

Status write_atomically(const std::string& path, const std::function<Status(int fd)>& body,
                        const std::function<Status(const std::string& tmp)>& check, int mode) noexcept {
  try {
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
      return Error(error_code::write_failed, "cannot write '" + path + "': it is a directory");
    if (mode < 0) mode = exists ? static_cast<int>(st.st_mode & 07777) : static_cast<int>(0666 & ~current_umask());
    std::string tmp = path + ".tmp-XXXXXX";
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return os_error("create a temporary file in", dir, errno);
    auto fail = [&](Status s) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    };
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail(os_error("chmod", tmp, errno));
    auto s = body(fd);
    if (!s) return fail(s);
    if (::fsync(fd) != 0) return fail(os_error("fsync", tmp, errno));
    if (::close(fd) != 0) {
      ::unlink(tmp.c_str());
      return os_error("close", tmp, errno);
    }
    if (check) {
      s = check(tmp);
      if (!s) {
        ::unlink(tmp.c_str());
        return s;
      }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return os_error("rename the temporary file to", path, err);
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);  // best effort: the file itself is complete either way
      ::close(dfd);
    }
    return {};
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

Status write_model_file(const std::string& path, const ModelDescription& d, const ColumnSet& set, uint32_t n_raw,
                        const PredictorTableFn& predictor, const CheckFn& check) noexcept {
  try {
    const auto& cols = set.columns();
    if (cols.size() > limits::max_columns)
      return Error(error_code::limit_exceeded, str(cols.size()) + " columns; the limit is " + str(limits::max_columns));
    std::set<std::string> keys;
    for (const auto& kv : d.metadata)
      if (!keys.insert(kv.first).second) return Error(error_code::invalid_argument, "metadata key '" + kv.first + "' repeats");
    auto st = check_header_budget(d, cols);
    if (!st) return st;

    std::vector<uint64_t> checksums(cols.size()), offsets(cols.size(), 0);
    for (size_t i = 0; i < cols.size(); ++i) checksums[i] = format::checksum64(cols[i].data, cols[i].bytes);

    fbs::FlatBufferBuilder b(4096);
    build_header(b, d, cols, offsets, checksums, n_raw, predictor);
    const uint64_t header_size = b.GetSize();
    if (header_size > limits::max_header_size) return Error(error_code::limit_exceeded, "header exceeds 2 GiB");
    uint64_t cursor = align_up(limits::preamble_size + header_size);
    for (size_t i = 0; i < cols.size(); ++i) {
      offsets[i] = cursor;
      cursor = align_up(cursor + cols[i].bytes);
    }
    const uint64_t file_length = cols.empty() ? limits::preamble_size + header_size : offsets.back() + cols.back().bytes;
    build_header(b, d, cols, offsets, checksums, n_raw, predictor);
    if (b.GetSize() != header_size)
      return Error(error_code::internal_error, "header size changed between layout passes");

    format::Preamble pre;
    pre.header_length = header_size;
    pre.file_length = file_length;
    pre.header_hash = format::checksum128(b.GetBufferPointer(), header_size);
    uint8_t preamble[64];
    format::encode_preamble(pre, preamble);

    return write_atomically(path, [&](int fd) -> Status {
      static const uint8_t zeros[limits::column_alignment] = {};
      auto s = write_all(fd, preamble, sizeof preamble, path);
      if (s) s = write_all(fd, b.GetBufferPointer(), header_size, path);
      uint64_t pos = limits::preamble_size + header_size;
      for (size_t i = 0; s && i < cols.size(); ++i) {
        s = write_all(fd, zeros, offsets[i] - pos, path);
        if (s) s = write_all(fd, cols[i].data, cols[i].bytes, path);
        pos = offsets[i] + cols[i].bytes;
      }
      return s;
    }, check);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory writing '" + path + "'");
  }
}

}  // namespace mlmap::writer
