"""encode_video_record, write_shard and write_manifest, checked by reading back with TensorFlow."""

import json
import re

import numpy as np
import pytest
import tensorflow as tf

from data_prep.records import writing as records
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError, MissingInputError


def _smooth_frames(num, height, width, seed):
    """Smooth images (JPEG-friendly) whose brightness encodes the position p."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    base = 60 + 40 * np.sin(xx / 7.0) + 30 * np.cos(yy / 5.0)
    frames = []
    for p in range(num):
        offset = rng.integers(0, 60, size=3)
        frames.append(np.stack([base + offset[c] + 10 * p for c in range(3)], -1))
    return np.clip(frames, 0, 255).astype(np.uint8)


def _parse(serialized):
    context, lists = tf.io.parse_single_sequence_example(
        serialized,
        context_features={
            rf.LABEL_INDEX: tf.io.FixedLenFeature([], tf.int64),
            rf.LABEL_TEXT: tf.io.FixedLenFeature([], tf.string),
            rf.VIDEO_FILENAME: tf.io.FixedLenFeature([], tf.string),
            rf.NUM_FRAMES: tf.io.FixedLenFeature([], tf.int64),
            rf.FPS: tf.io.FixedLenFeature([], tf.float32),
            rf.HEIGHT: tf.io.FixedLenFeature([], tf.int64),
            rf.WIDTH: tf.io.FixedLenFeature([], tf.int64),
            rf.NUM_POSITIONS: tf.io.FixedLenFeature([], tf.int64),
            rf.POSITIONS_REQUESTED: tf.io.FixedLenFeature([], tf.int64),
            rf.FLOW_BOUND: tf.io.FixedLenFeature([], tf.float32),
            rf.FLOW_FORMAT: tf.io.FixedLenFeature([], tf.string),
        },
        sequence_features={
            rf.IMAGE_ENCODED: tf.io.FixedLenSequenceFeature([], tf.string),
            rf.FLOW_X_ENCODED: tf.io.FixedLenSequenceFeature([], tf.string),
            rf.FLOW_Y_ENCODED: tf.io.FixedLenSequenceFeature([], tf.string),
            rf.FRAME_INDEX: tf.io.FixedLenSequenceFeature([], tf.int64),
        })
    return context, lists


@pytest.mark.parametrize("flow_format", ["jpeg", "png"])
def test_record_round_trips_through_tensorflow(flow_format):
    rgb = _smooth_frames(3, 24, 32, seed=0)
    flow = np.stack([_smooth_frames(3, 24, 32, seed=1)[..., 0],
                     _smooth_frames(3, 24, 32, seed=2)[..., 1]], -1)
    serialized = records.encode_video_record(
        rgb, flow, [0, 5, 9], label=7, label_text="Punch", filename="Punch/v_Punch_g01_c01.avi",
        num_frames=11, fps=25.0, positions_requested=3, flow_bound=20.0, flow_format=flow_format,
        jpeg_quality=95)
    context, lists = _parse(serialized)
    assert int(context[rf.LABEL_INDEX]) == 7
    assert context[rf.LABEL_TEXT].numpy() == b"Punch"
    assert context[rf.VIDEO_FILENAME].numpy() == b"Punch/v_Punch_g01_c01.avi"
    assert int(context[rf.NUM_FRAMES]) == 11 and float(context[rf.FPS]) == 25.0
    assert (int(context[rf.HEIGHT]), int(context[rf.WIDTH])) == (24, 32)
    assert int(context[rf.NUM_POSITIONS]) == 3 and int(context[rf.POSITIONS_REQUESTED]) == 3
    assert float(context[rf.FLOW_BOUND]) == 20.0
    assert context[rf.FLOW_FORMAT].numpy() == flow_format.encode()
    np.testing.assert_array_equal(lists[rf.FRAME_INDEX].numpy(), [0, 5, 9])

    decoded_rgb = np.stack([tf.io.decode_jpeg(b).numpy() for b in lists[rf.IMAGE_ENCODED]])
    assert decoded_rgb.shape == rgb.shape
    # RGB order survives (the JPEG is written from RGB, not silently as BGR): mean error is small.
    assert np.abs(decoded_rgb.astype(int) - rgb).mean() < 2.0
    decode = tf.io.decode_png if flow_format == "png" else tf.io.decode_jpeg
    decoded_x = np.stack([decode(b).numpy()[..., 0] for b in lists[rf.FLOW_X_ENCODED]])
    decoded_y = np.stack([decode(b).numpy()[..., 0] for b in lists[rf.FLOW_Y_ENCODED]])
    if flow_format == "png":
        np.testing.assert_array_equal(decoded_x, flow[..., 0])
        np.testing.assert_array_equal(decoded_y, flow[..., 1])
    else:
        assert np.abs(decoded_x.astype(int) - flow[..., 0]).mean() < 2.0
        assert np.abs(decoded_y.astype(int) - flow[..., 1]).mean() < 2.0


def test_encoding_is_deterministic():
    rgb = _smooth_frames(2, 16, 16, seed=3)
    flow = np.full((2, 16, 16, 2), 128, np.uint8)
    kwargs = dict(label=0, label_text="a", filename="a/b.avi", num_frames=3, fps=0.0,
                  positions_requested=2)
    assert (records.encode_video_record(rgb, flow, [0, 1], **kwargs)
            == records.encode_video_record(rgb.copy(), flow.copy(), [0, 1], **kwargs))


def test_bad_arrays_raise_errors_naming_the_video():
    rgb = _smooth_frames(2, 16, 16, seed=3)
    kwargs = dict(label=0, label_text="a", filename="a/b.avi", num_frames=3, fps=0.0,
                  positions_requested=2)
    with pytest.raises(ValueError, match=r"a/b.avi: expected flow of shape .*Received: flow.shape="):
        records.encode_video_record(rgb, np.zeros((2, 16, 16, 3), np.uint8), [0, 1], **kwargs)
    with pytest.raises(ValueError, match=r"expected rgb_frames .* dtype=float32"):
        records.encode_video_record(rgb.astype(np.float32), np.zeros((2, 16, 16, 2), np.uint8),
                                    [0, 1], **kwargs)
    with pytest.raises(ValueError, match=r"expected increasing .*frame_indices=\[1, 1\]"):
        records.encode_video_record(rgb, np.zeros((2, 16, 16, 2), np.uint8), [1, 1], **kwargs)
    with pytest.raises(ValueError, match=r"Expected flow_format in .*Received: flow_format='gif'"):
        records.encode_video_record(rgb, np.zeros((2, 16, 16, 2), np.uint8), [0, 1],
                                    flow_format="gif", **kwargs)


def test_write_shard_and_manifest_are_atomic_and_readable(tmp_path):
    path = str(tmp_path / rf.shard_filename("toy", 0, 1))
    assert records.write_shard(path, [b"one", b"two"]) == 2
    assert [r.numpy() for r in tf.data.TFRecordDataset(path)] == [b"one", b"two"]
    manifest = {"format_version": rf.FORMAT_VERSION, "name": "toy", "classes": ["a"],
                "shards": [path.split("/")[-1]], "videos": {},
                "splits": {"1": {"train": [], "test": []}}}
    records.write_manifest(str(tmp_path), manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == [rf.MANIFEST_FILENAME, path.split("/")[-1]]
    assert json.loads((tmp_path / rf.MANIFEST_FILENAME).read_text()) == manifest
    assert records.read_manifest is rf.read_manifest  # one reader for the writer and the reader
    assert records.read_manifest(str(tmp_path)) == manifest


def test_read_manifest_names_the_file_and_what_is_wrong(tmp_path):
    absent = tmp_path / "absent"
    expected = re.escape(f"Expected a manifest at {absent / rf.MANIFEST_FILENAME}")
    with pytest.raises(MissingInputError, match=expected + r".*data_prep\.build\.local\.build_records"):
        rf.read_manifest(str(absent))
    path = tmp_path / rf.MANIFEST_FILENAME
    path.write_text("{not json")
    with pytest.raises(IncompatibleInputError, match=f"{path} is not valid JSON"):
        rf.read_manifest(str(tmp_path))
    path.write_text(json.dumps({"format_version": rf.FORMAT_VERSION, "name": "toy"}))
    with pytest.raises(IncompatibleInputError, match=re.escape(
            f"{path}: expected the keys format_version, name, classes, shards, videos, splits. "
            "Received: a manifest without ['classes', 'shards', 'videos', 'splits']")):
        rf.read_manifest(str(tmp_path))
