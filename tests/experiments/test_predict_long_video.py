"""tan-predict --window as a user types it, on a long video joined from real clips of the three
classes the shared tiny run was trained on (BabyCrawling, Punch, PushUps, 50 frames each, then
6 more of PushUps, which no window fills), in one subprocess:

- each window that covers one clip exactly gets the scores and attention that the clip path
  (`video_clip` and `predict_video`, what `tan-predict` without --window runs) gives that clip
  alone, read at the same frames;
- the printed lines, the JSON lines, the segments and the timeline agree;
- the frames left over get one warning line;
- the annotated video opens in OpenCV with every frame.

The tiny run is near chance (one epoch on three clips), so its segments say nothing about the
clips' classes; how well localisation finds the clips' boundaries with a model that has learnt
them is measured in docs/long_videos.md.
"""

import re

import cv2
import numpy as np
import pytest

from tests.data_prep.decoding.joined_video import joined_video
from tests.helpers.commands import console_script, output_of, problem_lines, python_module

pytestmark = pytest.mark.slow  # a tan-predict run and the clip path in-process: about 40 s

WINDOW_LINE = re.compile(r"^window (\d+)\s+([0-9.]+)-\s*([0-9.]+) s  fused (\S+) ([0-9.]+)%")


@pytest.fixture(scope="module")
def long_video_run(evaluated_tiny_run, shared_data, tmp_path_factory):
    _, workspace, run_name = evaluated_tiny_run
    folder = tmp_path_factory.mktemp("long_video")
    joined, pieces = joined_video(shared_data, folder / "videos", frames_a_clip=50, tail=6)
    out = folder / "out"
    result = console_script("tan-predict", f"--video={joined}", f"--workspace={workspace}",
                            f"--run_name={run_name}", "--window=2", "--stride=1",
                            f"--windows={out / 'joined.jsonl'}", f"--timeline={out / 't.png'}",
                            f"--output_video={out / 'joined_tan.avi'}", "--score_threshold=0.3")
    assert result.returncode == 0, output_of(result)
    return result, out, pieces, (workspace, run_name), joined


def test_windows_over_one_clip_get_the_clip_paths_scores(long_video_run):
    from data_prep.decoding.model_input import video_clip
    from tan_keras.frame_settings import FrameSettings
    from tan_keras.inference import load_video_model, predict_video, read_rows

    result, out, pieces, (workspace, run_name), _ = long_video_run
    rows = read_rows(out / "joined.jsonl")
    assert [(row["start_frame"], row["end_frame"]) for row in rows] == [
        (0, 50), (25, 75), (50, 100), (75, 125), (100, 150)]
    model = load_video_model(workspace, run_name)
    settings = model.frame_settings
    for row, piece in zip(rows[::2], pieces):  # windows 0, 2, 4: clips 0, 1, 2 exactly
        clip = video_clip(str(piece), FrameSettings.from_dict(settings),
                          settings["num_snippets"])
        expected = predict_video(model, clip)
        assert row["snippet_frames"] == [row["start_frame"] + k for k in clip["frame_indices"]]
        np.testing.assert_allclose([row["fused"][name] for name in model.classes],
                                   expected["fused"], atol=2e-5)
        for stream in ("spatial", "temporal"):
            top = dict(row[f"{stream}_top"])
            np.testing.assert_allclose([top[name] for name in model.classes], expected[stream],
                                       atol=2e-5)
        np.testing.assert_allclose(row["alpha"], expected["alpha"][:, -1], atol=2e-5)
        np.testing.assert_allclose(row["beta"], expected["beta"][:, -1], atol=2e-5)


def test_printed_lines_rows_segments_and_timeline_agree(long_video_run):
    from tan_keras.inference import localise, read_rows
    from tan_keras.inference.timeline import timeline_series
    from tan_keras.inference.window_rows import result_of_row

    result, out, _, _, joined = long_video_run
    rows = read_rows(out / "joined.jsonl")
    printed = [WINDOW_LINE.match(line).groups() for line in result.stdout.splitlines()
               if line.startswith("window ")]
    assert [(int(p[0]), float(p[1]), float(p[2]), p[3]) for p in printed] == [
        (row["window"], row["start_s"], row["end_s"], row["fused_top"][0][0]) for row in rows]
    np.testing.assert_allclose([float(p[4]) for p in printed],
                               [100 * row["fused_top"][0][1] for row in rows], atol=0.051)
    classes = sorted(rows[0]["fused"])
    results = [result_of_row(row, classes) for row in rows]
    expected = [segment.row() for segment in localise(results, classes, score_threshold=0.3)]
    assert expected and read_rows(out / "joined_segments.jsonl") == expected
    series = timeline_series(results, classes)
    np.testing.assert_allclose(series["centres"], [1, 2, 3, 4, 5])
    assert sorted(series["scores"]) == classes and len(series["alpha"]) == 5 * 3
    png = (out / "t.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert f"5 windows; {len(expected)} segments" in result.stdout
    assert problem_lines(result.stderr) == [
        f"warning: {joined}: frames 150-155 (6.00-6.24 s) fill no whole window: not scored"]


def test_the_annotated_video_has_every_frame(long_video_run):
    _, out, _, _, _ = long_video_run
    capture = cv2.VideoCapture(str(out / "joined_tan.avi"))
    assert capture.isOpened()
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    assert len(frames) == 156 and frames[0].shape == (240, 320, 3)
    # The label band is drawn (black with white text) at the top of every frame.
    assert all(frame[:5].mean() < 60 for frame in frames)


def test_a_camera_needs_a_window(tmp_path):
    result = python_module("experiments.predict", "--video=0", "--model=m.keras")
    assert result.returncode == 1
    assert "--video=0 is a camera or a stream: give --window (seconds a window)." in result.stderr
