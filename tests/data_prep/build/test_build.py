"""End to end on the real clips: records against independent OpenCV, failures, missing videos,
the Beam multiprocess runner's bytes (tests/data_prep/build/test_beam_runners.py has Dask and the
command), and resuming after SIGKILL."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import tensorflow as tf

from data_prep.build import plan as plan_lib
from data_prep.build.local import build_records, run_local
from data_prep.build.extract import PrepSettings, VideoTask, extract_positions, process_video
from data_prep.decoding.video import parse_frame_size
from tan_keras import record_format as rf
from tan_keras.data import RecordsSource
from tan_keras.errors import IncompatibleInputError
from tan_keras.frame_settings import FrameSettings
from tests.helpers.commands import kill_when_a_video_is_built
from tests.helpers.opencv_reference import decode_rgb
from tests.helpers.paths import REPO_ROOT as REPO

SIZE_WH = (64, 48)  # OpenCV's (width, height), for the independent decode
SETTINGS = PrepSettings(positions=3, frame_width=64, frame_height=48)


def _write_ucf_splits(directory: Path) -> Path:
    """Official UCF101 format (CRLF, test lines unlabelled) listing only the shared clips."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "classInd.txt").write_bytes(b"1 BabyCrawling\r\n2 Punch\r\n3 PushUps\r\n")
    train = [f"{c}/v_{c}_g08_c01.avi {i}" for i, c in enumerate(["BabyCrawling", "Punch", "PushUps"], 1)]
    test = [f"{c}/v_{c}_g01_c01.avi" for c in ["BabyCrawling", "Punch", "PushUps"]]
    (directory / "trainlist01.txt").write_bytes(("\r\n".join(train) + "\r\n").encode())
    (directory / "testlist01.txt").write_bytes(("\r\n".join(test) + "\r\n").encode())
    return directory


@pytest.fixture(scope="module")
def ucf_build(shared_data, tmp_path_factory):
    """An uninterrupted reference build of the 6 UCF101 clips: (video_dir, splits_dir, output_dir)."""
    root = tmp_path_factory.mktemp("ucf")
    splits_dir = str(_write_ucf_splits(root / "splits"))
    video_dir = str(shared_data / "videos" / "ucf101")
    output_dir = str(root / "records")
    build_records("ucf101", video_dir, output_dir, splits_dir=splits_dir, settings=SETTINGS,
                  num_workers=2, num_shards=2, verbose=False)
    return video_dir, splits_dir, output_dir


def _parse_all(output_dir):
    manifest = __import__("json").loads((Path(output_dir) / rf.MANIFEST_FILENAME).read_text())
    records = {}
    for shard in manifest["shards"]:
        for raw in tf.data.TFRecordDataset(str(Path(output_dir) / shard)):
            context, lists = tf.io.parse_single_sequence_example(
                raw, context_features={
                    rf.VIDEO_FILENAME: tf.io.FixedLenFeature([], tf.string),
                    rf.LABEL_INDEX: tf.io.FixedLenFeature([], tf.int64),
                    rf.NUM_FRAMES: tf.io.FixedLenFeature([], tf.int64),
                    rf.NUM_POSITIONS: tf.io.FixedLenFeature([], tf.int64),
                    rf.POSITIONS_REQUESTED: tf.io.FixedLenFeature([], tf.int64)},
                sequence_features={k: tf.io.FixedLenSequenceFeature([], tf.string) for k in
                                   (rf.IMAGE_ENCODED, rf.FLOW_X_ENCODED, rf.FLOW_Y_ENCODED)}
                | {rf.FRAME_INDEX: tf.io.FixedLenSequenceFeature([], tf.int64)})
            records[context[rf.VIDEO_FILENAME].numpy().decode()] = (context, lists)
    return manifest, records


def _independent(path, size_wh):
    """All frames decoded by plain OpenCV: RGB [N, H, W, 3] and gray [N, H, W]."""
    rgb = decode_rgb(path, size_wh)
    return rgb, np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in rgb])


def _independent_quantized_flow(gray, k, bound=20.0):
    f = cv2.optflow.DualTVL1OpticalFlow_create().calc(gray[k], gray[k + 1], None)
    return np.round((np.clip(f, -bound, bound) + bound) * 255.0 / (2 * bound))


