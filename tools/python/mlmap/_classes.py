"""The ``classes=`` option of ``mlmap.save`` for neural networks (torch here;
Keras in the C++ importer, with the same rule): a network whose output is a
softmax over one unit per class, or a sigmoid over one unit (two classes),
becomes a classifier; any other output is refused."""

from ._model import CLASSES_DTYPE_KEY


def classifier_description(description, classes, link, n_out, what):
    from ._sklearn import class_labels  # numpy only; no sklearn import
    labels, dtype = class_labels(classes)
    softmax = link == "softmax"
    sigmoid = link == "logistic" and n_out == 1
    if not (softmax or sigmoid):
        ends = {"softmax": "softmax", "logistic": "sigmoid"}.get(link, "no softmax or sigmoid")
        raise ValueError(f"classes= was given, but {what} {ends} over {n_out} output(s), not class "
                         "probabilities (a softmax over 2 or more outputs, or a sigmoid over 1 output)")
    want = n_out if softmax else 2
    if len(labels) != want:
        raise ValueError(f"{len(labels)} classes given for {want} class probabilities")
    if len(set(labels)) != len(labels):
        raise ValueError("classes are not unique")
    description.update(task="classification", n_outputs=want, classes=labels, class_decision="argmax_outputs")
    if dtype:
        description["metadata"][CLASSES_DTYPE_KEY] = dtype
