#!/usr/bin/python3
"""One environment's half of the cross-version test (test_cross_version.py).

    cross_version_models.py save DIR    train a set of models with this
        environment's libraries, save each with mlmap into DIR, with the
        inputs, mlmap's predictions here and the library's own predictions
    cross_version_models.py check DIR   load every model of DIR (saved in
        another environment) here and predict the same inputs: the results
        must equal the saving environment's mlmap results bit for bit, and
        its library's within 1e-6 (absolute, or relative to |value|)

Only APIs that every environment of the matrix has (scikit-learn 1.2 to 1.9,
XGBoost 1.7 to 3.x, torch 1.13 to 2.13) are used.  Prints one line per model:
its worst difference from the saving library.
"""

import json
import os
import sys

import numpy as np

import mlmap

TOL = 1e-6


def data(seed=0, n=600, d=8):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[:, 2] = np.round(X[:, 2], 1)
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 - X[:, 3] > 0.3).astype(int) + (X[:, 4] > 1.0)
    r = X[:, 0] * 3 + np.sin(X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y, r


def sklearn_models():
    from sklearn import ensemble, linear_model, neural_network, tree
    X, y, r = data()
    Xtr, ytr, rtr = X[:400], y[:400], r[:400]
    labels = np.array(["low", "mid", "high"])[ytr]
    yield "decision_tree", tree.DecisionTreeClassifier(max_depth=6, random_state=0).fit(Xtr, labels), X
    yield "random_forest", ensemble.RandomForestClassifier(n_estimators=20, random_state=0).fit(Xtr, ytr), X
    yield "extra_trees_reg", ensemble.ExtraTreesRegressor(n_estimators=15, random_state=0).fit(Xtr, rtr), X
    yield "gradient_boosting", ensemble.GradientBoostingClassifier(n_estimators=30, random_state=0).fit(Xtr, ytr), X
    Xn = X.copy()
    Xn[::7, 1] = np.nan
    yield "hist_gradient_boosting", ensemble.HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(Xn[:400], rtr), Xn
    yield "logistic_regression", linear_model.LogisticRegression(max_iter=500).fit(Xtr, ytr), X
    yield "ridge", linear_model.Ridge(alpha=0.5).fit(Xtr, rtr), X
    yield "mlp", neural_network.MLPRegressor(hidden_layer_sizes=(16, 8), max_iter=300, random_state=0).fit(Xtr, rtr), X


def pipeline_model():
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    X, y, _ = data(seed=1)
    city = np.array(["paris", "oslo", "rome", "lima"])[(np.abs(X[:, 5]) * 2).astype(int) % 4]
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "city": city.astype(object)})
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"])])
    pipe = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=500))]).fit(frame[:400], y[:400])
    return pipe, frame


def xgboost_model():
    import xgboost
    X, y, _ = data(seed=2)
    clf = xgboost.XGBClassifier(n_estimators=20, max_depth=4, learning_rate=0.3, random_state=0, n_jobs=1)
    return clf.fit(X[:400], y[:400]), X


def torch_model():
    import torch
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3), torch.nn.Softmax(dim=-1))
    X, _, _ = data(seed=3)
    return net, X


def library_outputs(est, X):
    """The saving library's own predictions: {kind: array}."""
    if hasattr(est, "predict_proba"):
        return {"predict": np.asarray(est.predict(X)), "values": np.asarray(est.predict_proba(X), dtype=np.float64)}
    if hasattr(est, "predict"):
        return {"values": np.asarray(est.predict(X), dtype=np.float64)}
    import copy
    import torch
    with torch.no_grad():
        return {"values": copy.deepcopy(est).double()(torch.from_numpy(np.asarray(X, dtype=np.float64))).numpy()}


def mlmap_outputs(m, X):
    if m.task == "classification":
        out = {"predict": np.asarray(m.predict(X))}
        if m.info()["link"] != "hard":
            out["values"] = m.predict_proba(X)
        return out
    return {"values": m.predict(X)}


def models():
    yield from sklearn_models()
    pipe, frame = pipeline_model()
    yield "pipeline_strings", pipe, frame
    yield ("xgboost",) + xgboost_model()
    yield ("torch",) + torch_model()


def as_columns(X):
    """A DataFrame as plain column arrays (no pickle): str columns as 'U'."""
    if hasattr(X, "columns"):
        return {str(c): (X[c].to_numpy(dtype=np.float64) if X[c].dtype.kind == "f" else X[c].to_numpy().astype(str))
                for c in X.columns}
    return {"X": np.asarray(X, dtype=np.float64)}


def from_columns(cols):
    if list(cols) == ["X"]:
        return cols["X"]
    return {k: (v if v.dtype.kind == "f" else [str(s) for s in v]) for k, v in cols.items()}


def versions():
    import importlib
    out = {}
    for name in ("sklearn", "numpy", "pandas", "xgboost", "torch"):
        try:
            out[name] = importlib.import_module(name).__version__
        except ImportError:
            pass
    return out


def save(d):
    os.makedirs(d, exist_ok=True)
    names = []
    for name, est, X in models():
        path = os.path.join(d, name + ".mlmap")
        mlmap.save(est, path)
        m = mlmap.load(path)
        X_in = from_columns(as_columns(X))
        arrays = {"in_" + k: v for k, v in as_columns(X).items()}
        arrays.update({"mlmap_" + k: v for k, v in mlmap_outputs(m, X_in).items()})
        arrays.update({"lib_" + k: v for k, v in library_outputs(est, X).items()})
        for k, v in list(arrays.items()):
            if v.dtype.kind == "O":
                arrays[k] = v.astype(str)
        np.savez(os.path.join(d, name + ".npz"), **arrays)
        names.append(name)
    with open(os.path.join(d, "saved.json"), "w") as f:
        json.dump({"models": names, "versions": versions()}, f)
    print(f"saved {len(names)} models with {versions()}")


def worst(got, expected):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return float("inf")
    return float(np.max(np.abs(got - expected) / np.maximum(1.0, np.abs(expected))))


def check(d):
    with open(os.path.join(d, "saved.json")) as f:
        saved = json.load(f)
    failures = []
    for name in saved["models"]:
        z = np.load(os.path.join(d, name + ".npz"))
        X = from_columns({k[3:]: z[k] for k in z.files if k.startswith("in_")})
        m = mlmap.load(os.path.join(d, name + ".mlmap"), verify=True)
        got = mlmap_outputs(m, X)
        line = []
        for kind, v in got.items():
            mine = z["mlmap_" + kind]
            if kind == "predict":
                same = np.array_equal(np.asarray(v).astype(str), mine.astype(str))
                lib_same = np.array_equal(np.asarray(v).astype(str), z["lib_predict"].astype(str))
                if not same or not lib_same:
                    failures.append(f"{name}: labels differ (from the saving mlmap: {not same}, "
                                    f"from the saving library: {not lib_same})")
                continue
            if not np.array_equal(v, mine) or v.dtype != mine.dtype:
                failures.append(f"{name} {kind}: not bit-identical to the saving environment's mlmap "
                                f"(worst {worst(v, mine):.3g})")
            diff = worst(v, z["lib_" + kind])
            line.append(f"{kind} {diff:.3g}")
            if not diff <= TOL:
                failures.append(f"{name} {kind}: {diff:.3g} from the saving library")
        print(f"  {name:24s} bit-identical to the saver's mlmap; vs the saver's library: {', '.join(line)}")
    print(f"checked {len(saved['models'])} models saved with {saved['versions']} here with {versions()}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("save", "check"):
        sys.exit(__doc__)
    (save if sys.argv[1] == "save" else check)(sys.argv[2])
