"""The stages on two processes on localhost, as a user launches them (`--strategy=multi_worker`):
on JAX with --coordinator_address/--num_processes/--process_id, on TensorFlow with TF_CONFIG.

train_tan runs 2 epochs on 2 processes: they end with the same weights (the digest each prints)
and only the chief writes the stage's files. Killing and resuming a run is tested on one process
(tests/experiments/test_train_tan.py: the resumed run equals an uninterrupted one bit for bit),
not on several (left out for the suite's time). pretrain_cnn runs the same
stage skeleton (`tan_keras.training.stage_run`) and distribution code, so it is not launched
again here.
"""

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


def _launch_once_and_check(records, workspace, per_process):
    """Both processes train 2 epochs at once: same weights, only the chief writes."""
    results = run_together([
        (["experiments.train_tan", f"--records_dir={records}", f"--workspace={workspace}",
          *SETTINGS, *flags], env)
        for flags, env in map(per_process, range(2))])
    for code, output in results:
        assert code == 0, output[-3000:]
    (_, chief), (_, worker) = results
    assert "2 replica(s), process 0 of 2 (chief)" in chief
    digests = dict(m for output in (chief, worker) for m in DIGEST.findall(output))
    assert sorted(digests) == ["0", "1"] and digests["0"] == digests["1"], chief[-2000:]
    assert "Saved checkpoint" in chief and "epoch-0002" in chief
    assert "Saved checkpoint" not in worker
    stage = workspace / "train_tan" / RUN
    assert (stage / "final.weights.h5").is_file() and (stage / "done.json").is_file()
    assert json.loads((stage / "done.json").read_text())["epochs"] == 2


def test_two_jax_processes_train_in_sync(ucf_records_root, tmp_path):
    pytest.importorskip("jax")
    (port,) = _free_ports(1)

    def per_process(index):
        return ([f"--coordinator_address=localhost:{port}", "--num_processes=2",
                 f"--process_id={index}"], {"KERAS_BACKEND": "jax"})

    _launch_once_and_check(ucf_records_root / "ucf101", tmp_path, per_process)


def test_two_tensorflow_workers_train_in_sync(ucf_records_root, tmp_path):
    cluster = {"worker": [f"localhost:{port}" for port in _free_ports(2)]}

    def per_process(index):
        config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        return [], {"KERAS_BACKEND": "tensorflow", "TF_CONFIG": json.dumps(config)}

    _launch_once_and_check(ucf_records_root / "ucf101", tmp_path, per_process)
