"""Segment sampling and crop windows in TF against NumPy references and hand-computed cases.

The formulas are `tan_keras.protocol`'s (tests/tan_keras/test_protocol.py); these check the TF
draws and stacks around them."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

from tan_keras import protocol
from tan_keras.data import crops, sampling


def _draw(function, count, dtype):
    """function(seed [2] int64) for the seeds [k, 1], k < count, stacked: -> NumPy [count, ...]."""
    seeds = tf.stack([tf.range(count, dtype=tf.int64), tf.ones(count, tf.int64)], axis=1)
    return tf.function(lambda s: tf.map_fn(function, s, fn_output_signature=dtype))(seeds).numpy()


def _numpy_segments(num_positions, num_snippets):
    """[(first, last + 1)] per segment: floor(t P / T) .. floor((t + 1) P / T), never empty."""
    bounds = []
    for t in range(num_snippets):
        start = int(np.floor(t * num_positions / num_snippets))
        stop = max(int(np.floor((t + 1) * num_positions / num_snippets)), start + 1)
        bounds.append((start, stop))
    return bounds


@pytest.mark.parametrize("num_positions,num_snippets", [(25, 5), (10, 5), (7, 5), (3, 5), (1, 3)])
def test_train_positions_take_one_position_per_segment_and_cover_each(num_positions, num_snippets):
    segments = _numpy_segments(num_positions, num_snippets)
    seen = [set() for _ in segments]
    draws = _draw(lambda seed: sampling.train_positions(tf.constant(num_positions), num_snippets,
                                                        seed), 200, tf.int32)
    for positions in draws:
        for t, (start, stop) in enumerate(segments):
            assert start <= positions[t] < stop, (positions, segments)
            seen[t].add(int(positions[t]))
    assert seen == [set(range(start, stop)) for start, stop in segments]


def test_train_positions_repeat_in_order_when_fewer_positions_than_snippets():
    positions = sampling.train_positions(tf.constant(2), 5, tf.constant([0, 0], tf.int64))
    np.testing.assert_array_equal(positions, [0, 0, 0, 1, 1])


@pytest.mark.parametrize("num_positions,num_snippets,expected", [
    (25, 5, [2, 7, 12, 17, 22]),  # TSN: int(tick / 2 + tick * t), tick = 5
    (10, 5, [1, 3, 5, 7, 9]),
    (3, 5, [0, 0, 1, 2, 2]),
    (1, 4, [0, 0, 0, 0]),
])
def test_eval_positions_are_segment_middles(num_positions, num_snippets, expected):
    positions = sampling.eval_positions(tf.constant(num_positions), num_snippets)
    np.testing.assert_array_equal(positions, expected)
    tick = num_positions / num_snippets
    np.testing.assert_array_equal(positions, [int(tick / 2 + tick * t) for t in range(num_snippets)])


def _allowed_train_windows(height, width, max_distort):
    sizes = [int(min(height, width) * s) for s in protocol.TRAIN_SCALES]
    windows = set()
    for i, j in itertools.product(range(4), repeat=2):
        if abs(i - j) > max_distort:
            continue
        w, h = sizes[i], sizes[j]
        for y, x in [(0, 0), (0, width - w), (height - h, 0), (height - h, width - w),
                     ((height - h) // 2, (width - w) // 2)]:
            windows.add((y, x, h, w))
    return windows


@pytest.mark.parametrize("height,width,max_distort", [(256, 340, 1), (48, 64, 1), (64, 48, 0)])
def test_train_crop_windows_are_exactly_the_tsn_set(height, width, max_distort):
    allowed = _allowed_train_windows(height, width, max_distort)
    draws = _draw(lambda seed: crops.train_crop_window(
        tf.constant(height), tf.constant(width), seed, max_aspect_distortion=max_distort),
        1500, tf.int32)
    drawn = {tuple(window) for window in draws}
    assert drawn == allowed


def test_train_crop_sizes_for_tsn_frames():
    np.testing.assert_array_equal(crops.crop_sizes(tf.constant(256)), [256, 224, 192, 168])


def test_eval_crop_windows_hand_computed():
    # 48 x 64 frame: side floor(0.875 * 48) = 42; right edge 64 - 42 = 22, bottom 48 - 42 = 6.
    windows = crops.eval_crop_windows(tf.constant(48), tf.constant(64)).numpy()
    np.testing.assert_array_equal(windows, [[0, 0, 42, 42], [0, 22, 42, 42], [6, 0, 42, 42],
                                            [6, 22, 42, 42], [3, 11, 42, 42]])
    # TSN frames: 224 crops of 340 x 256.
    windows = crops.eval_crop_windows(tf.constant(256), tf.constant(340)).numpy()
    np.testing.assert_array_equal(windows[:, 2:], np.full((5, 2), 224))
    np.testing.assert_array_equal(windows[:, :2], [[0, 0], [0, 116], [32, 0], [32, 116], [16, 58]])
