"""Runs the backend-agnostic tests a second time, on the JAX backend, in a fresh process.

Keras picks its backend once per process, so the second backend needs its own interpreter. The
tests marked `backend_agnostic` (layers, models, backbones) are the ones rerun.

The rerun compiles with XLA's CPU backend at optimisation level 0. Most of its time went into
compiling, not running: every weight shape of a model compiles its own initializer kernel on JAX
(GoogLeNet alone has 57), and every model its train step. Level 0 compiles about 3 times faster
(the rerun: 279 s -> 71 s on the 2-core CPU) and the tests' tolerances hold; it only changes how
XLA turns the same computation into machine code, so what the tests check stays the same.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.helpers.paths import REPO_ROOT as REPO

AGNOSTIC_FOLDERS = [REPO / "tests" / "tan_keras" / name for name in ("layers", "models",
                                                                     "backbones")]
FAST_COMPILE = "--xla_backend_optimization_level=0"

pytestmark = pytest.mark.slow


@pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                    reason="jax is not installed (pip install -e '.[test]' installs it)")
def test_backend_agnostic_tests_pass_on_jax():
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTEST_XDIST")}  # a run of its own, not one of our workers
    env.update(KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               XLA_FLAGS=f"{os.environ.get('XLA_FLAGS', '')} {FAST_COMPILE}".strip())
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
         "-m", "backend_agnostic", *map(str, AGNOSTIC_FOLDERS)],
        cwd=REPO, env=env, capture_output=True, text=True)
    tail = result.stdout[-6000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"backend-agnostic tests failed on JAX:\n{tail}"
    assert " passed" in result.stdout, f"no test ran on JAX:\n{tail}"
