"""The stages on two processes on localhost, as a user launches them (`--strategy=multi_worker`):
on JAX with --coordinator_address/--num_processes/--process_id, on TensorFlow with TF_CONFIG.

On JAX, train_tan runs 2 epochs in sync. On TensorFlow the test kills the run after epoch 1 of 2
(`tests.helpers.killed_after_epoch`, a Keras callback passed to the stage), relaunches it, and
checks that it resumed. Both check that the two processes ended with the same weights (the
digest each prints) and that only the chief wrote the stage's files. pretrain_cnn runs the same
stage skeleton (`tan_keras.training.stage_run`) and distribution code, so it is not launched
again here.
"""

import csv
import json
import re
import socket

import pytest

from tests.helpers.commands import run_together
from tests.helpers.tiny import TINY_MODEL_FLAGS, tiny_flags

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it

RUN = "ucf101_split1_tan_imagenet"
SETTINGS = [*TINY_MODEL_FLAGS, *tiny_flags(epochs=2, batch_size=2), "--verbose=2",
            "--strategy=multi_worker"]
DIGEST = re.compile(r"process (\d) of 2: weights sha256 ([0-9a-f]{64})")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _launch_twice(records, workspace, per_process):
    """Runs the two processes killed after epoch 1, then again; returns both launches' results.

    per_process: process index -> (extra flags, extra environment) of that process.
    """
    def launch(*killed):
        return run_together([
            ([*killed, "experiments.train_tan", f"--records_dir={records}",
              f"--workspace={workspace}", *SETTINGS, *flags], env)
            for flags, env in map(per_process, range(2))])

    return launch("tests.helpers.killed_after_epoch", "1"), launch()


def _check_resumed_in_sync(killed, resumed, stage):
    for code, output in killed:
        assert code != 0, output[-3000:]
    for code, output in resumed:
        assert code == 0, output[-3000:]
        assert "Resuming" in output and "after epoch 1/2" in output, output[-3000:]
    (chief_killed, worker_killed), (chief, worker) = [[o for _, o in r] for r in (killed, resumed)]
    # Only the chief writes: its lines name the checkpoints; the other process's name none.
    assert "Saved checkpoint" in chief_killed and "epoch-0001" in chief_killed
    assert "Saved checkpoint" in chief and "epoch-0002" in chief
    assert "Saved checkpoint" not in worker_killed + worker
    digests = dict(m for output in (chief, worker) for m in DIGEST.findall(output))
    assert sorted(digests) == ["0", "1"], chief[-2000:] + worker[-2000:]
    assert digests["0"] == digests["1"]

    assert (stage / "final.weights.h5").is_file() and (stage / "done.json").is_file()
    assert json.loads((stage / "done.json").read_text())["epochs"] == 2
    names = sorted(p.name for p in (stage / "checkpoints").iterdir())
    assert names == ["epoch-0001.state.npz", "epoch-0001.weights.h5", "epoch-0002.state.npz",
                     "epoch-0002.weights.h5"]
    with open(stage / "logs" / "train.csv") as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["0", "1"]


def test_two_jax_processes_train_in_sync(ucf_records_root, tmp_path):
    """One launch (the kill and resume of a multi-process run is the TensorFlow test's)."""
    pytest.importorskip("jax")
    (port,) = _free_ports(1)
    results = run_together([
        (["experiments.train_tan", f"--records_dir={ucf_records_root / 'ucf101'}",
          f"--workspace={tmp_path}", *SETTINGS, f"--coordinator_address=localhost:{port}",
          "--num_processes=2", f"--process_id={index}"], {"KERAS_BACKEND": "jax"})
        for index in range(2)])
    for code, output in results:
        assert code == 0, output[-3000:]
    (_, chief), (_, worker) = results
    assert "2 replica(s), process 0 of 2 (chief)" in chief
    digests = dict(m for output in (chief, worker) for m in DIGEST.findall(output))
    assert sorted(digests) == ["0", "1"] and digests["0"] == digests["1"], chief[-2000:]
    assert "Saved checkpoint" in chief and "epoch-0002" in chief
    assert "Saved checkpoint" not in worker
    stage = tmp_path / "train_tan" / RUN
    assert (stage / "final.weights.h5").is_file() and (stage / "done.json").is_file()


def test_two_tensorflow_workers_train_in_sync_and_resume(ucf_records_root, tmp_path):
    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}

    def per_process(index):
        config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        return [], {"KERAS_BACKEND": "tensorflow", "TF_CONFIG": json.dumps(config)}

    killed, resumed = _launch_twice(ucf_records_root / "ucf101", tmp_path, per_process)
    assert "2 replica(s), process 0 of 2 (chief)" in resumed[0][1]
    _check_resumed_in_sync(killed, resumed, tmp_path / "train_tan" / RUN)

