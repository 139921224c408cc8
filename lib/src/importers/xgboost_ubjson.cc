// The XGBoost UBJSON front-end and the by-content entry points of
// mlmap/importers.hpp: UBJSON is re-encoded as JSON text (ubjson.cc) and goes
// through the JSON front-end's field walk into the same XgbModel and the same
// converter (xgboost_convert.cc) as a JSON file.
#include <limits>
#include <new>
#include <string>
#include <utility>

#include "importers/ubjson.hpp"
#include "importers/xgboost_ubjson.hpp"
#include "importers/xgboost_convert.hpp"
#include "importers/xgboost_json.hpp"
#include "mlmap/importers.hpp"

namespace mlmap {

namespace importers {

namespace {

constexpr std::string_view json_source = "XGBoost JSON";
constexpr std::string_view ubjson_source = "XGBoost UBJSON";

// The JSON parser's own limit on its input (simdjson: 4 GiB less padding).
constexpr size_t max_json_text = std::numeric_limits<uint32_t>::max() - 4096;

/// The JSON front-end's errors name the field; they are about the UBJSON file.
Status as_ubjson(Status st) {
  if (st.ok()) return st;
  std::string message = st.error().message();
  if (message.compare(0, json_source.size(), json_source) == 0)
    message = std::string(ubjson_source) + message.substr(json_source.size());
  return Error(st.error().code(), std::move(message));
}

}  // namespace

Status parse_xgboost_ubjson(std::string_view bytes, const ImportOptions& options, XgbModel& model) noexcept try {
  model.source = std::string(ubjson_source);
  if (bytes.size() > options.max_input_bytes)
    return malformed(ubjson_source, "the input has " + unum(bytes.size()) + " bytes, more than the limit of " +
                                        unum(options.max_input_bytes));
  if (bytes.empty()) return malformed(ubjson_source, "the input is empty");
  std::string json;
  MLMAP_TRY(ubjson_to_json(bytes, options.max_nesting_depth, max_json_text, json));
  ImportOptions text_options = options;
  text_options.max_input_bytes = json.size();
  MLMAP_TRY(as_ubjson(parse_xgboost_json(json, text_options, model)));
  model.source = std::string(ubjson_source);
  return {};
} catch (const std::bad_alloc&) {
  return Error(error_code::out_of_memory, "out of memory parsing an XGBoost UBJSON model");
}

}  // namespace importers

Result<ImportedModel> import_xgboost_ubjson(std::string_view ubjson, const ImportOptions& options) noexcept {
  try {
    if (importers::xgboost_file_kind(ubjson) == importers::XgbFileKind::other)
      return importers::malformed(importers::ubjson_source, importers::describe_other_file(ubjson));
    importers::XgbModel raw;
    MLMAP_TRY(importers::parse_xgboost_ubjson(ubjson, options, raw));
    return importers::convert_xgboost_model(raw, options);
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory importing an XGBoost UBJSON model");
  } catch (const std::exception& e) {
    return Error(error_code::internal_error, std::string("importing an XGBoost UBJSON model: ") + e.what());
  }
}

Result<ImportedModel> import_xgboost(std::string_view bytes, const ImportOptions& options) noexcept {
  switch (importers::xgboost_file_kind(bytes)) {
    case importers::XgbFileKind::ubjson: return import_xgboost_ubjson(bytes, options);
    case importers::XgbFileKind::json: return import_xgboost_json(bytes, options);
    case importers::XgbFileKind::other: break;
  }
  try {
    return Error(error_code::import_failed, "not an XGBoost model file: " + importers::describe_other_file(bytes));
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory importing an XGBoost model");
  }
}

Status convert_xgboost(std::string_view bytes, const std::string& out_path, const ImportOptions& options) noexcept {
  auto imported = import_xgboost(bytes, options);
  if (!imported) return imported.status();
  return save(out_path, imported->description, imported->trees);
}

}  // namespace mlmap
