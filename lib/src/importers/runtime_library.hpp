// Libraries the Keras importer loads when a Keras file is first read, not at
// program start: libhdf5 alone brings ~35 libraries (curl, TLS, Kerberos) and
// libzip OpenSSL's libcrypto, which made every process that links libmlmap --
// the CLI, the Python module, servers -- start several milliseconds slower for
// an importer most of them never call.  Each user lists the functions it
// needs in an X-macro and fills a table of typed pointers with them.
#pragma once

#include <dlfcn.h>

#include <initializer_list>
#include <string>

namespace mlmap::importers {

/// dlopen() of the first of `names` that loads (never closed); null, with
/// `error` naming the Debian `package` to install, when none does.
inline void* open_library(std::initializer_list<const char*> names, const char* package, std::string& error) noexcept {
  for (const char* name : names)
    if (void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) return lib;
  const char* why = dlerror();
  error = std::string("cannot load ") + *names.begin() + " (Debian: apt-get install " + package + ")" +
          (why ? std::string(": ") + why : std::string());
  return nullptr;
}

/// `fn` = the symbol `name` of `lib`; false, with `error` set, when absent.
template <class F>
bool load_symbol(void* lib, const char* name, F& fn, std::string& error) noexcept {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn && error.empty()) error = std::string("the loaded library has no ") + name;
  return fn != nullptr;
}

}  // namespace mlmap::importers
