"""Damaged videos: a truncated real clip decodes far fewer frames than its container reports.

It fails by default (the manifest's failures, exit status 1), and with on_damaged='build' it is
built from the frames that decode and listed under "damaged". Every count is checked against an
independent OpenCV count written here.
"""

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from data_prep.build import local as build_lib
from data_prep.build import work_folder
from data_prep.build import plan as plan_lib
from data_prep.decoding import video
from data_prep.build.extract import PrepSettings, VideoTask, extract_positions, process_video
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError
from tests.helpers.paths import REPO_ROOT

SETTINGS = PrepSettings(positions=3, frame_width=80, frame_height=60)
BUILD_DAMAGED = PrepSettings(positions=3, frame_width=80, frame_height=60, on_damaged="build")
TRUNCATED_BYTES = 60_000
TRUNCATED_ID = "Punch/v_Punch_g08_c01_truncated.avi"
INTACT_ID = "PushUps/v_PushUps_g01_c01.avi"
DAMAGED_REASON = (r"v_Punch_g08_c01_truncated\.avi: damaged: (\d+) of the 251 frames its "
                  r"container reports decode \(below 90%\); re-download it, or pass "
                  r"--on_damaged=build to keep the frames that decode")


def _opencv_counts(path) -> tuple[int, int]:
    """(frames the container reports, frames that decode), with plain OpenCV."""
    capture = cv2.VideoCapture(str(path))
    reported = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    decoded = 0
    while capture.grab():
        decoded += 1
    capture.release()
    return reported, decoded


@pytest.fixture()
def damaged_dir(shared_data, tmp_path) -> Path:
    """A folder dataset: the first 60 kB of Punch g08 (251 frames), and one intact clip."""
    root = tmp_path / "videos"
    (root / "Punch").mkdir(parents=True)
    (root / "PushUps").mkdir()
    clip = (shared_data / "videos" / "ucf101" / "Punch" / "v_Punch_g08_c01.avi").read_bytes()
    (root / TRUNCATED_ID).write_bytes(clip[:TRUNCATED_BYTES])
    shutil.copy(shared_data / "videos" / "ucf101" / INTACT_ID, root / INTACT_ID)
    return root


def _task(root: Path, video_id: str, label: int = 0) -> VideoTask:
    return VideoTask(str(root / video_id), video_id, label, video_id.split("/")[0])


def test_truncated_clip_is_damaged_by_an_independent_count(damaged_dir):
    reported, decoded = _opencv_counts(damaged_dir / TRUNCATED_ID)
    assert reported == 251 and 2 <= decoded < 0.9 * reported  # 17 with OpenCV 4.x's FFmpeg
    counts = video.probe(str(damaged_dir / TRUNCATED_ID))
    assert (counts.container, counts.decoded) == (reported, decoded)
    assert video.is_damaged(counts.decoded, counts.container)


def test_intact_real_clips_are_not_damaged(shared_data):
    clips = sorted((shared_data / "videos").glob("*/*/*.avi"))
    assert len(clips) == 7
    for clip in clips:
        reported, decoded = _opencv_counts(clip)
        counts = video.probe(str(clip))
        assert (counts.container, counts.decoded) == (reported, decoded), clip.name
        assert abs(reported - decoded) <= 1, clip.name  # the HMDB51 clip: 409 reported, 408
        assert not video.is_damaged(counts.decoded, counts.container), clip.name


def test_the_threshold_rule():
    assert video.is_damaged(8, 10) and not video.is_damaged(9, 10)  # default 0.9
    assert not video.is_damaged(408, 409)
    assert not video.is_damaged(17, 0)  # no count reported: not judged
    assert video.is_damaged(99, 100, min_fraction=1.0) and not video.is_damaged(100, 100, 1.0)
    assert not video.is_damaged(17, 251, min_fraction=0.05)
    with pytest.raises(ValueError, match=r"Expected 0 < min_fraction <= 1. Received: "
                                         r"min_fraction=0"):
        video.is_damaged(1, 2, min_fraction=0)
    with pytest.raises(ValueError, match=r"Expected on_damaged in \('fail', 'build'\). "
                                         r"Received: on_damaged='skip'"):
        PrepSettings(on_damaged="skip")
    with pytest.raises(ValueError, match=r"Expected 0 < min_decoded_fraction <= 1. Received: "
                                         r"min_decoded_fraction=1.5"):
        PrepSettings(min_decoded_fraction=1.5)


def test_damaged_clip_fails_by_default_naming_both_counts(damaged_dir):
    _, decoded = _opencv_counts(damaged_dir / TRUNCATED_ID)
    with pytest.raises(video.DamagedVideoError, match=DAMAGED_REASON) as caught:
        extract_positions(str(damaged_dir / TRUNCATED_ID), SETTINGS)
    error = caught.value
    assert isinstance(error, video.VideoDecodeError)  # what the TFDS builder skips
    assert (error.decoded_frames, error.container_frames) == (decoded, 251)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)  # crosses process boundaries

    result = process_video(_task(damaged_dir, TRUNCATED_ID), SETTINGS)
    assert not result.ok and result.record is None
    assert int(re.search(DAMAGED_REASON, result.reason).group(1)) == decoded


