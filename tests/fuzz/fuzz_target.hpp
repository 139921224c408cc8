// What every fuzz target provides: the libFuzzer entry point, and seed inputs
// generated from real models (written out by the replay driver, never
// committed).  replay_main.cc turns a target into an ordinary test that runs
// its seeds and the committed reproducers in regressions/<target>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

/// Seed inputs for this target.
std::vector<std::string> fuzz_seeds();
