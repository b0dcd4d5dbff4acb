"""Importing the library changes nothing around it: matplotlib's backend stays what the user chose
(the figures draw on `matplotlib.figure.Figure` objects, not through pyplot), absl gets no new
flag, and no module of `tan_keras` imports absl (the command line lives in `experiments/`)."""

import ast
import json

from tests.helpers.imports import in_fresh_process
from tests.helpers.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "tan_keras"
# A backend that is not Agg and needs no display, as a notebook's or a user's choice would be.
USER_BACKEND = "svg"

# In one fresh process (importing TensorFlow is the slow part): TensorFlow and Keras first, which
# load absl (and pyplot) themselves; then every module of the library, and a figure of each of
# its three figure modules drawn.
_IMPORT_EVERYTHING = """
import importlib, json, pkgutil, tempfile
import matplotlib
import keras, tensorflow
from absl import flags

backend = matplotlib.get_backend()
flags_before = set(flags.FLAGS)
import tan_keras
modules = sorted(m.name for m in pkgutil.walk_packages(tan_keras.__path__, "tan_keras."))
for name in modules:
    importlib.import_module(name)
after_import = matplotlib.get_backend()

import numpy as np
from tan_keras.evaluation import plots
from tan_keras.inference import plot_prediction
from tan_keras.reproduction import figures

clip = {"rgb": np.zeros((2, 8, 8, 3), np.uint8), "flow": np.zeros((2, 8, 8, 2), np.uint8),
        "frame_indices": [0, 4]}
outputs = {**{s: np.array([0.4, 0.6]) for s in ("spatial", "temporal", "fused")},
           "alpha": np.full((2, 2), 0.5), "beta": np.full((2, 2), 0.5)}
with tempfile.TemporaryDirectory() as folder:
    plots.plot_per_class_accuracy({"fused": [0.5, None]}, ["a", "b"], f"{folder}/per_class.png")
    rows = figures.class_changes(["a", "b"], [0.5, 1.0], [1.0, 0.5])
    figures.plot_fig4(rows, f"{folder}/fig4.png")
    plot_prediction(clip, outputs, ["a", "b"], f"{folder}/prediction.png")
print(json.dumps({"backend": backend, "after_import": after_import,
                  "after_drawing": matplotlib.get_backend(),
                  "new_flags": sorted(set(flags.FLAGS) - flags_before),
                  "modules": len(modules)}))
"""


def test_importing_and_drawing_leave_the_backend_and_absl_flags_alone():
    output = in_fresh_process(_IMPORT_EVERYTHING, MPLBACKEND=USER_BACKEND,
                              KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    seen = json.loads(output.strip().splitlines()[-1])
    assert seen["modules"] > 50, seen  # the walk found the library's modules
    assert seen["backend"] == USER_BACKEND, seen
    assert seen["after_import"] == USER_BACKEND, f"importing tan_keras changed the backend: {seen}"
    assert seen["after_drawing"] == USER_BACKEND, f"drawing a figure changed the backend: {seen}"
    assert seen["new_flags"] == [], f"importing tan_keras defined absl flags: {seen['new_flags']}"


def _imports_absl(tree: ast.AST) -> list[int]:
    """The line numbers of `import absl...` and `from absl... import ...` in `tree`."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Import) and any(
                alias.name.split(".")[0] == "absl" for alias in node.names)
            or isinstance(node, ast.ImportFrom) and node.level == 0
            and (node.module or "").split(".")[0] == "absl"]


def test_no_module_of_the_library_imports_absl():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = _imports_absl(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if lines:
            found[str(path.relative_to(REPO_ROOT))] = lines
    assert len(list(PACKAGE.rglob("*.py"))) > 50
    assert found == {}, f"absl imported in the library (its place is experiments/cli.py): {found}"