def test_on_damaged_build_keeps_the_frames_that_decode(damaged_dir):
    _, decoded = _opencv_counts(damaged_dir / TRUNCATED_ID)
    result = process_video(_task(damaged_dir, TRUNCATED_ID), BUILD_DAMAGED)
    assert result.ok and result.damaged, result.reason
    assert (result.num_frames, result.container_frames, result.num_positions) == (decoded, 251, 3)
    intact = process_video(_task(damaged_dir, INTACT_ID, 1), BUILD_DAMAGED)
    assert intact.ok and not intact.damaged and intact.container_frames == intact.num_frames == 56
    lenient = PrepSettings(positions=3, frame_width=80, frame_height=60,
                           min_decoded_fraction=0.05)
    assert process_video(_task(damaged_dir, TRUNCATED_ID), lenient).ok  # 17/251 = 0.068


def test_the_resumable_cache_keeps_the_damage(damaged_dir, tmp_path):
    result = process_video(_task(damaged_dir, TRUNCATED_ID), BUILD_DAMAGED)
    work_folder.cache_result(str(tmp_path), result)
    cached = work_folder.load_cached(str(tmp_path), TRUNCATED_ID)
    assert (cached.damaged, cached.num_frames, cached.container_frames) == (
        True, result.num_frames, 251)


def _cli(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "data_prep.build_records", "--progress=false",
                           "--num_workers=1", "--positions=3", "--frame_size=80x60", *args],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)


def _manifest(output_dir: Path) -> dict:
    return json.loads((output_dir / rf.MANIFEST_FILENAME).read_text())


def test_the_command_fails_a_damaged_video_or_builds_it(damaged_dir, tmp_path):
    _, decoded = _opencv_counts(damaged_dir / TRUNCATED_ID)
    strict = tmp_path / "strict"
    run = _cli(f"--video_dir={damaged_dir}", f"--output_dir={strict}")
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(rf"^  failed: {TRUNCATED_ID}: .*{DAMAGED_REASON}$", run.stdout, re.M)
    assert "error: 1 video(s) failed, more than --max_failures=0." in run.stderr
    manifest = _manifest(strict)
    assert [f["video"] for f in manifest["failures"]] == [TRUNCATED_ID]
    assert re.search(DAMAGED_REASON, manifest["failures"][0]["reason"]).group(1) == str(decoded)
    assert list(manifest["videos"]) == [INTACT_ID] and manifest["damaged"] == []
    assert manifest["params"]["on_damaged"] == "fail"
    assert manifest["params"]["min_decoded_fraction"] == 0.9

    lenient = tmp_path / "lenient"
    run = _cli(f"--video_dir={damaged_dir}", f"--output_dir={lenient}", "--on_damaged=build")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "; 0 failed, 0 missing, 1 damaged." in run.stdout
    assert (f"  damaged: {TRUNCATED_ID}: built from the {decoded} of its container's 251 frames "
            f"that decode.") in run.stdout
    manifest = _manifest(lenient)
    assert manifest["damaged"] == [{"video": TRUNCATED_ID, "decoded_frames": decoded,
                                    "container_frames": 251}]
    assert manifest["counts"]["damaged"] == 1 and manifest["failures"] == []
    assert manifest["videos"][TRUNCATED_ID]["num_frames"] == decoded


def test_beam_builds_damaged_videos_like_the_local_runner(damaged_dir, tmp_path):
    from data_prep.build.beam_pipeline import run_beam
    plan = plan_lib.make_plan("folder", str(damaged_dir), "damaged", BUILD_DAMAGED)
    build_lib.run_local(plan, str(tmp_path / "local"), BUILD_DAMAGED, 1, progress=False)
    run_beam(plan, str(tmp_path / "beam"), BUILD_DAMAGED, num_workers=2, progress=False)
    names = sorted(os.listdir(tmp_path / "local"))
    assert names == sorted(os.listdir(tmp_path / "beam"))
    for name in names:
        assert (tmp_path / "beam" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert [d["video"] for d in _manifest(tmp_path / "beam")["damaged"]] == [TRUNCATED_ID]

    strict = plan_lib.make_plan("folder", str(damaged_dir), "damaged", SETTINGS)
    with pytest.raises(IncompatibleInputError, match=r"already holds a finished build with other "
                                                     r"settings .*on_damaged: 'build' there, "
                                                     r"'fail' here"):
        build_lib.run_local(strict, str(tmp_path / "local"), SETTINGS, 1, progress=False)
