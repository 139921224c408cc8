// Element types of columns and their C++ counterparts.
#pragma once

#include <cstdint>

#include "format/schema_enums.hpp"
#include "mlmap/info.hpp"
#include "mlmap_generated.h"

namespace mlmap::format {

/// Bytes per element, or 0 for a dtype this reader does not know.
inline uint64_t dtype_size(fb::DType t) noexcept {
  switch (t) {
    case fb::DType::Float64:
    case fb::DType::Int64:
    case fb::DType::UInt64: return 8;
    case fb::DType::Float32:
    case fb::DType::Int32:
    case fb::DType::UInt32: return 4;
    case fb::DType::UInt8:
    case fb::DType::Int8: return 1;
  }
  return 0;
}

/// The dtype's name (mlmap/info.hpp's table), "unknown" for one this reader
/// does not know.
inline const char* dtype_name(fb::DType t) noexcept { return enum_name(static_cast<DType>(t)); }

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr fb::DType value = fb::DType::Float32; };
template <> struct dtype_of<double> { static constexpr fb::DType value = fb::DType::Float64; };
template <> struct dtype_of<int32_t> { static constexpr fb::DType value = fb::DType::Int32; };
template <> struct dtype_of<uint32_t> { static constexpr fb::DType value = fb::DType::UInt32; };
template <> struct dtype_of<int64_t> { static constexpr fb::DType value = fb::DType::Int64; };
template <> struct dtype_of<uint64_t> { static constexpr fb::DType value = fb::DType::UInt64; };
template <> struct dtype_of<uint8_t> { static constexpr fb::DType value = fb::DType::UInt8; };
template <> struct dtype_of<int8_t> { static constexpr fb::DType value = fb::DType::Int8; };

}  // namespace mlmap::format