def _check_record_against_opencv(path, context, lists, size_wh):
    rgb, gray = _independent(path, size_wh)
    indices = lists[rf.FRAME_INDEX].numpy()
    assert int(context[rf.NUM_FRAMES]) == len(rgb)
    for p, k in enumerate(indices):
        frame = tf.io.decode_jpeg(lists[rf.IMAGE_ENCODED][p]).numpy().astype(int)
        assert np.abs(frame - rgb[k]).mean() < 6.0  # JPEG q95 with 4:2:0 chroma, tiny frames
        expected = _independent_quantized_flow(gray, k)
        for channel, key in enumerate((rf.FLOW_X_ENCODED, rf.FLOW_Y_ENCODED)):
            got = tf.io.decode_jpeg(lists[key][p]).numpy()[..., 0].astype(float)
            assert np.abs(got - expected[..., channel]).mean() < 1.5  # quantised, then JPEG
            assert np.percentile(np.abs(got - expected[..., channel]), 99) <= 8


def test_records_match_independent_decode_and_tvl1(ucf_build):
    video_dir, _, output_dir = ucf_build
    manifest, records = _parse_all(output_dir)
    assert manifest["classes"] == ["BabyCrawling", "Punch", "PushUps"]
    assert manifest["splits"]["1"]["test"] == [
        "BabyCrawling/v_BabyCrawling_g01_c01.avi", "Punch/v_Punch_g01_c01.avi",
        "PushUps/v_PushUps_g01_c01.avi"]
    assert manifest["shards"] == ["ucf101-00000-of-00002.tfrecord", "ucf101-00001-of-00002.tfrecord"]
    assert manifest["counts"]["videos"] == 6 and manifest["counts"]["positions"] == 18
    assert sorted(records) == sorted(manifest["videos"])
    frames = {"BabyCrawling/v_BabyCrawling_g01_c01.avi": 165, "Punch/v_Punch_g08_c01.avi": 251,
              "PushUps/v_PushUps_g01_c01.avi": 56}
    for video, n in frames.items():
        context, lists = records[video]
        assert int(context[rf.LABEL_INDEX]) == manifest["videos"][video]["label"]
        tick = (n - 1) / 3
        np.testing.assert_array_equal(lists[rf.FRAME_INDEX].numpy(),
                                      [int(tick / 2 + tick * i) for i in range(3)])
        _check_record_against_opencv(Path(video_dir) / video, context, lists, SIZE_WH)


def test_extracted_positions_equal_opencv_before_encoding(shared_data):
    """Before JPEG: frames bit-exact, flow equal to TV-L1 run independently (quantised)."""
    path = shared_data / "videos" / "ucf101" / "PushUps" / "v_PushUps_g01_c01.avi"
    positions = extract_positions(str(path), PrepSettings(positions=4, frame_width=80,
                                                          frame_height=60))
    rgb, gray = _independent(path, (80, 60))
    np.testing.assert_array_equal(positions.frame_indices, [6, 20, 34, 48])  # tick 13.75
    np.testing.assert_array_equal(positions.rgb, rgb[positions.frame_indices])
    for p, k in enumerate(positions.frame_indices):
        diff = np.abs(positions.flow[p].astype(float) - _independent_quantized_flow(gray, k))
        assert diff.mean() < 0.05 and diff.max() <= 1


def test_realistic_size_flow_matches_tvl1(shared_data):
    path = shared_data / "videos" / "ucf101" / "PushUps" / "v_PushUps_g01_c01.avi"
    result = process_video(VideoTask(str(path), "PushUps/v_PushUps_g01_c01.avi", 2, "PushUps"),
                           PrepSettings(positions=1))
    assert result.ok, result.reason
    context, lists = tf.io.parse_single_sequence_example(
        result.record, context_features={rf.NUM_FRAMES: tf.io.FixedLenFeature([], tf.int64)},
        sequence_features={k: tf.io.FixedLenSequenceFeature([], tf.string) for k in
                           (rf.IMAGE_ENCODED, rf.FLOW_X_ENCODED, rf.FLOW_Y_ENCODED)}
        | {rf.FRAME_INDEX: tf.io.FixedLenSequenceFeature([], tf.int64)})
    assert lists[rf.FRAME_INDEX].numpy().tolist() == [27]  # tick 55: int(27.5)
    assert tf.io.decode_jpeg(lists[rf.IMAGE_ENCODED][0]).shape == (256, 340, 3)
    _check_record_against_opencv(path, context, lists, (340, 256))


