// Stage 2 of the LightGBM importer: one tree, checked and rewritten for
// mlmap's node encoding (FORMAT.md §5.1).
//
// LightGBM's predict (include/LightGBM/tree.h and c_api.cpp, 4.7), on the
// float64 value x of a row's feature:
//   * the row reader keeps x only if |x| > kZeroThreshold (1e-35f) or x is NaN;
//     smaller values are read as 0 (RowPairFunctionFromDenseMatrix);
//   * numeric node (decision_type bit 0 clear, or a tree with num_cat = 0):
//     missing type m = (decision_type >> 2) & 3; NaN becomes 0 unless m is NaN;
//     if (m is Zero and |x| <= kZeroThreshold) or (m is NaN and x is NaN) the
//     row goes by default_left (bit 1); otherwise left iff x <= threshold;
//   * categorical node (bit 0): NaN goes right; c = (int)x (toward zero); c < 0
//     goes right; left iff bit c of the node's bitset (cat_threshold words
//     cat_boundaries[k] .. cat_boundaries[k + 1], k = (int)threshold) is set,
//     right beyond it (and for x >= 2^31, which becomes INT_MIN on x86).
//
// mlmap's node: NaN by the missing bit; numeric left iff x <= t (float64);
// categorical left iff 0 <= x < 32 * words and bit floor(x) is set, else by the
// missing bit.  Each LightGBM node becomes a short chain of mlmap nodes on the
// same feature (a "pattern"), whose exits lead to the node's left and right
// subtrees:
//   * numeric, None or NaN missing type: one node.  The zero band moves the
//     threshold t (kZ = 1e-35f): t in [0, kZ) acts as kZ, t in [-kZ, 0) as the
//     largest double below -kZ.  NaN goes by default_left (NaN type) or as 0
//     does (None: left iff 0 <= t);
//   * numeric, Zero missing type: the band [-kZ, kZ] and NaN go by default_left.
//     Mostly one node with a moved threshold, but when the band goes one way
//     and both sides of it the other way, the left set is two intervals
//     (-inf, a] and (b, c]: three nodes, and the subtrees below are copied;
//   * categorical: one categorical node with the bitset, missing bit clear
//     (NaN, negative and large values go right).  LightGBM sends x in (-1, 0)
//     to category 0; when category 0 is in the set and the feature is not fed
//     by the pandas-category step (which gives integer codes or NaN), two
//     numeric nodes go first: x <= -1 (or NaN) -> right, x < 0 -> left; the
//     subtrees below are copied.
// Along each path the importer knows an interval (and whether NaN is
// possible) per feature; a node whose outcome it already decides is not
// emitted, so copies shrink to what can still happen.  The copies are capped:
// past 64 times the model's source nodes (plus 4096), over all its trees, the
// import is refused.

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "format/limits.hpp"
#include "importers/lightgbm_text.hpp"

namespace mlmap::importers::lightgbm {

namespace {

std::string num(uint64_t v) { return std::to_string(v); }
std::string snum(long long v) { return std::to_string(v); }

constexpr double inf = std::numeric_limits<double>::infinity();

double below(double x) { return std::nextafter(x, -inf); }
double above(double x) { return std::nextafter(x, inf); }

/// The arrays of one tree, parsed with the counts it declares.
class TreeReader {
 public:
  TreeReader(const RawTree& tree, size_t index) : tree_(tree), where_("tree " + num(index) + " (line " + num(tree.line) + ")") {}
  const std::string& where() const { return where_; }

  Status integer(const char* key, long long lo, long long hi, long long& out) const {
    const Field* f = tree_.fields.find(key);
    if (!f) return failed(where_ + ": no '" + std::string(key) + "'");
    if (!parse_integer(f->value, out)) return failed(at(*f) + " = " + quote(f->value) + " is not an integer");
    if (out < lo || out > hi)
      return failed(at(*f) + " = " + snum(out) + " is outside [" + snum(lo) + ", " + snum(hi) + "]");
    return {};
  }

  template <class T>
  Status integers(const char* key, size_t count, long long lo, long long hi, std::vector<T>& out) const {
    const Field* f = tree_.fields.find(key);
    if (!f) return failed(where_ + ": no '" + std::string(key) + "'");
    const auto tok = tokens(f->value);
    if (tok.size() != count) return counted(*f, tok.size(), count);
    out.resize(count);
    for (size_t i = 0; i < count; ++i) {
      long long v = 0;
      if (!parse_integer(tok[i], v)) return failed(at(*f) + "[" + num(i) + "] = " + quote(tok[i]) + " is not an integer");
      if (v < lo || v > hi)
        return failed(at(*f) + "[" + num(i) + "] = " + snum(v) + " is outside [" + snum(lo) + ", " + snum(hi) + "]");
      out[i] = static_cast<T>(v);
    }
    return {};
  }

