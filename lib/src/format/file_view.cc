#include "format/file_view.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "format/checksum.hpp"
#include "format/limits.hpp"

namespace mlmap::format {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

Status check_column_bounds(const fb::Column& c, uint64_t index, uint64_t data_start, uint64_t file_size) {
  const std::string what = describe_column(c, index);
  const auto* shape = c.shape();
  if (shape->size() > limits::max_column_rank)
    return Error(error_code::limit_exceeded, what + " has rank " + str(shape->size()) + ", the limit is " +
                                                 str(limits::max_column_rank));
  const uint64_t elem = dtype_size(c.dtype());
  if (elem == 0)
    return Error(error_code::column_mismatch, what + " has unknown dtype " + str(static_cast<unsigned>(c.dtype())));
  uint64_t bytes = elem;
  for (uint64_t dim : *shape) {
    if (__builtin_mul_overflow(bytes, dim, &bytes))
      return Error(error_code::column_mismatch, what + " has a shape whose size overflows 64 bits");
  }
  if (bytes != c.length())
    return Error(error_code::column_mismatch, what + " is " + str(c.length()) + " bytes but its shape and dtype " +
                                                  dtype_name(c.dtype()) + " need " + str(bytes));
  const uint64_t off = c.offset();
  if (off % limits::column_alignment != 0)
    return Error(error_code::column_misaligned, what + " starts at byte " + str(off) + ", not a multiple of " +
                                                    str(limits::column_alignment));
  if (off < data_start)
    return Error(error_code::column_out_of_bounds, what + " starts at byte " + str(off) +
                                                       ", inside the preamble or header (which end at " + str(data_start) + ")");
  if (off > file_size || c.length() > file_size - off)
    return Error(error_code::column_out_of_bounds, what + " needs bytes [" + str(off) + ", " + str(off) + "+" +
                                                       str(c.length()) + ") but the file has " + str(file_size) + " bytes");
  return {};
}

// FlatBuffers 2.0.8's Verifier checks a vector's length word, not that its
// elements are aligned for their type; a crafted header can place a vector of
// 8-byte elements at any 4-byte boundary.  These are all the schema's vectors
// of 8-byte elements.  (Empty ones are exempt: FlatBuffers does not align
// them, and nothing is read from them.)
template <class T>
bool misaligned(const flatbuffers::Vector<T>* v) {
  return v && v->size() != 0 && reinterpret_cast<uintptr_t>(v->data()) % alignof(T) != 0;
}

Status check_vector_alignment(const fb::Header& h) {
  auto refuse = [](const std::string& what) {
    return Error(error_code::corrupt_header, "header vector " + what + " is not aligned for its 8-byte elements");
  };
  const auto* columns = h.columns();
  for (uint32_t i = 0; i < columns->size(); ++i)
    if (misaligned(columns->Get(i)->shape())) return refuse("shape of column #" + str(i));
  const fb::Model* m = h.model();
  if (misaligned(m->base_score())) return refuse("'base_score'");
  if (const auto* labels = m->classes_as_Int64Labels(); labels && misaligned(labels->values()))
    return refuse("'classes'");
  if (const auto* c = m->coupling(); c && (misaligned(c->prob_a()) || misaligned(c->prob_b())))
    return refuse("'coupling'");
  if (const fb::Preprocessing* p = m->preprocessing()) {
    for (uint32_t i = 0; i < p->ops()->size(); ++i) {
      const fb::Op* op = p->ops()->Get(i);
      if (misaligned(op->a()) || misaligned(op->b()) || misaligned(op->numeric_categories()))
        return refuse("of preprocessing step " + str(i));
    }
  }
  return {};
}

}  // namespace

std::string describe_column(const fb::Column& c, uint64_t index) {
  return "column '" + c.name()->str() + "' (#" + str(index) + ")";
}

