// Seed inputs of the XGBoost importer's fuzz targets (fuzz_xgboost_json.cc,
// fuzz_xgboost_ubjson.cc): small XGBoost JSON models of the kinds the
// importer supports, as xgboost writes them.
#pragma once

#include <string>
#include <vector>

inline std::vector<std::string> xgboost_seed_models() {
  // Small models of the kinds the importer supports (trees with numeric and
  // categorical splits, missing directions, several objectives).
  auto model = [](const char* objective, const char* base, int num_class, const std::string& trees,
                  const std::string& tree_info) {
    return std::string(R"({"learner":{"attributes":{},"feature_names":["a","b","c"],"feature_types":["float","float","c"],)"
                       R"("gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"1","num_trees":")") +
           std::to_string(tree_info.empty() ? 0 : (tree_info.size() + 1) / 2) +
           R"("},"tree_info":[)" + tree_info + R"(],"trees":[)" + trees +
           R"(]},"name":"gbtree"},"learner_model_param":{"base_score":")" + base + R"(","num_class":")" +
           std::to_string(num_class) + R"(","num_feature":"3","num_target":"1"},"objective":{"name":")" + objective +
           R"("}},"version":[1,7,4]})";
  };
  auto numeric_tree = [](int id) {
    return std::string(R"({"base_weights":[0,0,0],"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],)"
      R"("default_left":[1,0,0],"id":)") + std::to_string(id) + R"(,"left_children":[1,-1,-1],"loss_changes":[1,0,0],"parents":[2147483647,0,0],)"
      R"("right_children":[2,-1,-1],"split_conditions":[0.5,-0.25,0.75],"split_indices":[0,0,0],)"
      R"("split_type":[0,0,0],"sum_hessian":[1,1,1],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"3","size_leaf_vector":"0"}})";
  };
  auto categorical_tree = [](int id) {
    return std::string(R"({"base_weights":[0,0,0],"categories":[1,3],"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[2],)"
      R"("default_left":[0,0,0],"id":)") + std::to_string(id) + R"(,"left_children":[1,-1,-1],"loss_changes":[1,0,0],"parents":[2147483647,0,0],)"
      R"("right_children":[2,-1,-1],"split_conditions":[0,-0.5,0.5],"split_indices":[2,0,0],)"
      R"("split_type":[1,0,0],"sum_hessian":[1,1,1],"tree_param":{"num_deleted":"0","num_feature":"3","num_nodes":"3","size_leaf_vector":"0"}})";
  };
  return {
      model("binary:logistic", "5E-1", 0, numeric_tree(0) + "," + categorical_tree(1), "0,0"),
      model("reg:squarederror", "1E0", 0, numeric_tree(0), "0"),
      model("multi:softprob", "5E-1", 3, numeric_tree(0) + "," + numeric_tree(1) + "," + categorical_tree(2), "0,1,2"),
      model("count:poisson", "2E0", 0, categorical_tree(0), "0"),
      model("rank:pairwise", "5E-1", 0, numeric_tree(0), "0"),
      "{}",
      "[]",
  };
}
