// The one dispatch point of the kernels: picks the best instruction set the
// CPU (and OS) supports, unless MLMAP_FORCE_ARCH or set_isa() says otherwise.
#pragma once

#include <string>
#include <vector>

#include "mlmap/info.hpp"

namespace mlmap::kernels {

enum class Isa { scalar = 0, sse4_2 = 1, avx2 = 2, avx512bw = 3 };

// A build may leave the AVX-512 kernels out (meson -Davx512_kernels=false):
// then no CPU is said to support Isa::avx512bw, and code that names those
// kernels (the dispatch, the kernel tests) wraps it in MLMAP_IF_AVX512(...).
#ifndef MLMAP_AVX512_KERNELS
#error "MLMAP_AVX512_KERNELS comes from the build (meson.build)"
#endif
#if MLMAP_AVX512_KERNELS
#define MLMAP_IF_AVX512(...) __VA_ARGS__
#else
#define MLMAP_IF_AVX512(...)
#endif

const char* isa_name(Isa isa) noexcept;
/// Parses "scalar", "sse4_2", "avx2", "avx512bw".
bool parse_isa(const std::string& name, Isa* out) noexcept;
bool isa_supported(Isa isa) noexcept;
/// Supported ISAs, best last.
std::vector<Isa> supported_isas();
/// The ISA predictions use now.
Isa active_isa() noexcept;
/// Switches every later prediction to `isa`; false (and no change) if the CPU
/// cannot run it.
bool set_isa(Isa isa) noexcept;

/// The batch algorithm of tree ensembles (TreeAlgorithm, mlmap/info.hpp):
/// chosen per model and batch by tree_cost.hpp (automatic, the default), or
/// forced, for tests and benchmarks, by set_tree_algorithm() or
/// MLMAP_TREE_ALGORITHM at start.  Bit-vectors still need the file's layout
/// and a SIMD ISA.
TreeAlgorithm tree_algorithm() noexcept;
void set_tree_algorithm(TreeAlgorithm algorithm) noexcept;

}  // namespace mlmap::kernels
