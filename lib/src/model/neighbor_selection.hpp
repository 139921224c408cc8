// How sklearn picks the k nearest neighbours, operation for operation, so
// that equal distances resolve as they do there.
//
// sklearn's brute-force search (ArgKmin, sklearn/utils/_heap.pyx) pushes the
// distance to each training row, in row order, into a max-heap of k entries
// that starts full of DBL_MAX with index 0: a value >= the root is dropped,
// a smaller one replaces the root and sifts down.  Among equal distances at
// the k-th place this keeps some rows and not others by the heap's shape,
// not by index; emulating the heap gives sklearn's neighbours whenever the
// distances are sklearn's (FORMAT.md §5.3 says when they are).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlmap::model {

/// sklearn's heap_push: (value, index) into a max-heap of `size` entries.
inline void heap_push(double* values, uint64_t* indices, size_t size, double value, uint64_t index) noexcept {
  if (value >= values[0]) return;
  size_t current = 0;
  for (;;) {
    const size_t left = 2 * current + 1, right = left + 1;
    size_t swap;
    if (left >= size) {
      break;
    } else if (right >= size) {
      if (values[left] > value)
        swap = left;
      else
        break;
    } else if (values[left] >= values[right]) {
      if (value < values[left])
        swap = left;
      else
        break;
    } else {
      if (value < values[right])
        swap = right;
      else
        break;
    }
    values[current] = values[swap];
    indices[current] = indices[swap];
    current = swap;
  }
  values[current] = value;
  indices[current] = index;
}

}  // namespace mlmap::model
