"""train_tan as a user runs it: killed mid-run and rerun, and on two mirrored CPU devices with
mixed precision and XLA.

The crash is a Keras callback given to the stage (`tests.helpers.killed_after_epoch`, which runs
the command's own main); the library has no crash switch of its own.
"""

import os
import signal
import subprocess
import sys

import h5py
import numpy as np
import pytest

from tests.helpers.paths import REPO_ROOT as REPO
from tests.helpers.tiny import TINY_MODEL_FLAGS, tiny_flags

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it


def _command(records, workspace, *extra, killed_after: int | None = None):
    killed = [] if killed_after is None else ["tests.helpers.killed_after_epoch", str(killed_after)]
    return [sys.executable, "-m", *killed, "experiments.train_tan", f"--records_dir={records}",
            f"--workspace={workspace}",
            *tiny_flags(epochs=2, batch_size=2, learning_rate=0.05, seed=7), *TINY_MODEL_FLAGS,
            "--init=imagenet", "--verbose=2", *extra]


def _start(command):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _weights(path):
    arrays = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, item: arrays.__setitem__(name, item[()])
                     if isinstance(item, h5py.Dataset) else None)
    return arrays


def test_killed_after_epoch_1_and_rerun_equals_an_uninterrupted_run(ucf_records_root, tmp_path):
    records = ucf_records_root / "ucf101"
    straight = _start(_command(records, tmp_path / "straight"))
    killed = _start(_command(records, tmp_path / "resumed", killed_after=1))
    killed_out, _ = killed.communicate(timeout=300)
    straight_out, _ = straight.communicate(timeout=300)
    assert straight.returncode == 0, straight_out[-3000:]
    assert killed.returncode == -signal.SIGKILL, killed_out[-3000:]
    stage = tmp_path / "resumed" / "train_tan" / "ucf101_split1_tan_imagenet"
    assert (stage / "checkpoints" / "epoch-0001.state.npz").is_file()
    assert not (stage / "final.weights.h5").exists()

    resumed = _start(_command(records, tmp_path / "resumed"))
    resumed_out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, resumed_out[-3000:]
    assert "Resuming" in resumed_out and "after epoch 1/2" in resumed_out
    assert "Epoch 1/2" not in resumed_out and "Epoch 2/2" in resumed_out

    expected = _weights(tmp_path / "straight" / "train_tan" / stage.name / "final.weights.h5")
    got = _weights(stage / "final.weights.h5")
    assert sorted(got) == sorted(expected) and len(got) > 10
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    # Training changed the weights, so equality is not trivially about untouched initial values.
    first = _weights(stage / "checkpoints" / "epoch-0001.weights.h5")
    assert any(not np.array_equal(first[n], expected[n]) for n in expected)


def test_mirrored_strategy_on_two_logical_cpus_with_mixed_precision_and_xla(ucf_records_root,
                                                                           tmp_path):
    """One run for three switches (each a TensorFlow start-up saved): two mirrored replicas,
    the mixed_bfloat16 policy and XLA, to finite weights."""
    run = _start(_command(ucf_records_root / "ucf101", tmp_path, "--strategy=mirrored",
                          "--num_cpu_devices=2", "--mixed_precision", "--jit_compile",
                          "--epochs=1"))
    output, _ = run.communicate(timeout=300)
    assert run.returncode == 0, output[-3000:]
    assert "2 replica(s)" in output, output[-3000:]
    assert "dtype policy mixed_bfloat16" in output, output[-3000:]
    weights = _weights(tmp_path / "train_tan" / "ucf101_split1_tan_imagenet" / "final.weights.h5")
    assert len(weights) > 10
    for name, value in weights.items():
        assert np.all(np.isfinite(value.astype(np.float64))), name
