#include "mlmap/model.hpp"
#include "mlmap/writer.hpp"
#include "writer/tree_writer.hpp"

namespace mlmap {

Status save(const std::string& path, const ModelDescription& description, const TreeEnsembleBuilder& trees) noexcept {
  // What we write must open and verify: check the temporary file with the
  // reader before it replaces anything.
  auto check = [](const std::string& tmp) -> Status {
    OpenOptions o;
    o.verify = true;
    auto m = Model::open(tmp, o);
    if (!m) return Error(m.code(), "refusing to write an invalid model: " + m.message());
    return {};
  };
  return writer::write_tree_model(path, description, trees, check);
}

}  // namespace mlmap