  Status doubles(const char* key, size_t count, std::vector<double>& out) const {
    const Field* f = tree_.fields.find(key);
    if (!f) return failed(where_ + ": no '" + std::string(key) + "'");
    const auto tok = tokens(f->value);
    if (tok.size() != count) return counted(*f, tok.size(), count);
    out.resize(count);
    for (size_t i = 0; i < count; ++i)
      if (!parse_double(tok[i], out[i])) return failed(at(*f) + "[" + num(i) + "] = " + quote(tok[i]) + " is not a number");
    return {};
  }

  bool has(const char* key) const { return tree_.fields.find(key) != nullptr; }

  std::string at(const Field& f) const { return where_ + ", line " + num(f.line) + ", '" + std::string(f.key) + "'"; }

 private:
  Status counted(const Field& f, size_t got, size_t want) const {
    return failed(at(f) + " has " + num(got) + " values, expected " + num(want));
  }
  const RawTree& tree_;
  std::string where_;
};

// Exits of a pattern step: another step, or the node's left / right subtree.
constexpr int to_left = -1;
constexpr int to_right = -2;

struct Step {
  bool categorical = false;
  double threshold = 0;  // numeric: left iff x <= threshold
  bool nan_left = false;
  uint32_t set = 0;      // categorical: builder set index
  uint32_t set_words = 0;
  int left = to_left, right = to_right;
};

struct Pattern {
  uint32_t feature = 0;
  Step steps[3];
};

/// What a path has learnt about one feature: x in [lo, hi] (none if lo > hi)
/// or NaN if `nan`.  An over-approximation: only ever used to skip a node
/// whose outcome is certain.
struct Known {
  uint32_t feature;
  double lo, hi;
  bool nan;
  int32_t parent;
};

/// The source tree's nodes (LightGBM's arrays, checked).
struct SourceTree {
  size_t n_leaves = 0;
  std::vector<int32_t> feature, left, right;
  std::vector<uint8_t> decision;
  std::vector<double> threshold, leaf_value;
  std::vector<double> leaf_count;  // training rows a leaf; empty if the file has none (or odd ones)
  std::vector<uint32_t> set_of;    // categorical nodes: builder set index
  std::vector<uint32_t> words_of;  // and its words
  std::vector<uint8_t> cat_bit0;   // category 0 in the set
  bool has_categorical = false;    // num_cat > 0: bit 0 of decision_type counts
};

Pattern pattern_of(const SourceTree& s, size_t i, const std::vector<bool>* coded) {
  Pattern p;
  p.feature = static_cast<uint32_t>(s.feature[i]);
  const uint8_t dt = s.decision[i];
  if (s.has_categorical && (dt & 1)) {
    Step c;
    c.categorical = true;
    c.set = s.set_of[i];
    c.set_words = s.words_of[i];
    const bool fractional = !(coded && p.feature < coded->size() && (*coded)[p.feature]);
    if (s.cat_bit0[i] && fractional) {
      p.steps[0] = Step{false, -1.0, true, 0, 0, to_right, 1};
      p.steps[1] = Step{false, below(0.0), false, 0, 0, to_left, 2};
      p.steps[2] = c;
    } else {
      p.steps[0] = c;
    }
    return p;
  }
  const double t = s.threshold[i];
  const bool dl = (dt & 2) != 0;
  const int missing = (dt >> 2) & 3;
  const double kz = zero_threshold;
  auto moved = [kz](double t) { return t >= kz ? t : t >= 0 ? kz : t >= -kz ? below(-kz) : t; };
  auto single = [&p](double threshold, bool nan_left) { p.steps[0] = Step{false, threshold, nan_left, 0, 0, to_left, to_right}; };
  auto two_intervals = [&p](double a, double b, double c, bool nan_left) {
    p.steps[0] = Step{false, a, nan_left, 0, 0, to_left, 1};
    p.steps[1] = Step{false, b, true, 0, 0, to_right, 2};
    p.steps[2] = Step{false, c, false, 0, 0, to_left, to_right};
  };
  if (missing == 2) {  // NaN
    single(moved(t), dl);
  } else if (missing == 0) {  // None: NaN is read as 0
    single(moved(t), 0.0 <= t);
  } else if (dl) {  // Zero, the band left: (-inf, t] + [-kz, kz]
    if (t >= -kz)
      single(std::max(t, kz), true);
    else
      two_intervals(t, below(-kz), kz, true);
  } else {  // Zero, the band right: (-inf, t] - [-kz, kz]
    if (t < -kz)
      single(t, false);
    else if (t < kz)
      single(below(-kz), false);
    else
      two_intervals(below(-kz), kz, t, false);
  }
  return p;
}

/// Builds one rewritten tree.
class Emitter {
 public:
  Emitter(const SourceTree& s, const std::vector<bool>* coded, uint64_t cap) : s_(s), coded_(coded), cap_(cap) {}

