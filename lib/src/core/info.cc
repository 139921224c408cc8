// What a model file says about itself (mlmap/info.hpp): names and labels.
#include "mlmap/info.hpp"

#include <string>

namespace mlmap {

const char* task_name(Task task) noexcept {
  switch (task) {
    case Task::regression: return "regression";
    case Task::classification: return "classification";
    case Task::ranking: return "ranking";
  }
  return "unknown";
}

std::string ClassLabels::to_string(size_t i) const {
  if (kind == Kind::integers) return i < integers.size() ? std::to_string(integers[i]) : std::string();
  return i < strings.size() ? strings[i] : std::string();
}

}  // namespace mlmap
