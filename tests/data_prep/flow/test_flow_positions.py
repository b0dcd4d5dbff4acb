"""Flow quantisation (hand-computed), TV-L1 on a known shift, and which positions a video keeps."""

import cv2
import numpy as np
import pytest

from data_prep.flow import tvl1 as flow
from data_prep.decoding import positions


def test_quantize_hand_computed_values():
    f = np.array([[[0.0, 20.0], [-20.0, 40.0], [10.0, -100.0], [0.1, -0.1]]], np.float32)
    q = flow.quantize(f, bound=20)
    # (f + 20) * 255 / 40: 0 -> 127.5 -> 128 (half to even), 20 -> 255, -20 -> 0, 10 -> 191.25.
    np.testing.assert_array_equal(q, [[[128, 255], [0, 255], [191, 0], [128, 127]]])
    assert q.dtype == np.uint8
    np.testing.assert_array_equal(flow.quantize(np.array([[5.0, -5.0]]), bound=10), [[191, 64]])


def test_dequantize_inverts_quantize_within_one_step():
    f = np.random.default_rng(0).uniform(-19.9, 19.9, size=(8, 9, 2)).astype(np.float32)
    back = flow.dequantize(flow.quantize(f, 20), 20)
    assert back.dtype == np.float32
    assert np.abs(back - f).max() <= 20.0 / 255 + 1e-5  # half of the step 40/255
    with pytest.raises(ValueError, match=r"Expected a flow bound > 0. Received: bound=0"):
        flow.quantize(f, bound=0)


def test_tvl1_recovers_a_known_shift():
    yy, xx = np.mgrid[0:64, 0:80].astype(np.float32)
    pattern = lambda x: (128 + 60 * np.sin(x / 5.0) * np.cos(yy / 6.0)).astype(np.uint8)
    prev, nxt = pattern(xx), pattern(xx - 2.0)  # content moves 2 px to the right
    f = flow.tvl1(prev, nxt)
    assert f.shape == (64, 80, 2) and f.dtype == np.float32
    inner = f[12:-12, 12:-12]
    assert abs(np.median(inner[..., 0]) - 2.0) < 0.2
    assert abs(np.median(inner[..., 1])) < 0.2
    with pytest.raises(ValueError, match=r"Expected prev_gray of shape \[H, W\] and dtype uint8"):
        flow.tvl1(cv2.cvtColor(prev, cv2.COLOR_GRAY2BGR), nxt)


def test_positions_evenly_spaced_over_frames_with_a_successor():
    # N = 11 frames -> candidates 0..9, K = 5: tick 2 -> 1, 3, 5, 7, 9.
    assert positions.position_indices(11, 5) == [1, 3, 5, 7, 9]
    # K = 3 of 9 candidates: tick 3 -> 1, 4, 7.
    assert positions.position_indices(10, 3) == [1, 4, 7]
    # Fewer candidates than K: keep them all (the last frame has no successor).
    assert positions.position_indices(4, 25) == [0, 1, 2]
    assert positions.position_indices(6, positions.ALL_POSITIONS) == [0, 1, 2, 3, 4]
    assert max(positions.position_indices(56, 25)) <= 54
    with pytest.raises(ValueError, match=r"at least 2 frames.*Received: num_frames=1"):
        positions.position_indices(1, 25)


def test_parse_positions():
    assert positions.parse_positions("25") == 25
    assert positions.parse_positions("all") == positions.ALL_POSITIONS
    with pytest.raises(ValueError, match=r"positive integer or 'all'. Received: positions='-3'"):
        positions.parse_positions("-3")
