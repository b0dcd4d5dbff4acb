"""The stages on KERAS_BACKEND=jax, as a user types them: train_tan data parallel over 2 CPU
devices (`--strategy=mirrored`, keras.distribution.DataParallel), evaluate on JAX, and the same
run evaluated on TensorFlow from the JAX-written checkpoint, with the same scores."""

import shutil

import numpy as np
import pytest

from tests.helpers.commands import TINY_MODEL, TINY_TRAINING, output_of, python_module

pytest.importorskip("jax")

RUN = "ucf101_split1_tan_imagenet"


@pytest.mark.slow
def test_train_on_jax_data_parallel_then_evaluate_on_both_backends(ucf_records_root, tmp_path):
    records = ucf_records_root / "ucf101"
    common = [f"--records_dir={records}", f"--workspace={tmp_path / 'jax'}"]
    training = [flag for flag in TINY_TRAINING if not flag.startswith("--batch_size")]
    trained = python_module("experiments.train_tan", *common, *TINY_MODEL, *training,
                            "--batch_size=2", "--strategy=mirrored", "--num_cpu_devices=2",
                            "--verbose=2", KERAS_BACKEND="jax")
    assert trained.returncode == 0, output_of(trained)
    assert "2 replica(s)" in trained.stdout and "1/1 - " in trained.stdout  # 3 videos: 1 batch

    on_jax = python_module("experiments.evaluate", *common, KERAS_BACKEND="jax")
    assert on_jax.returncode == 0, output_of(on_jax)
    shutil.copytree(tmp_path / "jax" / "train_tan", tmp_path / "tf" / "train_tan")
    on_tf = python_module("experiments.evaluate", f"--records_dir={records}",
                          f"--workspace={tmp_path / 'tf'}", KERAS_BACKEND="tensorflow")
    assert on_tf.returncode == 0, output_of(on_tf)
    jax_scores = np.load(tmp_path / "jax" / "evaluate" / RUN / "scores.npz")
    tf_scores = np.load(tmp_path / "tf" / "evaluate" / RUN / "scores.npz")
    assert len(jax_scores["video_ids"]) == 3
    for stream in ("spatial", "temporal", "fused"):
        np.testing.assert_allclose(tf_scores[stream], jax_scores[stream], atol=1e-5,
                                   err_msg=stream)


def test_multi_worker_on_jax_without_a_cluster_is_one_line(ucf_records_root, tmp_path):
    result = python_module("experiments.train_tan", f"--records_dir={ucf_records_root / 'ucf101'}",
                           f"--workspace={tmp_path}", *TINY_MODEL, *TINY_TRAINING,
                           "--strategy=multi_worker", KERAS_BACKEND="jax")
    assert result.returncode == 2, output_of(result)
    last = result.stderr.strip().splitlines()[-1]
    # The library's `join_cluster` message, its arguments shown as the command's flags.
    assert last.startswith("error: Expected --coordinator_address=HOST:PORT, --num_processes=N "
                           "and --process_id=K, or a cluster that JAX finds by itself"), last
    assert not (tmp_path / "train_tan").exists()
