// The model store: publish, dedupe, list, rollback, gc, concurrent
// publishers, and a Watch that follows the current version.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support.hpp"

using namespace mlmap;

namespace {

std::string sample(const test::TempDir& dir, const std::string& name, test::Sample kind, uint64_t seed) {
  const auto path = dir.file(name);
  REQUIRE(test::save_sample(path, kind, seed).ok());
  return path;
}

std::vector<double> predict(const Model& m, size_t rows = 50) {
  std::mt19937_64 rng(1);
  auto X = test::random_rows(rng, rows, m.num_features());
  std::vector<double> out(rows * m.output_width());
  REQUIRE(m.predict(X.data(), rows, out.data()).ok());
  return out;
}

}  // namespace

TEST_CASE("publish, dedupe, list, rollback and gc") {
  test::TempDir dir, src;
  auto store = Store::open(dir.file("store"));
  REQUIRE_MESSAGE(store.ok(), store.message());
  const auto a = sample(src, "a.mlmap", test::Sample::forest_classifier, 1);
  const auto b = sample(src, "b.mlmap", test::Sample::forest_classifier, 2);

  auto p1 = store->publish("churn", a);
  REQUIRE_MESSAGE(p1.ok(), p1.message());
  CHECK(p1->created);
  CHECK(p1->version.version == 1);
  CHECK(p1->previous == 0);
  struct stat st {};
  REQUIRE(::stat(p1->version.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0444);

  auto again = store->publish("churn", a);
  REQUIRE(again.ok());
  CHECK_FALSE(again->created);
  CHECK(again->version.version == 1);

  auto p2 = store->publish("churn", b);
  REQUIRE(p2.ok());
  CHECK(p2->version.version == 2);
  CHECK(p2->previous == 1);
  CHECK(store->current("churn")->version == 2);

  auto listed = store->versions("churn");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK_FALSE((*listed)[0].current);
  CHECK((*listed)[1].current);
  CHECK((*listed)[0].content_hash.size() == 32);
  CHECK((*listed)[0].size > 0);
  CHECK(store->names()->size() == 1);

  auto m1 = store->load("churn", 1);
  REQUIRE(m1.ok());
  auto mcur = store->load("churn");
  REQUIRE(mcur.ok());
  CHECK(predict(*mcur) != predict(*m1));

  REQUIRE(store->rollback("churn", 1).ok());
  CHECK(store->current("churn")->version == 1);
  CHECK(store->rollback("churn", 7).code() == error_code::invalid_argument);
  // A name the store lacks: the same words from rollback as from versions().
  const auto lacking = store->rollback("nosuch", 1);
  CHECK(lacking.message() == "the store has no model named 'nosuch'");
  CHECK(store->versions("nosuch").message() == lacking.message());

  // Publishing content already there makes it current again, without a copy.
  auto back = store->publish("churn", b);
  REQUIRE(back.ok());
  CHECK_FALSE(back->created);
  CHECK(back->version.version == 2);
  CHECK(back->previous == 1);

  const auto c = sample(src, "c.mlmap", test::Sample::forest_classifier, 3);
  REQUIRE(store->publish("churn", c).ok());  // v3, current
  auto gc = store->gc(1);
  REQUIRE(gc.ok());
  CHECK(gc->removed_versions == 2);
  CHECK(store->versions("churn")->size() == 1);
  // A handle opened before gc keeps working: the mapping outlives the file.
  CHECK(predict(*m1).size() == 150);
}

TEST_CASE("the store refuses bad files, bad names and foreign directories") {
  test::TempDir dir, src;
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  const auto good = sample(src, "g.mlmap", test::Sample::regressor, 1);
  auto bytes = test::read_bytes(good);
  bytes[bytes.size() / 2] ^= 0xff;
  test::write_bytes(src.file("bad.mlmap"), bytes);
  auto r = store->publish("m", src.file("bad.mlmap"));
  CHECK(r.code() == error_code::checksum_mismatch);
  CHECK(r.message().find("refusing to publish") != std::string::npos);
  CHECK(store->names()->empty());
  CHECK(store->publish("../evil", good).code() == error_code::invalid_argument);
  CHECK(store->publish(".hidden", good).code() == error_code::invalid_argument);
  CHECK(store->publish("", good).code() == error_code::invalid_argument);

  test::write_bytes(src.file("not-a-store/file.txt"), {});
  ::mkdir(src.file("foreign").c_str(), 0755);
  test::write_bytes(src.file("foreign/file.txt"), {'x'});
  CHECK(Store::open(src.file("foreign")).code() == error_code::invalid_argument);
  CHECK(Store::open(src.file("missing"), false).code() == error_code::io_error);
}

TEST_CASE("concurrent publishers lose no version") {
  test::TempDir dir, src;
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  constexpr int n = 8;
  std::vector<std::string> files;
  for (int i = 0; i < n; ++i) files.push_back(sample(src, "m" + std::to_string(i), test::Sample::regressor, 10 + i));
  std::vector<std::thread> threads;
  std::vector<int> ok(n, 0);
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      auto s = Store::open(dir.file("s"));  // its own handle, as another process would
      ok[i] = s.ok() && s->publish("m", files[i]).ok();
    });
  for (auto& t : threads) t.join();
  for (int v : ok) CHECK(v == 1);
  auto versions = store->versions("m");
  REQUIRE(versions.ok());
  REQUIRE(versions->size() == n);
  for (int i = 0; i < n; ++i) CHECK((*versions)[i].version == static_cast<uint64_t>(i + 1));
}

