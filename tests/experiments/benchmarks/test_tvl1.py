"""experiments.benchmarks.tvl1 as a user runs it: pairs saved from real clips, then the JAX timing
in a process where OpenCV, TensorFlow and Keras cannot be imported (a GPU machine with JAX only)."""

import subprocess
import sys

import numpy as np
import pytest

from tests.helpers.commands import command_env, output_of, python_module
from tests.helpers.paths import REPO_ROOT

pytest.importorskip("jax")

WITHOUT_OPENCV_OR_TF = """
import runpy, sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("cv2", "tensorflow", "keras"):
            raise ImportError(f"{name} is not installed here")

sys.meta_path.insert(0, Refuse())
sys.argv = ["tvl1"] + sys.argv[1:]
runpy.run_module("experiments.benchmarks.tvl1", run_name="__main__")
"""


def test_save_pairs_then_time_jax_without_opencv_or_tensorflow(shared_data, tmp_path):
    pairs = tmp_path / "pairs.npy"
    saved = python_module("experiments.benchmarks.tvl1", f"--save_pairs={pairs}",
                          f"--video_dir={shared_data / 'videos' / 'ucf101'}", "--max_videos=2",
                          "--positions=1", "--frame_size=40x30")
    assert saved.returncode == 0, output_of(saved)
    assert "saved 2 pairs of 40x30 from 2 videos" in saved.stdout
    assert np.load(pairs).shape == (2, 2, 30, 40)

    run = subprocess.run([sys.executable, "-c", WITHOUT_OPENCV_OR_TF, f"--frames_npy={pairs}",
                          "--engines=jax", "--batch_sizes=2", "--schedules=masked"],
                         cwd=REPO_ROOT, env=command_env(), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, output_of(run)
    assert "jax masked, batch 2:" in run.stdout and "pairs/s" in run.stdout
    assert "compile" in run.stdout and "UCF101 at K=25" in run.stdout
