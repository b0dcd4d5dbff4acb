"""The record build with --flow_engine=jax, as a user types it: the manifest records the engine,
the records read like the OpenCV engine's, a killed build resumes to the same bytes (also with one
flow call at a time instead of one a worker), a Beam build on a Dask cluster writes the same bytes,
the local engine runs one flow call a worker at once on a CPU host, and a machine without JAX is
refused in one line."""

import threading

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from data_prep.flow import tvl1 as flow_lib
from data_prep.build import jax_engine
from data_prep.build import plan as plan_lib
from data_prep.build.local import build_records, run_local
from data_prep.build.extract import PrepSettings
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError
from tests.helpers.commands import (command_env, kill_when_a_video_is_built, output_of,
                                    problem_lines, python_module)
from tests.helpers.paths import REPO_ROOT
from tests.helpers.real_records import write_ucf101_splits

pytest.importorskip("jax")

TINY = ["--positions=3", "--frame_size=80x60", "--progress=false"]
JAX_FLAGS = ["--flow_engine=jax", "--flow_batch_size=2"]  # 18 pairs: three flow calls of 8


@pytest.fixture(scope="module")
def jax_env(tmp_path_factory) -> dict:
    """JAX's persistent compilation cache, shared by this file's runs (each compiles once)."""
    return {"JAX_COMPILATION_CACHE_DIR": str(tmp_path_factory.mktemp("jax_cache")),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}


@pytest.fixture(scope="module")
def jax_build(shared_data, tmp_path_factory, jax_env):
    """An uninterrupted build of the six real clips with the JAX engine: (flags, output_dir)."""
    root = tmp_path_factory.mktemp("jax_build")
    splits = write_ucf101_splits(root / "splits")
    args = ["--dataset=ucf101", f"--video_dir={shared_data / 'videos' / 'ucf101'}",
            f"--splits_dir={splits}", *TINY, *JAX_FLAGS, "--num_workers=2"]
    out = root / "records"
    run = python_module("data_prep.build_records", *args, f"--output_dir={out}", **jax_env)
    assert run.returncode == 0, output_of(run)
    assert "Built 6 video records (18 positions)" in run.stdout
    return args, out


def _sequence_examples(records_dir: Path) -> dict:
    from data_prep.records.writing import read_manifest
    import tensorflow as tf

    out = {}
    for shard in read_manifest(str(records_dir))["shards"]:
        for raw in tf.data.TFRecordDataset(str(records_dir / shard)):
            example = tf.train.SequenceExample.FromString(raw.numpy())
            video = example.context.feature[rf.VIDEO_FILENAME].bytes_list.value[0].decode()
            out[video] = example.feature_lists.feature_list
    return out


def test_jax_build_records_the_engine_and_reads_like_the_opencv_build(jax_build, ucf_records_root):
    import cv2
    from tan_keras import data

    _, out = jax_build
    jax_manifest = json.loads((out / rf.MANIFEST_FILENAME).read_text())
    opencv_dir = ucf_records_root / "ucf101"  # the same clips, splits and settings, OpenCV flow
    opencv_manifest = json.loads((opencv_dir / rf.MANIFEST_FILENAME).read_text())
    assert jax_manifest["params"]["flow_engine"] == "jax"
    assert jax_manifest["params"]["flow_batch_size"] == 2
    assert opencv_manifest["params"]["flow_engine"] == "opencv"
    assert "flow_batch_size" not in opencv_manifest["params"]
    for key in ("videos", "splits", "classes", "shards"):
        assert jax_manifest[key] == opencv_manifest[key], key
    counts = lambda manifest: {k: v for k, v in manifest["counts"].items()
                               if k != "record_bytes"}  # other flow values, other JPEG sizes
    assert counts(jax_manifest) == counts(opencv_manifest)

    jax_records, opencv_records = _sequence_examples(out), _sequence_examples(opencv_dir)
    assert sorted(jax_records) == sorted(opencv_records)
    within, levels = [], []
    for video, lists in jax_records.items():
        reference = opencv_records[video]
        assert lists[rf.IMAGE_ENCODED] == reference[rf.IMAGE_ENCODED]  # the same RGB JPEGs
        for key in (rf.FLOW_X_ENCODED, rf.FLOW_Y_ENCODED):
            for ours, theirs in zip(lists[key].feature, reference[key].feature):
                decode = lambda f: cv2.imdecode(np.frombuffer(f.bytes_list.value[0], np.uint8),
                                                cv2.IMREAD_GRAYSCALE).astype(int)
                diff = np.abs(decode(ours) - decode(theirs))
                within.append((diff <= 1).mean())
                levels.append(diff.mean())
    # After JPEG (quality 95), which spreads a one-level change over its 8x8 block.
    assert np.mean(within) >= 0.98 and np.mean(levels) < 0.25, (np.mean(within), np.mean(levels))

    # Both read with the training and the test pipelines, the same clips in the same order.
    def first_batch(records_dir):
        dataset = data.train_dataset(str(records_dir), split=1, batch_size=3, num_snippets=2,
                                     image_size=32, seed=7, deterministic=True)
        streams, labels = next(iter(dataset))
        return streams["rgb"].numpy(), streams["flow"].numpy(), labels.numpy()

    rgb, flow, labels = first_batch(out)
    reference_rgb, reference_flow, reference_labels = first_batch(opencv_dir)
    assert rgb.shape == (3, 2, 32, 32, 3) and flow.shape == (3, 2, 32, 32, 3)
    np.testing.assert_array_equal(labels, reference_labels)
    np.testing.assert_array_equal(rgb, reference_rgb)
    assert np.abs(flow - reference_flow).mean() < 0.01  # normalised units
    test_videos = [v.numpy().decode() for _, _, v in data.eval_dataset(
        str(out), split=1, num_snippets=2, image_size=32)]
    assert sorted(test_videos) == jax_manifest["splits"]["1"]["test"]


