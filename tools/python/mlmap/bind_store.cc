// mlmap._core.Store and Watch: the model store (publish, list, rollback, gc,
// load) and a reader that follows a name's current version.
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "binding.hpp"

namespace mlmap::python {

namespace {

py::dict version_dict(const VersionInfo& v) {
  py::dict d;
  d["version"] = v.version;
  d["path"] = v.path;
  d["content_hash"] = v.content_hash;
  d["size"] = v.size;
  d["published_unix_ms"] = v.published_unix_ms;
  d["current"] = v.current;
  return d;
}

py::dict publish(Store& s, const std::string& name, const std::string& file, bool move) {
  const auto r = value_or_raise(without_gil([&] { return s.publish(name, file, move); }));
  py::dict d = version_dict(r.version);
  d["created"] = r.created;
  d["previous"] = r.previous;
  return d;
}

py::list versions(const Store& s, const std::string& name) {
  py::list out;
  for (const auto& v : value_or_raise(s.versions(name))) out.append(version_dict(v));
  return out;
}

py::dict gc(Store& s, uint64_t keep) {
  const auto r = value_or_raise(s.gc(keep));
  py::dict d;
  d["removed_versions"] = r.removed_versions;
  d["removed_bytes"] = r.removed_bytes;
  d["removed_temporaries"] = r.removed_temporaries;
  return d;
}

Model load(const Store& s, const std::string& name, uint64_t version, bool verify, bool copy) {
  return value_or_raise(without_gil([&] { return s.load(name, version, OpenOptions{verify, copy}); }));
}

}  // namespace

void bind_store(py::module_& mod) {
  auto watch = py::class_<Watch, std::shared_ptr<Watch>>(mod, "Watch");
  watch
      .def("current",
           [](const Watch& w) {
             uint64_t version = 0;
             Model m = w.current(&version);
             return py::make_tuple(std::move(m), version);
           })
      .def_property_readonly("version", &Watch::version)
      .def("refresh", [](Watch& w) { check(w.refresh()); })
      .def("last_error", &Watch::last_error);
  refuse_bare_new(watch, "use Store.watch()");

  auto store = py::class_<Store>(mod, "Store");
  store.attr("__new__") = py::cpp_function(
      [](const py::handle&, const std::string& dir, bool create) { return value_or_raise(Store::open(dir, create)); },
      py::name("__new__"), py::arg("cls"), py::arg("dir"), py::arg("create") = true);
  built_in_new(store);
  store.def_property_readonly("dir", &Store::dir)
      .def_static("check_name", [](const std::string& name) { check(Store::check_name(name)); })
      .def("publish", &publish, py::arg("name"), py::arg("file"), py::arg("move") = false)
      .def("versions", &versions)
      .def("names", [](const Store& s) { return value_or_raise(s.names()); })
      .def("current", [](const Store& s, const std::string& name) { return version_dict(value_or_raise(s.current(name))); })
      .def("rollback", [](Store& s, const std::string& name, uint64_t v) { check(s.rollback(name, v)); })
      .def("gc", &gc)
      .def("load", &load, py::arg("name"), py::arg("version") = 0, py::arg("verify") = false, py::arg("copy") = false)
      .def(
          "watch",
          [](const Store& s, const std::string& name, int poll_ms) { return value_or_raise(s.watch(name, poll_ms)); },
          py::arg("name"), py::arg("poll_ms") = 100);
}

}  // namespace mlmap::python
