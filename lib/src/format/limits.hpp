// Limits on what a file may declare (FORMAT.md §9).  They bound the work a
// hostile file can cause and keep every size computation below 2^64.
#pragma once

#include <cstdint>

namespace mlmap::limits {

constexpr uint64_t preamble_size = 64;
constexpr uint64_t column_alignment = 64;
constexpr uint64_t max_header_size = (uint64_t{1} << 31) - 2;  // FlatBuffers' own limit
constexpr uint32_t max_header_depth = 16;        // FlatBuffers Verifier nesting
constexpr uint32_t max_header_tables = 1000000;  // FlatBuffers Verifier table budget
constexpr uint64_t max_columns = 65536;
constexpr uint64_t max_column_rank = 4;
constexpr uint64_t max_features = uint64_t{1} << 30;  // node_info keeps 30 bits
constexpr uint64_t max_outputs = uint64_t{1} << 20;
constexpr uint64_t max_trees = uint64_t{1} << 24;
constexpr uint64_t max_nodes = (uint64_t{1} << 32) - 2;  // node_child + 1 fits in uint32
constexpr uint64_t max_leaves = uint64_t{1} << 30;    // node_info keeps 30 bits
constexpr uint32_t max_tree_depth = 1024;
constexpr uint32_t max_category_set_words = 1u << 16;  // categories < 2^21
constexpr uint32_t max_dense_layers = 64;
constexpr uint32_t max_layer_width = 1u << 20;
constexpr uint64_t max_slots = uint64_t{1} << 24;      // preprocessing registers
constexpr uint64_t max_ops = 65536;
constexpr uint32_t max_sub_model_depth = 8;            // model files nested in SubModel steps
constexpr uint32_t max_polynomial_degree = 8;
constexpr uint64_t max_samples = uint64_t{1} << 40;    // stored rows (neighbours, support vectors)
constexpr uint32_t max_neighbors = 1u << 20;           // k
constexpr uint32_t max_kernel_degree = 64;             // polynomial kernels
constexpr uint64_t max_categories = uint64_t{1} << 32; // CategoricalNB, all features together

}  // namespace mlmap::limits
