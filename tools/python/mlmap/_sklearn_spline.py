"""Export of scikit-learn's SplineTransformer into the preprocessing program as
one ``spline`` step (FORMAT.md §7): parameter columns [knots (n_inputs x
n_t), boundary (n_inputs x 4 x n_splines)], fields degree, extrapolation,
include_bias, missing_zeros, and per input a / b / category_counts: the range
and the number of basis functions Constant / Linear extend at each end.

The knots are each input's ``bsplines_[j].t``; the boundary rows are
``spl(xmin)``, ``spl(xmax)``, ``spl(xmin, nu=1)``, ``spl(xmax, nu=1)`` as
scipy computes them, at the (xmin, xmax) sklearn's transform uses.  For
degree <= 1 its linear extrapolation raises the loop's ``degree`` variable
while it runs over the features (scikit-learn 1.2 to 1.9 alike), so the
later features' xmin = t[degree], xmax = t[-degree - 1] and extended count
differ from the first's: the writer replays that loop and stores what each
feature gets, so mlmap answers as sklearn does.

sparse_output=True gives the same values (scipy's design_matrix runs the same
de Boor recursion; mlmap's outputs are dense).  Refused by name: degree 0
with extrapolation='constant' (sklearn raises for any row above the knots,
or with sparse_output sets the whole basis there); degree <= 1 with
extrapolation='linear' where sklearn's loop writes into a neighbouring
feature's columns (more extended functions than basis functions).
"""

import numpy as np

from ._sklearn_pipeline import refuse

_MODES = ("error", "constant", "linear", "continue", "periodic")


def _spline(prog, est, cols, where):
    mode = est.extrapolation
    if mode not in _MODES:
        refuse(est, where, f"extrapolation={mode!r}")
    order = getattr(est, "order", "C")
    if order not in ("C", "F"):
        refuse(est, where, f"order={order!r}")
    handle_missing = getattr(est, "handle_missing", "error")
    if handle_missing not in ("error", "zeros"):
        refuse(est, where, f"handle_missing={handle_missing!r}")
    splines = list(est.bsplines_)
    if len(splines) != len(cols):
        refuse(est, where, f"{len(splines)} fitted splines for {len(cols)} columns")
    k = int(est.degree)
    n_splines = int(splines[0].c.shape[1])
    n_t = int(splines[0].t.shape[0])
    if mode == "constant" and k == 0:
        refuse(est, where, "degree=0 with extrapolation='constant' (scikit-learn raises for any row above the "
                           "last knot, or with sparse_output sets the whole basis there)")
    knots = np.empty((len(cols), n_t))
    boundary = np.empty((len(cols), 4, n_splines))
    lo, hi, ends = [], [], []
    degree = k  # sklearn's loop variable, which its linear branch raises for degree <= 1
    for j, spl in enumerate(splines):
        t = np.asarray(spl.t, dtype=np.float64)
        if t.shape != (n_t,) or int(spl.k) != k or spl.c.shape[1] != n_splines:
            refuse(est, where, f"feature {j}'s spline differs in shape from the first's")
        if not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0):
            refuse(est, where, f"feature {j}'s knots are not finite and sorted")
        if mode == "periodic" and not t[k] < t[n_t - k - 1]:
            # a constant training column: scipy < 1.x and sklearn 1.9 answer differently (NaN / zeros)
            refuse(est, where, f"feature {j} was constant in training: its periodic spline has period 0")
        knots[j] = t
        xmin, xmax = t[degree], t[-degree - 1]
        boundary[j] = [spl(xmin), spl(xmax), spl(xmin, nu=1), spl(xmax, nu=1)]
        if mode == "linear" and degree <= 1:
            degree += 1
        d = degree if mode in ("constant", "linear") else k
        if d > n_splines:
            refuse(est, where, f"degree={k} with extrapolation={mode!r} and {n_splines} basis functions: "
                               "scikit-learn's extrapolation writes into the next feature's columns")
        lo.append(float(xmin))
        hi.append(float(xmax))
        ends.append(int(d))
    if not np.all(np.isfinite(boundary)):
        refuse(est, where, "the splines' values at the knots' ends are not finite")
    include_bias = bool(est.include_bias)
    width = n_splines - (0 if include_bias else 1)
    if width < 1:
        refuse(est, where, "include_bias=False leaves no basis function")
    if handle_missing == "zeros" and mode != "error":
        # scikit-learn 1.9 then skips its finiteness check: +-inf reaches scipy and gives its
        # answer, so these columns do not refuse infinity ('error' raises for it: refused)
        for col in cols:
            prog.fix(col, "num", where)
        inputs = [col.slot for col in cols]
    else:
        inputs = prog.numeric(cols, where)
    return prog.emit("spline", inputs, len(inputs) * width, degree=k, extrapolation=mode,
                     include_bias=include_bias, missing_zeros=handle_missing == "zeros",
                     a=lo, b=hi, category_counts=ends, columns=[
                         {"role": "knots", "values": np.ascontiguousarray(knots)},
                         {"role": "boundary", "values": np.ascontiguousarray(boundary)},
                     ])


def transformers():
    from sklearn import preprocessing as pp
    return {pp.SplineTransformer: _spline}