def test_beam_multiprocess_runner_writes_the_same_bytes_in_two_workers(ucf_build, tmp_path):
    from data_prep.build.beam_pipeline import run_beam
    video_dir, splits_dir, reference = ucf_build
    plan = plan_lib.make_plan("ucf101", video_dir, "ucf101", SETTINGS, splits_dir=splits_dir,
                              num_shards=2)
    _, stats = run_beam(plan, str(tmp_path), SETTINGS, num_workers=2, progress=False)
    assert stats.runner == "Beam multiprocess runner, 2 worker process(es)"
    pids = {int(worker.rsplit(":", 1)[1]) for worker in stats.worker_ids}
    assert len(pids) == 2 and os.getpid() not in pids
    assert sorted(os.listdir(tmp_path)) == sorted(os.listdir(reference))
    for name in os.listdir(reference):
        assert (tmp_path / name).read_bytes() == (Path(reference) / name).read_bytes(), name


def _run_cli(args, **kwargs):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen([sys.executable, "-m", "data_prep.build_records", "--progress=false",
                             *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)


def test_killed_build_resumes_to_identical_output(ucf_build, tmp_path):
    video_dir, splits_dir, reference = ucf_build
    out = tmp_path / "records"
    args = ["--dataset=ucf101", f"--video_dir={video_dir}", f"--splits_dir={splits_dir}",
            f"--output_dir={out}", "--positions=3", "--frame_size=64x48", "--num_shards=2",
            "--num_workers=1"]
    proc = _run_cli(args, start_new_session=True)
    kill_when_a_video_is_built(proc, out, timeout=120)
    assert not (out / rf.MANIFEST_FILENAME).exists(), "the build finished before it was killed"
    finished_before = {f for f in os.listdir(out / ".work") if f.endswith(".json")}
    # Leftovers of writes cut short: a partial shard and a partial per-video file.
    (out / "ucf101-00000-of-00002.tfrecord.tmp-99999").write_bytes(b"partial")
    (out / ".work" / "abc.rec.tmp-99999").write_bytes(b"partial")

    rerun = _run_cli(args)
    stdout, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stdout
    assert f"Resumed {len(finished_before) - 1} video(s)" in stdout
    assert sorted(os.listdir(out)) == sorted(os.listdir(reference))
    for name in os.listdir(reference):
        assert (out / name).read_bytes() == (Path(reference) / name).read_bytes(), name


@pytest.fixture()
def folder_with_bad_videos(shared_data, tmp_path):
    root = tmp_path / "videos"
    (root / "good").mkdir(parents=True)
    (root / "bad").mkdir()
    shutil.copy(shared_data / "videos" / "ucf101" / "PushUps" / "v_PushUps_g01_c01.avi",
                root / "good" / "pushups.avi")
    (root / "bad" / "garbage.avi").write_bytes(b"garbage" * 100)
    (root / "bad" / "empty.mp4").write_bytes(b"")
    return root


def test_bad_videos_are_skipped_and_reported(folder_with_bad_videos, tmp_path):
    out = tmp_path / "records"
    proc = _run_cli(["--dataset=folder", f"--video_dir={folder_with_bad_videos}",
                     f"--output_dir={out}", "--positions=2", "--frame_size=32x24",
                     "--num_workers=1", "--max_failures=1"])
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, stdout
    assert "2 video(s) failed, more than --max_failures=1" in stdout
    assert "failed: bad/garbage.avi:" in stdout
    manifest, records = _parse_all(out)
    assert list(records) == ["good/pushups.avi"]
    assert [f["video"] for f in manifest["failures"]] == ["bad/empty.mp4", "bad/garbage.avi"]
    assert all("OpenCV cannot open it" in f["reason"] or "decoded 0 frame" in f["reason"]
               for f in manifest["failures"])
    assert manifest["counts"]["failed"] == 2 and manifest["counts"]["videos"] == 1


def test_missing_videos_are_all_named(shared_data, tmp_path):
    splits_dir = _write_ucf_splits(tmp_path / "splits")
    with open(splits_dir / "testlist01.txt", "ab") as f:
        f.write(b"Punch/v_Punch_g02_c01.avi\r\nPushUps/v_PushUps_g03_c02.avi\r\n")
    video_dir = str(shared_data / "videos" / "ucf101")
    with pytest.raises(plan_lib.MissingVideosError,
                       match=r"2 video\(s\) .* missing .*\n  Punch/v_Punch_g02_c01.avi\n  "
                             r"PushUps/v_PushUps_g03_c02.avi"):
        plan_lib.make_plan("ucf101", video_dir, "ucf101", SETTINGS, splits_dir=str(splits_dir))
    plan = plan_lib.make_plan("ucf101", video_dir, "ucf101", SETTINGS, splits_dir=str(splits_dir),
                              on_missing="continue")
    assert plan.missing == ["Punch/v_Punch_g02_c01.avi", "PushUps/v_PushUps_g03_c02.avi"]
    assert len(plan.tasks) == 6


def test_no_video_found_or_listed_is_one_input_error(shared_data, tmp_path):
    splits_dir = _write_ucf_splits(tmp_path / "splits")
    wrong_root = str(shared_data / "videos")  # one level above the class folders
    for on_missing in ("stop", "continue"):
        with pytest.raises(plan_lib.MissingVideosError,
                           match=r"none of the 6 video\(s\) the splits list is in .*videos \(the "
                                 r"first would be .*videos/BabyCrawling/v_BabyCrawling_g01_c01.avi"
                                 r"\)\. Expected video_dir to be the folder that holds the class "
                                 r"folders\."):
            plan_lib.make_plan("ucf101", wrong_root, "ucf101", SETTINGS,
                               splits_dir=str(splits_dir), on_missing=on_missing)
    for name in ("trainlist01.txt", "testlist01.txt"):
        (splits_dir / name).write_bytes(b"")
    with pytest.raises(IncompatibleInputError, match=r"splits: the splits list no videos"):
        plan_lib.make_plan("ucf101", wrong_root, "ucf101", SETTINGS, splits_dir=str(splits_dir))


def test_short_video_keeps_the_frames_it_has(shared_data, tmp_path):
    """PushUps g01 has 56 frames: asking 80 positions keeps 55 and says so."""
    video_dir = tmp_path / "v"
    (video_dir / "PushUps").mkdir(parents=True)
    shutil.copy(shared_data / "videos" / "ucf101" / "PushUps" / "v_PushUps_g01_c01.avi",
                video_dir / "PushUps" / "a.avi")
    settings = PrepSettings(positions=80, frame_width=16, frame_height=12)
    plan = plan_lib.make_plan("folder", str(video_dir), "short", settings, test_fraction=0.0)
    manifest, stats = run_local(plan, str(tmp_path / "out"), settings, 1, progress=False)
    _, records = _parse_all(tmp_path / "out")
    context, lists = records["PushUps/a.avi"]
    assert int(context[rf.NUM_POSITIONS]) == 55 and int(context[rf.POSITIONS_REQUESTED]) == 80
    assert lists[rf.FRAME_INDEX].numpy().tolist() == list(range(55))
    assert manifest["videos"]["PushUps/a.avi"]["num_positions"] == 55
    assert stats.pairs_done == 55
    # 16 wide, 12 high: [width, height] in the manifest, [H, W] in the records and the reader.
    assert manifest["params"]["frame_size"] == [16, 12]
    assert tf.io.decode_jpeg(lists[rf.IMAGE_ENCODED][0]).shape == (12, 16, 3)
    frames = RecordsSource.open(tmp_path / "out").frames
    assert (frames.height, frames.width) == (12, 16)


def test_the_frame_size_is_named_and_the_manifest_keeps_width_then_height():
    settings = PrepSettings(frame_width=40, frame_height=24)
    assert settings == PrepSettings(**parse_frame_size("40x24"))  # --frame_size=WIDTHxHEIGHT
    assert settings.as_params()["frame_size"] == [40, 24]  # manifest.json, as it always was
    frames = FrameSettings.from_dict(settings.as_params())
    assert (frames.height, frames.width) == (24, 40)
    with pytest.raises(TypeError, match="frame_size"):
        PrepSettings(frame_size=(40, 24))  # an unnamed pair is no longer taken
    with pytest.raises(ValueError, match=r"Received: frame_width=0, frame_height=24"):
        PrepSettings(frame_width=0, frame_height=24)
