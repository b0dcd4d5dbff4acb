"""tan_keras.protocol: hand-computed cases, one function on ints, NumPy, TF and keras.ops, and no
second copy of its facts in the code."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from tan_keras import protocol
from tests.helpers.imports import heavy_imports
from tests.helpers.paths import REPO_ROOT


def test_importable_without_tensorflow_or_keras():
    assert heavy_imports("tan_keras.protocol") == []


def test_test_positions_hand_computed():
    # TSN: int(tick / 2 + tick * t), tick = P / T = 5.
    assert [protocol.test_positions(25, 5, t) for t in range(5)] == [2, 7, 12, 17, 22]
    assert [protocol.test_positions(3, 5, t) for t in range(5)] == [0, 0, 1, 2, 2]


def test_segment_bounds_hand_computed():
    # P = 25, T = 5: segments of 5. P = 2, T = 5: segments 0, 1, 2 would be empty below
    # position 1 and hold position 0; segments 3 and 4 hold position 1 (training: 0 0 0 1 1).
    assert [protocol.segment_bounds(25, 5, t) for t in range(5)] == [
        (0, 5), (5, 5), (10, 5), (15, 5), (20, 5)]
    assert [protocol.segment_bounds(2, 5, t) for t in range(5)] == [
        (0, 1), (0, 1), (0, 1), (1, 1), (1, 1)]
    # P = 7, T = 3: floor(7 t / 3) = 0, 2, 4 and the ends 2, 4, 7.
    assert [protocol.segment_bounds(7, 3, t) for t in range(3)] == [(0, 2), (2, 2), (4, 3)]


def test_five_test_windows_of_a_340_x_256_frame():
    # Short side 256: side floor(0.875 * 256) = 224; right 340 - 224 = 116, bottom 32.
    assert protocol.test_crop_windows(256, 340, 256) == (
        (0, 0, 224, 224), (0, 116, 224, 224), (32, 0, 224, 224), (32, 116, 224, 224),
        (16, 58, 224, 224))
    assert len(protocol.LOCATIONS) == protocol.NUM_TEST_CROPS == 5
    assert protocol.LOCATIONS[4] == "centre"


def test_scaled_sides_equal_tsns_int_of_the_float_product():
    for side in range(1, 1200):
        for scale in protocol.TRAIN_SCALES + (protocol.TEST_CROP_FRACTION,):
            assert protocol.scaled_side(side, scale) == int(side * scale), (side, scale)
    assert [protocol.scaled_side(256, s) for s in protocol.TRAIN_SCALES] == [256, 224, 192, 168]
    with pytest.raises(ValueError, match=r"Expected a positive scale with at most 4 decimals. "
                                         r"Received: scale=0.123456"):
        protocol.scaled_side(256, 0.123456)


def test_views_are_the_crops_then_their_mirrors():
    views = range(protocol.NUM_TEST_VIEWS)
    assert protocol.NUM_TEST_VIEWS == 10
    assert [protocol.view_crop(v) for v in views] == [0, 1, 2, 3, 4] * 2
    assert [protocol.view_mirrored(v) for v in views] == [0] * 5 + [1] * 5


def _as_list(value):
    return np.asarray(keras.ops.convert_to_numpy(value)).tolist()


@pytest.mark.parametrize("num_positions,num_snippets", [(25, 5), (2, 5), (7, 3), (1, 4),
                                                       (250, 25)])
def test_one_function_gives_the_same_numbers_on_ints_numpy_tf_and_keras(num_positions,
                                                                         num_snippets):
    def on_ints(function):
        values = [function(num_positions, num_snippets, t) for t in range(num_snippets)]
        return [list(v) for v in zip(*values)] if isinstance(values[0], tuple) else values

    def on_tensors(function, positions, t):
        value = function(positions, num_snippets, t)
        return [_as_list(v) for v in value] if isinstance(value, tuple) else _as_list(value)

    arange = np.arange(num_snippets)
    for function in (protocol.test_positions, protocol.segment_bounds):
        want = on_ints(function)
        assert on_tensors(function, np.int64(num_positions), arange) == want
        assert on_tensors(function, tf.constant(num_positions), tf.range(num_snippets)) == want
        assert on_tensors(function, keras.ops.convert_to_tensor(num_positions, "int32"),
                          keras.ops.arange(num_snippets, dtype="int32")) == want


def test_crop_windows_on_ints_numpy_tf_and_keras():
    sizes = [(256, 340), (48, 64), (64, 48)]
    want = [protocol.test_crop_windows(h, w, min(h, w)) for h, w in sizes]
    height, width = np.array([h for h, _ in sizes]), np.array([w for _, w in sizes])
    for convert, minimum in ((np.asarray, np.minimum), (tf.constant, tf.minimum),
                             (keras.ops.convert_to_tensor, keras.ops.minimum)):
        h, w = convert(height), convert(width)
        windows = protocol.test_crop_windows(h, w, minimum(h, w))
        columns = [[_as_list(value) for value in window] for window in windows]  # [5][4][N]
        got = [tuple(tuple(values[i] for values in window) for window in columns)
               for i in range(len(sizes))]
        assert got == want, convert


# The protocol's facts, written out, that must appear in tan_keras/protocol.py only.
COPIES = {
    "the test crop fraction": re.compile(r"0\.875"),
    "the test position formula": re.compile(
        r"\(\s*2\s*\*\s*\w+\s*\+\s*1\s*\)|\(\s*\w+\s*\+\s*(0?\.5|1\s*/\s*2)\s*\)\s*\*\s*\w"),
    "the segment bound formula": re.compile(r"\(\s*\w+\s*\+\s*1\s*\)\s*\*\s*\w+\s*\)\s*//"),
    "a number of views": re.compile(r"NUM_\w*VIEWS\s*=(?!=)"),
}


def test_no_other_module_repeats_the_protocol():
    found = []
    for folder in ("tan_keras", "data_prep", "experiments"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if path == REPO_ROOT / "tan_keras" / "protocol.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                found += [f"{path.relative_to(REPO_ROOT)}:{number}: {what}: {line.strip()}"
                          for what, pattern in COPIES.items() if pattern.search(line)]
    assert not found, "\n".join(found)
    protocol_source = (REPO_ROOT / "tan_keras" / "protocol.py").read_text()
    assert all(pattern.search(protocol_source) for pattern in COPIES.values())


def test_tan_keras_data_re_exports_the_constants_and_their_former_names_warn():
    from tan_keras import data

    assert (data.LOCATIONS, data.NUM_TEST_VIEWS, data.TEST_CROP_FRACTION, data.TRAIN_SCALES) == (
        protocol.LOCATIONS, protocol.NUM_TEST_VIEWS, protocol.TEST_CROP_FRACTION,
        protocol.TRAIN_SCALES)
    with pytest.warns(DeprecationWarning, match=r"tan_keras.data.NUM_EVAL_VIEWS is now "
                                                r"tan_keras.protocol.NUM_TEST_VIEWS"):
        assert data.NUM_EVAL_VIEWS == protocol.NUM_TEST_VIEWS
    with pytest.warns(DeprecationWarning, match=r"EVAL_CROP_FRACTION is now"):
        assert data.EVAL_CROP_FRACTION == protocol.TEST_CROP_FRACTION
    with pytest.raises(AttributeError, match=r"has no attribute 'NUM_VIEWS'"):
        data.NUM_VIEWS  # noqa: B018
