"""Decoding against OpenCV read independently, and clear errors for bad files."""

import numpy as np
import pytest

from data_prep.decoding import video
from tests.helpers.opencv_reference import decode_rgb


@pytest.mark.parametrize("clip, num_frames, fps", [
    ("ucf101/PushUps/v_PushUps_g01_c01.avi", 56, 25.0),           # XVID
    ("hmdb51/brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi", 408, 30.0),  # DX50
])
def test_frames_equal_an_independent_decode(shared_data, clip, num_frames, fps):
    path = str(shared_data / "videos" / clip)
    count, found_fps = video.count_frames(path)
    assert count == num_frames and abs(found_fps - fps) < 0.01
    reference = decode_rgb(path, (64, 48))
    indices = [0, 7, num_frames - 1]
    frames = video.read_frames(path, indices, frame_height=48, frame_width=64)
    assert frames.shape == (3, 48, 64, 3) and frames.dtype == np.uint8
    np.testing.assert_array_equal(frames, reference[indices])


def test_bad_files_raise_errors_naming_them(tmp_path):
    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(b"not a video" * 50)
    with pytest.raises(video.VideoDecodeError, match=r"garbage.avi: OpenCV cannot open it"):
        video.count_frames(str(garbage))
    with pytest.raises(video.VideoDecodeError, match=r"absent.avi: no such file"):
        video.read_frames(str(tmp_path / "absent.avi"), [0])


def test_reading_past_the_end_names_the_file(shared_data):
    path = str(shared_data / "videos" / "ucf101" / "PushUps" / "v_PushUps_g01_c01.avi")
    with pytest.raises(video.VideoDecodeError, match=r"v_PushUps_g01_c01.avi: frame 60 does not "
                                                     r"decode \(the video ends after 56 frames\)"):
        video.read_frames(path, [60], frame_height=24, frame_width=32)


def test_parse_frame_size():
    assert video.parse_frame_size("340x256") == {"frame_width": 340, "frame_height": 256}
    with pytest.raises(ValueError, match=r"WIDTHxHEIGHT such as 340x256. Received: frame_size='340'"):
        video.parse_frame_size("340")