Result<FileView> FileView::check(std::shared_ptr<const Mapping> mapping) noexcept {
  try {
    FileView v;
    v.mapping_ = std::move(mapping);
    auto pre = decode_preamble(v.base(), v.size());
    if (!pre) return pre.error();
    v.preamble_ = *pre;
    const uint8_t* hdr = v.base() + pre->header_offset;
    const uint64_t hlen = pre->header_length;
    if (checksum128(hdr, hlen) != pre->header_hash)
      return Error(error_code::checksum_mismatch, "header checksum differs from the preamble's " +
                                                      to_hex(pre->header_hash) + ": the header is damaged");
    flatbuffers::Verifier::Options opts;
    opts.max_depth = limits::max_header_depth;
    opts.max_tables = limits::max_header_tables;
    opts.check_alignment = true;
    flatbuffers::Verifier verifier(hdr, static_cast<size_t>(hlen), opts);
    if (!fb::HeaderBufferHasIdentifier(hdr))
      return Error(error_code::corrupt_header, "header lacks the FlatBuffers identifier \"MLMP\"");
    if (!fb::VerifyHeaderBuffer(verifier))
      return Error(error_code::corrupt_header, "header (" + str(hlen) + " bytes at offset 64) fails FlatBuffers verification");
    v.header_ = fb::GetHeader(hdr);
    if (auto st = check_vector_alignment(*v.header_); !st) return st.error();
    const auto* columns = v.header_->columns();
    if (columns->size() > limits::max_columns)
      return Error(error_code::limit_exceeded, "file declares " + str(columns->size()) + " columns, the limit is " +
                                                   str(limits::max_columns));
    const uint64_t data_start = pre->header_offset + hlen;
    for (uint32_t i = 0; i < columns->size(); ++i) {
      auto st = check_column_bounds(*columns->Get(i), i, data_start, v.size());
      if (!st) return st.error();
    }
    return v;
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory checking the header");
  }
}

Result<const fb::Column*> FileView::column_desc(int32_t index, const char* role, fb::DType dtype,
                                                uint64_t count) const noexcept {
  const auto* columns = header_->columns();
  if (index < 0)
    return Error(error_code::column_mismatch, std::string("required column '") + role + "' is absent");
  if (static_cast<uint64_t>(index) >= columns->size())
    return Error(error_code::column_mismatch, std::string("column '") + role + "' refers to column #" + str(index) +
                                                  " but the file has " + str(columns->size()) + " columns");
  const fb::Column* c = columns->Get(static_cast<uint32_t>(index));
  if (c->dtype() != dtype)
    return Error(error_code::column_mismatch, describe_column(*c, index) + " used as '" + role + "' is " +
                                                  dtype_name(c->dtype()) + ", expected " + dtype_name(dtype));
  const uint64_t n = c->length() / dtype_size(dtype);
  if (n != count)
    return Error(error_code::column_mismatch, describe_column(*c, index) + " used as '" + role + "' has " + str(n) +
                                                  " elements, expected " + str(count));
  return c;
}

Result<std::pair<const uint8_t*, uint64_t>> FileView::byte_column(int32_t index, const char* role) const noexcept {
  auto dtype = column_dtype(index, role);
  if (!dtype) return dtype.error();
  const fb::Column* c = header_->columns()->Get(static_cast<uint32_t>(index));
  auto desc = column_desc(index, role, fb::DType::UInt8, c->length());
  if (!desc) return desc.error();
  return std::make_pair(base() + (*desc)->offset(), (*desc)->length());
}

Result<fb::DType> FileView::column_dtype(int32_t index, const char* role) const noexcept {
  const auto* columns = header_->columns();
  if (index < 0 || static_cast<uint64_t>(index) >= columns->size())
    return Error(error_code::column_mismatch, std::string("column '") + role + "' refers to column #" + str(index) +
                                                  " but the file has " + str(columns->size()) + " columns");
  return columns->Get(static_cast<uint32_t>(index))->dtype();
}

Status FileView::verify_column_checksums() const noexcept {
  const auto* columns = header_->columns();
  // Bytes outside the header and the columns are padding: writers write
  // zeros, so anything else is damage the checksums would not see.
  try {
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (uint32_t i = 0; i < columns->size(); ++i)
      spans.emplace_back(columns->Get(i)->offset(), columns->Get(i)->length());
    std::sort(spans.begin(), spans.end());
    uint64_t cursor = preamble_.header_offset + preamble_.header_length;
    spans.emplace_back(size(), 0);
    for (const auto& [off, len] : spans) {
      for (uint64_t p = cursor; p < off; ++p)
        if (base()[p] != 0)
          return Error(error_code::checksum_mismatch, "padding byte at offset " + str(p) +
                                                          " is not zero: the file is damaged outside its columns");
      cursor = std::max(cursor, off + len);
    }
  } catch (const std::bad_alloc&) {
    return Error(error_code::out_of_memory, "out of memory verifying padding");
  }
  for (uint32_t i = 0; i < columns->size(); ++i) {
    const fb::Column* c = columns->Get(i);
    uint64_t h = checksum64(base() + c->offset(), static_cast<size_t>(c->length()));
    if (h != c->checksum())
      return Error(error_code::checksum_mismatch, describe_column(*c, i) + " has checksum " + str(h) +
                                                      ", the header records " + str(c->checksum()) + ": its bytes are damaged");
  }
  return {};
}

}  // namespace mlmap::format
