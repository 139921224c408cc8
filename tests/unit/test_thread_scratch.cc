#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <thread>

#include "kernels/thread_scratch.hpp"

using mlmap::kernels::ThreadScratch;

namespace {

bool aligned64(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

// Runs `body` on a thread of its own (the test runner's thread keeps blocks
// from the cases before), its failures reported here.
template <class Body>
void on_new_thread(Body body) {
  std::exception_ptr failure;
  std::thread([&] {
    try {
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  }).join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("thread scratch: a thread gets its blocks back on the next call") {
  on_new_thread([] {
    void* first = nullptr;
    {
      ThreadScratch a(100000);
      REQUIRE(a.data());
      CHECK(aligned64(a.data()));
      std::memset(a.data(), 1, 100000);  // usable to its end
      first = a.data();
    }
    {
      ThreadScratch again(90000);  // a few rows fewer: the same block
      CHECK(again.data() == first);
      ThreadScratch other(90000);  // the kept one is taken: a new one
      REQUIRE(other.data());
      CHECK(other.data() != first);
      CHECK(aligned64(other.data()));
    }
    {
      ThreadScratch small(1000);  // the smallest kept block that fits
      ThreadScratch large(100000);
      CHECK(small.data() != large.data());
      CHECK((small.data() == first || large.data() == first));
    }
    // Another thread keeps blocks of its own.
    void* theirs = nullptr;
    on_new_thread([&] {
      ThreadScratch t(100000);
      theirs = t.data();
    });
    CHECK(theirs != nullptr);
  });
}

TEST_CASE("thread scratch: blocks larger than a thread keeps are freed, not kept") {
  on_new_thread([] {
    void* huge = nullptr;
    {
      ThreadScratch h(mlmap::kernels::kept_bytes_per_thread + 1);
      REQUIRE(h.data());
      huge = h.data();
    }
    ThreadScratch small(64);
    CHECK(small.data() != huge);  // not handed out again for a small request
    // Moving a block leaves one owner.
    ThreadScratch moved(std::move(small));
    CHECK(small.data() == nullptr);
    CHECK(moved.data() != nullptr);
  });
}