TEST_CASE("a Watch follows the current version") {
  test::TempDir dir, src;
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  const auto a = sample(src, "a", test::Sample::boosted_binary, 1);
  const auto b = sample(src, "b", test::Sample::boosted_binary, 2);
  REQUIRE(store->publish("m", a).ok());
  auto watch = store->watch("m", 5);
  REQUIRE_MESSAGE(watch.ok(), watch.message());
  CHECK((*watch)->version() == 1);
  const auto before = predict((*watch)->current());
  Model held = (*watch)->current();

  REQUIRE(store->publish("m", b).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*watch)->version() != 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK((*watch)->version() == 2);
  const auto after = predict((*watch)->current());
  CHECK(after == predict(*store->load("m", 2)));
  CHECK(after != before);
  CHECK(predict(held) == before);  // the old snapshot still answers as before

  // Readers on other threads see the new version too.
  std::vector<double> seen;
  std::thread([&] { seen = predict((*watch)->current()); }).join();
  CHECK(seen == after);
  CHECK((*watch)->last_error().empty());
  REQUIRE(store->rollback("m", 1).ok());
  REQUIRE((*watch)->refresh().ok());
  CHECK((*watch)->version() == 1);
}

TEST_CASE("numbers are never given twice, and a Watch follows contents, not numbers") {
  test::TempDir dir, src;
  const auto a = sample(src, "a", test::Sample::boosted_binary, 1);
  const auto b = sample(src, "b", test::Sample::boosted_binary, 2);
  const auto c = sample(src, "c", test::Sample::boosted_binary, 3);
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  REQUIRE(store->publish("m", a).ok());
  REQUIRE(store->publish("m", b).ok());
  // Rolled back, version 2 collected: the next one is 3, not a second 2.
  REQUIRE(store->rollback("m", 1).ok());
  REQUIRE(store->gc(0).ok());
  auto p = store->publish("m", c);
  REQUIRE(p.ok());
  CHECK(p->version.version == 3);

  // A store made again at the same place numbers from 1 again: the Watch
  // compares the file (its hash), so it follows the new content.
  auto watch = store->watch("m", 1000);
  REQUIRE(watch.ok());
  const auto path = dir.file("s");
  test::remove_tree(path);
  auto again = Store::open(path);
  REQUIRE(again.ok());
  REQUIRE(again->publish("m", a).ok());
  REQUIRE(again->publish("m", b).ok());
  REQUIRE(again->rollback("m", 1).ok());
  REQUIRE(again->gc(0).ok());
  REQUIRE(again->publish("m", c).ok());  // version 3 again, as the watch's, another file
  REQUIRE(again->rollback("m", 1).ok());
  REQUIRE((*watch)->refresh().ok());
  CHECK((*watch)->version() == 1);
  CHECK(predict((*watch)->current()) == predict(*Model::open(a)));
}

TEST_CASE("gc leaves a save's young temporaries and removes nothing under a dangling CURRENT") {
  test::TempDir dir, src;
  const auto a = sample(src, "a", test::Sample::boosted_binary, 1);
  const auto b = sample(src, "b", test::Sample::boosted_binary, 2);
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  REQUIRE(store->publish("m", a).ok());
  REQUIRE(store->publish("m", b).ok());
  const auto young = dir.file("s/m/.tmp-save-young.mlmap"), old = dir.file("s/m/.tmp-save-old.mlmap");
  test::write_bytes(young, {1, 2, 3});
  test::write_bytes(old, {1, 2, 3});
  const timeval two_hours_ago[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
  REQUIRE(::utimes(old.c_str(), two_hours_ago) == 0);
  auto gc = store->gc(5);
  REQUIRE(gc.ok());
  CHECK(gc->removed_temporaries == 1);
  struct stat st {};
  CHECK(::stat(young.c_str(), &st) == 0);  // a save in progress may be writing it
  CHECK(::stat(old.c_str(), &st) != 0);

  // CURRENT naming a file that is gone: nothing is removed.
  test::write_bytes(dir.file("s/m/CURRENT"), std::vector<uint8_t>{'9', ' ', 'v', '0', '0', '0', '0', '0', '9', '-',
                                                                  '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
                                                                  '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
                                                                  '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
                                                                  '0', '0', '.', 'm', 'l', 'm', 'a', 'p', '\n'});
  auto refused = store->gc(0);
  CHECK(refused.code() == error_code::io_error);
  CHECK(refused.message().find("which does not exist") != std::string::npos);
  CHECK(store->versions("m")->size() == 2);
}

TEST_CASE("publishing a version of the store with move copies it: the version stays") {
  test::TempDir dir, src;
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  auto p = store->publish("prod", sample(src, "a", test::Sample::boosted_binary, 1));
  REQUIRE(p.ok());
  auto staged = store->publish("staging", p->version.path, /*move=*/true);
  REQUIRE_MESSAGE(staged.ok(), staged.message());
  struct stat st {};
  CHECK(::stat(p->version.path.c_str(), &st) == 0);
  CHECK(store->load("prod").ok());
  CHECK(store->load("staging").ok());
}

TEST_CASE("a Watch inherited by a child of fork() is dropped there without waiting on the parent's thread") {
  test::TempDir dir, src;
  auto store = Store::open(dir.file("s"));
  REQUIRE(store.ok());
  REQUIRE(store->publish("m", sample(src, "a", test::Sample::boosted_binary, 1)).ok());
  auto watch = store->watch("m", 5);
  REQUIRE(watch.ok());
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const bool answers = !predict((*watch)->current()).empty();
    watch->reset();  // the last reference: ~Watch in the child
    ::_exit(answers ? 0 : 3);
  }
  int status = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (::waitpid(child, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (::waitpid(child, &status, WNOHANG) == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    FAIL("the child hung dropping its Watch");
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
