"""data_prep.decoding.stream: a long video read window by window. A window over one clip of a
joined video holds exactly what `video_clip` makes of that clip alone; memory does not grow with
the video's length; a capture that fails mid-stream or a truncated file keeps the windows before
it and says why in one line."""

import tracemalloc

import cv2
import numpy as np
import pytest

from data_prep.decoding import model_input, stream
from tan_keras.frame_settings import FrameSettings
from tests.data_prep.decoding.joined_video import (CLIPS, FPS, first_frames, joined_video,
                                                   write_video)

SETTINGS = FrameSettings(height=30, width=40, positions=3)  # small: TV-L1 costs 0.1 s a pair
T = 3


def test_window_plan_reads_video_clips_positions():
    plan = stream.WindowPlan.of(2.0, 1.0, FPS, positions=3, num_snippets=3)
    # W = 50 frames: position_indices(50, 3) = floor(49/3 * (1/2 + i)) = 8, 24, 40.
    assert (plan.window_frames, plan.stride_frames, plan.offsets) == (50, 25, (8, 24, 40))
    assert plan.windows_reading(33) == [1]  # 25 + 8
    assert plan.windows_reading(40) == [0]  # 0 + 40
    assert plan.windows_reading(7) == []
    every_8 = stream.WindowPlan.of(2.0, 8 / FPS, FPS, positions=3, num_snippets=3)
    assert every_8.windows_reading(40) == [0, 2, 4]  # 0 + 40, 16 + 24, 32 + 8
    with pytest.raises(ValueError, match=r"at least 2 frames.*window=0.04 s at 25 fps = 1"):
        stream.WindowPlan.of(0.04, 0.04, FPS, positions=3, num_snippets=3)


def test_a_window_over_a_clip_holds_what_video_clip_makes_of_it(shared_data, tmp_path):
    joined, pieces = joined_video(shared_data, tmp_path, frames_a_clip=50, size_wh=(160, 120),
                                  clips=CLIPS[:2], tail=10)
    windows = stream.WindowStream(str(joined), SETTINGS, T, window_s=2.0, stride_s=1.0)
    found = list(windows)
    assert [w["start_frame"] for w in found] == [0, 25, 50]
    assert found[1]["frame_indices"] == [33, 49, 65]
    for window, piece in ((found[0], pieces[0]), (found[2], pieces[1])):
        clip = model_input.video_clip(str(piece), SETTINGS, T)
        assert window["frame_indices"] == [window["start_frame"] + k
                                           for k in clip["frame_indices"]]
        np.testing.assert_array_equal(window["rgb"], clip["rgb"])
        np.testing.assert_array_equal(window["flow"], clip["flow"])
    assert windows.frames_read == 110
    assert windows.problems == [f"{joined}: frames 100-109 (4.00-4.40 s) fill no whole window: "
                                "not scored"]


def _peak_bytes(path) -> int:
    tracemalloc.start()
    try:
        for _ in stream.WindowStream(str(path), SETTINGS, T, window_s=1.0, stride_s=4.0):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_videos_length(shared_data, tmp_path):
    clip = first_frames(shared_data / "videos" / "ucf101" / "PushUps/v_PushUps_g01_c01.avi",
                        50, (80, 60))
    once = write_video(tmp_path / "once.avi", clip)
    ten_times = write_video(tmp_path / "ten.avi", clip * 10)
    _peak_bytes(once)  # imports and first-call allocations out of the measure
    peak_once, peak_ten = _peak_bytes(once), _peak_bytes(ten_times)
    # Keeping the frames read would hold 450 more RGB frames of 40x30 (1.6 MB) or their source
    # frames (6.5 MB): the margin allowed is a tenth of the smaller.
    kept_frames = 450 * 40 * 30 * 3
    assert peak_ten - peak_once < kept_frames / 10, (peak_once, peak_ten)


class FailingCapture:
    """A real clip's capture that raises as a dropped stream does after `frames` frames."""

    def __init__(self, path, frames: int):
        self._capture = cv2.VideoCapture(str(path))
        self._left = frames

    def read(self):
        if self._left == 0:
            raise cv2.error("stream dropped: connection reset")
        self._left -= 1
        return self._capture.read()

    def get(self, prop):
        return self._capture.get(prop)

    def release(self):
        self._capture.release()


def test_a_capture_that_fails_mid_stream_keeps_the_windows_before_it(shared_data):
    path = shared_data / "videos" / "ucf101" / "Punch/v_Punch_g01_c01.avi"
    windows = stream.WindowStream(FailingCapture(path, 47), SETTINGS, T, window_s=0.8,
                                  stride_s=0.4, name="rtsp://camera/live")
    found = list(windows)
    # 20-frame windows every 10 frames: those ending by frame 46 are [0, 20), [10, 30), [20, 40).
    assert [(w["start_frame"], w["end_frame"]) for w in found] == [(0, 20), (10, 30), (20, 40)]
    assert windows.problems[0] == ("rtsp://camera/live: reading frame 47 failed (stream dropped: "
                                   "connection reset); the stream stops there, the windows "
                                   "before it are kept")
    assert windows.frames_read == 47


def test_a_truncated_file_keeps_its_windows_and_says_so(shared_data, tmp_path):
    source = shared_data / "videos" / "ucf101" / "Punch/v_Punch_g08_c01.avi"
    truncated = tmp_path / "truncated.avi"
    truncated.write_bytes(source.read_bytes()[:60_000])  # 17 of its 251 frames decode
    windows = stream.WindowStream(str(truncated), SETTINGS, T, window_s=0.4, stride_s=0.28)
    found = list(windows)
    assert [(w["start_frame"], w["end_frame"]) for w in found] == [(0, 10), (7, 17)]
    assert windows.problems == [f"{truncated}: the video ends after 17 of the 251 frames its "
                                "container reports (truncated or damaged); the windows before "
                                "it are kept"]


def test_a_source_that_does_not_open_names_itself(tmp_path):
    with pytest.raises(Exception, match=r"absent.avi: no such file"):
        stream.WindowStream(str(tmp_path / "absent.avi"), SETTINGS, T, 1.0, 1.0)
    assert stream.is_live(0) and stream.is_live("0") and stream.is_live("rtsp://h/s")
    assert not stream.is_live("clip.avi")
