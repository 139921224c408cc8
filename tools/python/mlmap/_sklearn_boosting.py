"""Exporters for scikit-learn's gradient boosting estimators (to be written)."""


def exporters():
    """Exact estimator class -> exporter function (see _sklearn.exporters)."""
    return {}
