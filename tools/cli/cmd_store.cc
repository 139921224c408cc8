// mlmap store publish DIR NAME FILE | list DIR [NAME] [--json] |
//             rollback DIR NAME VERSION | gc DIR --keep N

#include <cstdio>
#include <ctime>
#include <string>

#include "commands.hpp"
#include "mlmap/json.hpp"
#include "mlmap/store.hpp"
#include "report.hpp"

namespace mlmap::cli {

namespace {

std::string when(int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int publish(Store& store, const Args& a) {
  auto r = store.publish(a.positional()[2], a.positional()[3]);
  if (!r) return fail(r.error());
  const auto& v = r->version;
  if (r->created)
    std::printf("published %s version %llu (%llu bytes, hash %s)\n", printable(a.positional()[2]).c_str(),
                static_cast<unsigned long long>(v.version), static_cast<unsigned long long>(v.size),
                v.content_hash.c_str());
  else
    std::printf("%s: this content is already version %llu (hash %s); it is current\n",
                printable(a.positional()[2]).c_str(), static_cast<unsigned long long>(v.version), v.content_hash.c_str());
  return exit_ok;
}

void json_version(JsonWriter& j, const VersionInfo& v) {
  j.begin_object();
  j.member("version", v.version);
  j.member("current", v.current);
  j.member("size", v.size);
  j.member("content_hash", v.content_hash);
  j.member("published", when(v.published_unix_ms));
  j.member("path", v.path);
  j.end_object();
}

int list(Store& store, const Args& a) {
  std::vector<std::string> names;
  if (a.positional().size() == 3) {
    names.push_back(a.positional()[2]);
  } else {
    auto all = store.names();
    if (!all) return fail(all.error());
    names = *all;
  }
  std::string out;
  JsonWriter j(out);
  const bool json = a.has("--json");
  if (json) j.begin_object();
  for (const auto& name : names) {
    auto versions = store.versions(name);
    if (!versions) return fail(versions.error());
    if (json) {
      j.key(name);
      j.begin_array();
      for (const auto& v : *versions) json_version(j, v);
      j.end_array();
      continue;
    }
    std::printf("%s\n", printable(name).c_str());
    for (const auto& v : *versions)
      std::printf("  %c v%-6llu %12llu bytes  %s  %s\n", v.current ? '*' : ' ', static_cast<unsigned long long>(v.version),
                  static_cast<unsigned long long>(v.size), when(v.published_unix_ms).c_str(), v.content_hash.c_str());
  }
  if (json) {
    j.end_object();
    std::printf("%s\n", out.c_str());
  }
  return exit_ok;
}

int rollback(Store& store, const Args& a) {
  auto v = parse_non_negative_int(a.positional()[3]);  // checked by usage_problem()
  auto st = store.rollback(a.positional()[2], static_cast<uint64_t>(*v));
  if (!st) return fail(st.error());
  std::printf("%s: version %d is current\n", printable(a.positional()[2]).c_str(), *v);
  return exit_ok;
}

int gc(Store& store, const Args& a) {
  auto keep_text = a.value("--keep");
  auto keep = parse_non_negative_int(*keep_text);  // checked by usage_problem()
  auto r = store.gc(static_cast<uint64_t>(*keep));
  if (!r) return fail(r.error());
  std::printf("removed %llu versions (%llu bytes) and %llu temporary files\n",
              static_cast<unsigned long long>(r->removed_versions), static_cast<unsigned long long>(r->removed_bytes),
              static_cast<unsigned long long>(r->removed_temporaries));
  return exit_ok;
}

// What is wrong with the arguments of `sub`, or "": checked before the store
// is opened, so that a usage error is exit 1 whatever the directory holds.
std::string usage_problem(const std::string& sub, const Args& a) {
  const size_t n = a.positional().size();
  if (sub == "publish") return n == 4 ? "" : "publish needs DIR NAME FILE";
  if (sub == "list") return n <= 3 ? "" : "list takes DIR [NAME]";
  if (sub == "rollback") {
    if (n != 4) return "rollback needs DIR NAME VERSION";
    auto v = parse_non_negative_int(a.positional()[3]);
    return v && *v > 0 ? "" : "VERSION must be a version number >= 1";
  }
  if (sub == "gc") {
    if (n != 2) return "gc takes DIR and --keep N";
    auto keep = a.value("--keep");
    if (!keep) return "gc needs --keep N";
    return parse_non_negative_int(*keep) ? "" : "--keep takes a whole number >= 0";
  }
  return "unknown store command '" + printable(sub) + "'";
}

int run(const Args& args) {
  const std::string& sub = args.positional()[0];
  if (auto problem = usage_problem(sub, args); !problem.empty()) return usage_error(store_command(), problem);
  // Only publish may create a store; the others need one to exist.
  auto store = Store::open(args.positional()[1], sub == "publish");
  if (!store) return fail(store.error());
  if (sub == "publish") return publish(*store, args);
  if (sub == "list") return list(*store, args);
  if (sub == "rollback") return rollback(*store, args);
  return gc(*store, args);
}

}  // namespace

const Command& store_command() {
  static const Command command{
      "store",
      "publish DIR NAME FILE | list DIR [NAME] [--json] | rollback DIR NAME VERSION | gc DIR --keep N",
      "manage a directory of published model versions",
      "publish verifies FILE, copies it in as NAME's next version and makes it current\n"
      "(the same content twice is a no-op that reports the existing version).\n"
      "rollback makes an earlier version current; gc keeps the N newest versions of\n"
      "each name plus the current one.  Published files are read-only and never\n"
      "modified in place; readers that map them are never disturbed.",
      ArgSpec{{{"--keep", "N", "gc: versions to keep per name"}, {"--json", "", "list: JSON output"}},
              {"COMMAND", "DIR", "NAME", "FILE|VERSION"},
              2,
              4},
      run};
  return command;
}

}  // namespace mlmap::cli
