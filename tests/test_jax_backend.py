"""Runs the backend-agnostic tests a second time, on the JAX backend, in a fresh process.

Keras picks its backend once per process, so the second backend needs its own interpreter. The
tests marked `backend_agnostic` (layers, models, backbones) are the ones rerun.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.helpers.paths import REPO_ROOT as REPO
AGNOSTIC_FOLDERS = [REPO / "tests" / "tan_keras" / name for name in ("layers", "models",
                                                                     "backbones")]


@pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                    reason="jax is not installed (pip install -e '.[test]' installs it)")
def test_backend_agnostic_tests_pass_on_jax():
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "backend_agnostic",
         *map(str, AGNOSTIC_FOLDERS)], cwd=REPO, env=env, capture_output=True, text=True)
    tail = result.stdout[-6000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"backend-agnostic tests failed on JAX:\n{tail}"
    assert " passed" in result.stdout, f"no test ran on JAX:\n{tail}"
