#include "format/foreign.hpp"

#include <cstring>
#include <string_view>

namespace mlmap::format {

namespace {

bool starts(const uint8_t* d, size_t n, std::string_view sig) noexcept {
  return n >= sig.size() && std::memcmp(d, sig.data(), sig.size()) == 0;
}

bool contains(const uint8_t* d, size_t n, std::string_view what) noexcept {
  const std::string_view s(reinterpret_cast<const char*>(d), n);
  return s.find(what) != std::string_view::npos;
}

const char* const never_unpickle =
    "; mlmap never unpickles (loading a pickle runs whatever code it names): load it with the library "
    "that wrote it, in a process you trust, and write it with mlmap.save(model, path)";

}  // namespace

bool looks_like_ubjson(const uint8_t* data, size_t size) noexcept {
  return size >= 2 && data[0] == '{' && std::strchr("iUIlL$#", data[1]) != nullptr && data[1] != 0;
}

std::string describe_foreign(const uint8_t* d, size_t n) {
  if (n >= 2 && d[0] == 0x80 && d[1] >= 2 && d[1] <= 5) {
    const size_t head = n < 4096 ? n : 4096;  // joblib names its classes near the start
    const bool joblib = contains(d, head, "joblib");
    return std::string("this is a ") + (joblib ? "joblib file (a Python pickle" : "Python pickle (") + "protocol " +
           std::to_string(d[1]) + (joblib ? "), as joblib.dump writes" : "), as pickle.dump writes") + never_unpickle;
  }
  if (starts(d, n, "\x1f\x8b") || starts(d, n, "BZh") || starts(d, n, "\xfd" "7zXZ") || starts(d, n, "\x04\x22\x4d\x18") ||
      (n >= 2 && d[0] == 0x78 && (d[1] == 0x01 || d[1] == 0x5e || d[1] == 0x9c || d[1] == 0xda)))
    return std::string("this is compressed data (gzip, bz2, xz, lz4 or zlib), as joblib.dump(..., compress=...) "
                       "writes a pickle") + never_unpickle;
  if (starts(d, n, "PK\x03\x04"))
    return "this is a zip archive (a PyTorch .pt, Keras .keras or numpy .npz file?); save the model with "
           "mlmap.save(model, path)";
  if (starts(d, n, "\x89HDF\r\n\x1a\n"))
    return "this is an HDF5 file (a Keras .h5 model?); save the model with mlmap.save(model, path)";
  if (looks_like_ubjson(d, n))
    return "this is UBJSON (XGBoost's binary JSON, what save_model writes by default since 2.1); save the booster "
           "as JSON (booster.save_model('model.json')) and convert it: mlmap convert-xgboost model.json out.mlmap";
  size_t i = 0;
  while (i < n && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t')) ++i;
  if (i < n && d[i] == '{')
    return "this is JSON text (an XGBoost model?); convert it: mlmap convert-xgboost model.json out.mlmap";
  return "";
}

}  // namespace mlmap::format