  Status run(const std::string& where) {
    std::vector<Item> work{{s_.n_leaves > 1 ? 0 : ~0, 0, -1, out_.add_node()}};
    while (!work.empty()) {
      Item it = work.back();
      work.pop_back();
      for (;;) {
        if (it.src < 0) {
          out_.values[it.dst] = s_.leaf_value[static_cast<size_t>(~it.src)];
          if (!s_.leaf_count.empty()) out_.cover[it.dst] = s_.leaf_count[static_cast<size_t>(~it.src)];
          break;
        }
        const Pattern p = pattern_of(s_, static_cast<size_t>(it.src), coded_);
        const Step& st = p.steps[it.step];
        const Known k = known(it.ctx, p.feature);
        bool can_left, can_right;
        Known kl = k, kr = k;
        if (st.categorical) {
          const double end = 32.0 * st.set_words;
          if (!(k.lo <= k.hi) || k.hi < 0 || k.lo >= end) {  // only NaN, negative or large values: right
            can_left = false;
            can_right = true;
          } else if (k.lo >= 0 && std::floor(k.lo) == std::floor(k.hi)) {  // one category
            const auto c = static_cast<uint32_t>(k.lo);
            can_left = (sets_word(st.set, c / 32) >> (c % 32)) & 1u;
            can_right = !can_left || k.nan;
          } else {
            can_left = can_right = true;
          }
          kl.lo = std::max(k.lo, 0.0), kl.hi = std::min(k.hi, end), kl.nan = false;
        } else {
          const bool values = k.lo <= k.hi;
          can_left = (values && k.lo <= st.threshold) || (k.nan && st.nan_left);
          can_right = (values && k.hi > st.threshold) || (k.nan && !st.nan_left);
          kl.hi = std::min(k.hi, st.threshold), kl.nan = k.nan && st.nan_left;
          kr.lo = std::max(k.lo, above(st.threshold)), kr.nan = k.nan && !st.nan_left;
        }
        if (!can_left || !can_right) {  // decided on this path: no node
          it = follow(it.src, can_left ? st.left : st.right, it.ctx, it.dst);
          continue;
        }
        if (out_.left.size() + 2 > cap_)
          return unsupported(where + ": the model's zero-as-missing and category-0 splits would need more nodes "
                             "once rewritten for mlmap's node encoding than its budget (64 x its nodes + 4096)");
        const size_t k_dst = it.dst;
        out_.feature[k_dst] = p.feature;
        out_.missing_left[k_dst] = st.categorical ? 0 : st.nan_left;
        if (st.categorical) {
          out_.categorical[k_dst] = 1;
          out_.category_set[k_dst] = st.set;
        } else {
          out_.threshold[k_dst] = st.threshold;
        }
        const size_t l = out_.add_node(), r = out_.add_node();
        out_.left[k_dst] = static_cast<int64_t>(l);
        out_.right[k_dst] = static_cast<int64_t>(r);
        const Item right = follow(it.src, st.right, with(it.ctx, kr), r);
        const Item left = follow(it.src, st.left, with(it.ctx, kl), l);
        work.push_back({right.src, right.step, right.ctx, right.dst});
        work.push_back({left.src, left.step, left.ctx, left.dst});
        break;
      }
    }
    return {};
  }

  const TreeNodeList& nodes() const { return out_; }
  std::vector<std::vector<uint32_t>>* set_words = nullptr;  // builder set index -> words