def test_killed_jax_build_resumes_to_identical_output(jax_build, tmp_path, jax_env):
    """Killed while 2 flow calls run at once (2 workers), resumed with 1 worker: one call at a
    time, in the command's own process. The bytes are the uninterrupted 2-worker build's."""
    args, reference = jax_build
    out = tmp_path / "records"
    command = [sys.executable, "-m", "data_prep.build_records", *args, f"--output_dir={out}"]
    proc = subprocess.Popen(command, cwd=REPO_ROOT, env=command_env(**jax_env),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    kill_when_a_video_is_built(proc, out, timeout=180)
    assert not (out / rf.MANIFEST_FILENAME).exists(), "the build finished before it was killed"
    finished_before = {f for f in os.listdir(out / ".work") if f.endswith(".json")} - {"params.json"}
    assert 1 <= len(finished_before) < 6

    one_worker = [a for a in args if not a.startswith("--num_workers=")] + ["--num_workers=1"]
    rerun = python_module("data_prep.build_records", *one_worker, f"--output_dir={out}",
                          **jax_env)
    assert rerun.returncode == 0, output_of(rerun)
    assert f"Resumed {len(finished_before)} video(s)" in rerun.stdout
    assert "with 1 worker(s)" in rerun.stdout, rerun.stdout
    assert sorted(os.listdir(out)) == sorted(os.listdir(reference))
    for name in os.listdir(reference):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


def test_local_engine_runs_one_flow_call_a_worker_at_once_on_a_cpu_host(
        shared_data, tmp_path, monkeypatch):
    """3 workers on the CPU: 3 flow calls at once, in threads of this process (JAX's flow is
    replaced by a stand-in that counts the calls running, and waits, up to 20 s, until 3 have
    run at once). Every pair gets its flow once, 4 pairs a call but the build's last pairs."""
    import jax

    assert jax.default_backend() == "cpu"
    assert jax_engine.flow_devices(3) == [jax.local_devices()[0]] * 3
    running, most, pairs_seen = [0], [0], []
    changed = threading.Condition()

    def waiting_flow(prev_gray, next_gray, settings, device=None):
        with changed:
            running[0] += 1
            most[0] = max(most[0], running[0])
            pairs_seen.append(len(prev_gray))
            changed.notify_all()
            changed.wait_for(lambda: most[0] >= 3, timeout=20)
            running[0] -= 1
        return np.full((*prev_gray.shape, 2), 128, np.uint8)

    monkeypatch.setattr(jax_engine, "quantized_flow", waiting_flow)
    splits = write_ucf101_splits(tmp_path / "splits")
    settings = PrepSettings(positions=3, frame_width=40, frame_height=30, flow_engine="jax",
                            flow_batch_size=1)
    plan = plan_lib.make_plan("ucf101", str(shared_data / "videos" / "ucf101"), "ucf101",
                              settings, splits_dir=str(splits))
    manifest, stats = run_local(plan, str(tmp_path / "records"), settings, num_workers=3,
                                progress=False)
    assert manifest["counts"]["videos"] == 6 and stats.pairs_done == 18
    assert sum(pairs_seen) == 18, pairs_seen
    assert most[0] == 3, (most[0], pairs_seen)
    # 4 pairs a call (JAX_POOL_BATCHES batches of 1), but the build's last ones.
    assert max(pairs_seen) == jax_engine.JAX_POOL_BATCHES and min(pairs_seen) < 4, pairs_seen


def test_last_pairs_of_a_build_are_shared_among_the_idle_flow_calls():
    # (pairs waiting, pairs a call, idle calls, batch size, last pairs of the build) -> call size
    assert jax_engine._chunk_size(10, 4, 2, 1, last=False) == 4
    assert jax_engine._chunk_size(10, 4, 2, 1, last=True) == 4  # 5 each, at most 4
    assert jax_engine._chunk_size(6, 4, 2, 1, last=True) == 3
    assert jax_engine._chunk_size(6, 4, 3, 1, last=True) == 2
    assert jax_engine._chunk_size(3, 16, 2, 4, last=True) == 4  # whole batches: 2 -> 4
    assert jax_engine._chunk_size(9, 16, 2, 4, last=True) == 8  # 5 -> 8


def test_another_engine_into_the_same_output_dir_is_refused(jax_build):
    args, out = jax_build
    flags = dict(a[2:].split("=", 1) for a in args if "=" in a)
    settings = PrepSettings(positions=3, frame_width=80, frame_height=60)  # the opencv engine
    plan = plan_lib.make_plan("ucf101", flags["video_dir"], "ucf101", settings,
                              splits_dir=flags["splits_dir"])
    with pytest.raises(IncompatibleInputError,
                       match=r"flow_batch_size: 2 there, None here; flow_engine: 'jax' there, "
                             r"'opencv' here"):
        run_local(plan, str(out), settings, num_workers=1, progress=False)


def _typed_without_jax(*flags) -> subprocess.CompletedProcess:
    """The command as typed, on a machine where `import jax` fails."""
    script = ("import sys; sys.modules['jax'] = None; sys.argv[0] = 'tan-build-records'; "
              "from data_prep.build_records import run_main; run_main()")
    return subprocess.run([sys.executable, "-c", script, *flags], cwd=REPO_ROOT,
                          env=command_env(), capture_output=True, text=True, timeout=120)


def test_jax_engine_without_jax_is_one_line_naming_the_install(shared_data, tmp_path):
    out = tmp_path / "records"
    run = _typed_without_jax(f"--video_dir={shared_data / 'videos' / 'ucf101'}",
                             f"--output_dir={out}", *TINY, "--flow_engine=jax")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    lines = problem_lines(run.stderr)
    assert lines[0] == ('FATAL Flags parsing error: flag --flow_engine=jax: JAX is not installed '
                        'here. Expected JAX for the jax engine: pip install -e ".[jax]", or '
                        '--flow_engine=opencv.')
    assert lines[1:] == ["Pass --helpshort or --helpfull to see help on flags."]
    assert not out.exists()
    # The default engine needs no JAX.
    run = _typed_without_jax("--helpfull")
    assert "--flow_engine: <opencv|jax>" in run.stdout and "Traceback" not in run.stderr


@pytest.mark.slow
def test_jax_engine_on_a_dask_cluster_writes_the_local_jax_bytes(jax_build, tmp_path, jax_env):
    pytest.importorskip("distributed")
    args, reference = jax_build
    out = tmp_path / "records"
    run = python_module("data_prep.build_records", *args, f"--output_dir={out}", "--engine=beam",
                        "--beam_runner=dask", **jax_env)  # a local cluster of 2 worker processes
    assert run.returncode == 0, output_of(run)
    assert ("Ran on Beam on Dask, a local cluster of 2 worker process(es): 6 video(s) computed by"
            " 2 worker process(es).") in run.stdout, run.stdout
    assert sorted(os.listdir(out)) == sorted(os.listdir(reference))
    for name in os.listdir(reference):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


def test_library_without_jax_refuses_before_writing(shared_data, tmp_path, monkeypatch):
    monkeypatch.setattr(flow_lib, "jax_installed", lambda: False)
    splits = write_ucf101_splits(tmp_path / "splits")
    out = tmp_path / "records"
    with pytest.raises(IncompatibleInputError, match=r"flow_engine='jax' needs JAX, which is "
                                                     r"not installed here\. Install it with "
                                                     r'pip install -e "\.\[jax\]"'):
        build_records("ucf101", str(shared_data / "videos" / "ucf101"), str(out),
                      splits_dir=str(splits), verbose=False,
                      settings=PrepSettings(positions=3, frame_width=80, frame_height=60,
                                            flow_engine="jax"))
    assert not out.exists()
    with pytest.raises(ValueError, match=r"Expected flow_engine in \('opencv', 'jax'\)\. "
                                         r"Received: flow_engine='cuda'"):
        PrepSettings(flow_engine="cuda")