 private:
  struct Item {
    int32_t src;  // >= 0: internal node; < 0: leaf ~src
    int step;     // the step of src's pattern to take
    int32_t ctx;  // what the path knows (Known list), -1: nothing
    size_t dst;   // the output node to fill
  };
  Item follow(int32_t src, int exit, int32_t ctx, size_t dst) const {
    if (exit >= 0) return {src, exit, ctx, dst};
    const auto i = static_cast<size_t>(src);
    return {exit == to_left ? s_.left[i] : s_.right[i], 0, ctx, dst};
  }

  uint32_t sets_word(uint32_t set, uint32_t w) const {
    const auto& words = (*set_words)[set];
    return w < words.size() ? words[w] : 0;
  }

  Known known(int32_t ctx, uint32_t feature) const {
    for (; ctx >= 0; ctx = ctx_[static_cast<size_t>(ctx)].parent)
      if (ctx_[static_cast<size_t>(ctx)].feature == feature) return ctx_[static_cast<size_t>(ctx)];
    return Known{feature, -inf, inf, true, -1};
  }
  int32_t with(int32_t ctx, Known k) {
    k.parent = ctx;
    ctx_.push_back(k);
    return static_cast<int32_t>(ctx_.size() - 1);
  }

  const SourceTree& s_;
  const std::vector<bool>* coded_;
  uint64_t cap_;
  TreeNodeList out_;
  std::vector<Known> ctx_;
};

}  // namespace

Status convert_tree(const RawTree& tree, size_t index, const TreeContext& cx, TreeEnsembleBuilder* builder,
                    const TreeOptions& options) {
  const TreeReader r(tree, index);
  const std::string& where = r.where();
  SourceTree s;
  long long num_leaves = 0, num_cat = 0;
  MLMAP_IMPORT_TRY(r.integer("num_leaves", 1, static_cast<long long>(limits::max_leaves), num_leaves));
  MLMAP_IMPORT_TRY(r.integer("num_cat", 0, num_leaves - 1, num_cat));
  if (r.has("is_linear")) {
    long long linear = 0;
    MLMAP_IMPORT_TRY(r.integer("is_linear", 0, 1, linear));
    if (linear)
      return unsupported(where + " is a linear tree (linear_tree=True: leaves add coefficient x feature terms), "
                                 "which mlmap's constant leaves cannot hold; train without linear_tree");
  }
  s.n_leaves = static_cast<size_t>(num_leaves);
  MLMAP_IMPORT_TRY(r.doubles("leaf_value", s.n_leaves, s.leaf_value));
  for (size_t i = 0; i < s.n_leaves; ++i)
    if (!std::isfinite(s.leaf_value[i])) return failed(where + ": leaf_value[" + num(i) + "] is not finite");
  // The covers only weigh the kernel choice: a file without them, or with
  // odd ones, still converts.
  if (!r.has("leaf_count") || !r.doubles("leaf_count", s.n_leaves, s.leaf_count) ||
      !std::all_of(s.leaf_count.begin(), s.leaf_count.end(), [](double c) { return c >= 0 && std::isfinite(c); }))
    s.leaf_count.clear();
  const size_t n = s.n_leaves - 1;  // internal nodes
  if (n > 0) {
    MLMAP_IMPORT_TRY(r.integers("split_feature", n, 0, static_cast<long long>(cx.n_features) - 1, s.feature));
    MLMAP_IMPORT_TRY(r.integers("left_child", n, -num_leaves, num_leaves - 2, s.left));
    MLMAP_IMPORT_TRY(r.integers("right_child", n, -num_leaves, num_leaves - 2, s.right));
    MLMAP_IMPORT_TRY(r.doubles("threshold", n, s.threshold));
    if (r.has("decision_type"))
      MLMAP_IMPORT_TRY(r.integers("decision_type", n, 0, 127, s.decision));
    else
      s.decision.assign(n, 0);  // LightGBM's default
  }
  s.has_categorical = num_cat > 0;

  // Categorical bitsets: cat_boundaries (num_cat + 1 offsets) into cat_threshold.
  std::vector<int64_t> bounds;
  std::vector<uint32_t> words;
  if (num_cat > 0) {
    MLMAP_IMPORT_TRY(r.integers("cat_boundaries", static_cast<size_t>(num_cat) + 1, 0, std::numeric_limits<int32_t>::max(),
                                bounds));
    for (size_t k = 0; k < static_cast<size_t>(num_cat); ++k)
      if (bounds[k] > bounds[k + 1])
        return failed(where + ": cat_boundaries decreases at [" + num(k + 1) + "] (" + snum(bounds[k]) + " > " +
                      snum(bounds[k + 1]) + ")");
    if (bounds[0] != 0) return failed(where + ": cat_boundaries[0] is " + snum(bounds[0]) + ", expected 0");
    MLMAP_IMPORT_TRY(r.integers("cat_threshold", static_cast<size_t>(bounds.back()), 0,
                                std::numeric_limits<uint32_t>::max(), words));
  }

  // Structure: every node reached once from the root, depth within limits.
  std::vector<uint8_t> seen_node(n, 0), seen_leaf(s.n_leaves, 0);
  std::vector<uint32_t> cat_index(n, 0);
  if (n > 0) {
    std::vector<std::pair<int32_t, uint32_t>> stack{{0, 0}};
    while (!stack.empty()) {
      const auto [c, depth] = stack.back();
      stack.pop_back();
      if (depth > limits::max_tree_depth)
        return unsupported(where + " is deeper than " + num(limits::max_tree_depth) + " (mlmap's limit)");
      if (c < 0) {
        const auto leaf = static_cast<size_t>(~c);
        if (seen_leaf[leaf]) return failed(where + ": leaf " + num(leaf) + " is reached twice");
        seen_leaf[leaf] = 1;
        continue;
      }
      const auto i = static_cast<size_t>(c);
      const std::string node = where + ", node " + num(i);
      if (seen_node[i]) return failed(node + " is reached twice (a cycle or a shared child)");
      seen_node[i] = 1;
      const uint8_t dt = s.decision[i];
      if (dt > 15) return unsupported(node + ": decision_type " + num(dt) + " sets bits LightGBM 4.7 does not define");
      if (num_cat > 0 && (dt & 1)) {
        const double t = s.threshold[i];
        if (!(t >= 0 && t < static_cast<double>(num_cat)) || t != std::floor(t))
          return failed(node + ": categorical split with threshold " + quote(std::to_string(t)) +
                        ", expected a category set in [0, " + snum(num_cat) + ")");
        cat_index[i] = static_cast<uint32_t>(t);
      } else {
        if (std::isnan(s.threshold[i])) return failed(node + ": threshold is NaN");
        if (((dt >> 2) & 3) == 3) return unsupported(node + ": decision_type " + num(dt) + " has missing type 3 (undefined)");
      }
      stack.push_back({s.right[i], depth + 1});
      stack.push_back({s.left[i], depth + 1});
    }
  }
  if (!builder) return {};

  // Category sets, deduplicated across the model.
  s.set_of.assign(n, 0);
  s.words_of.assign(n, 0);
  s.cat_bit0.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (!seen_node[i] || num_cat == 0 || !(s.decision[i] & 1)) continue;
    const size_t k = cat_index[i];
    std::vector<uint32_t> set(words.begin() + bounds[k], words.begin() + bounds[k + 1]);
    while (!set.empty() && set.back() == 0) set.pop_back();
    if (set.size() > limits::max_category_set_words) {
      const uint32_t top = 31 - static_cast<uint32_t>(__builtin_clz(set.back()));
      return unsupported(where + ", node " + num(i) + ": category " + num((set.size() - 1) * 32 + top) +
                         " is above mlmap's largest category " + num(uint64_t{limits::max_category_set_words} * 32 - 1));
    }
    if (set.empty()) set.push_back(0);
    s.cat_bit0[i] = set[0] & 1u;
    auto [pos, added] = cx.sets->try_emplace(set, 0);
    if (added) {
      pos->second = builder->add_category_set(set.data(), set.size());
      cx.set_words->push_back(set);
    }
    s.set_of[i] = pos->second;
    s.words_of[i] = static_cast<uint32_t>(set.size());
  }

  Emitter e(s, cx.coded, *cx.node_budget);
  e.set_words = cx.set_words;
  MLMAP_IMPORT_TRY(e.run(where));
  *cx.node_budget -= e.nodes().left.size();
  if (Status st = builder->add_tree(e.nodes().view(), options); !st) {
    // Beyond mlmap's limits once rewritten (depth, nodes): a model mlmap
    // cannot hold; anything else the checks above should have caught.
    if (st.code() == error_code::out_of_memory) return st;
    if (st.code() == error_code::limit_exceeded) return unsupported(where + ": " + st.message());
    return failed(where + ": " + st.message());
  }
  return {};
}

}  // namespace mlmap::importers::lightgbm
