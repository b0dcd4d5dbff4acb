"""Corrupt records and bad records directories: errors that name the file, or skipped and counted."""

import json
import os

import pytest
import tensorflow as tf

from tan_keras import data
from tan_keras import record_format as rf
from tests.helpers import synthetic_records as sr

TRAIN = [sr.Video(f"ClassA/v_{k}.avi", k % 4, k % 3, 4, "train") for k in range(4)]
TEST = [sr.Video("ClassB/v_test.avi", 0, 1, 4, "test")]


def _truncate_image(serialized: bytes, key: str, position: int) -> bytes:
    example = tf.train.SequenceExample.FromString(serialized)
    image = example.feature_lists.feature_list[key].feature[position].bytes_list
    image.value[0] = image.value[0][: len(image.value[0]) // 2]
    return example.SerializeToString()


@pytest.fixture
def records_dir(tmp_path):
    """Two shards: shard 0 holds TRAIN[0], TRAIN[2], TEST[0]; shard 1 holds TRAIN[1], TRAIN[3]."""
    sr.write_records(str(tmp_path), TRAIN, num_shards=2)
    manifest = json.loads((tmp_path / rf.MANIFEST_FILENAME).read_text())
    shard0 = tmp_path / manifest["shards"][0]
    test_record = sr.encode(TEST[0])
    with tf.io.TFRecordWriter(str(shard0) + ".new") as writer:
        for record in tf.data.TFRecordDataset(str(shard0)).as_numpy_iterator():
            writer.write(record)
        writer.write(test_record)
    os.replace(str(shard0) + ".new", shard0)
    manifest["videos"][TEST[0].video_id] = {"label": 1, "shard": 0, "num_positions": 4}
    manifest["splits"]["1"]["test"] = [TEST[0].video_id]
    (tmp_path / rf.MANIFEST_FILENAME).write_text(json.dumps(manifest))
    return tmp_path, manifest


def _rewrite_shard(path, records):
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)


def _train(records_dir, **kwargs):
    return data.train_dataset(str(records_dir), batch_size=1, num_snippets=2, image_size=16,
                              normalize=False, seed=0, **kwargs)


def _labels(dataset):
    return sorted(int(labels[0]) for _, labels in dataset)


def test_truncated_shard_stops_with_an_error_naming_it(records_dir):
    path, manifest = records_dir
    shard1 = path / manifest["shards"][1]
    raw = shard1.read_bytes()
    shard1.write_bytes(raw[: len(raw) - 100])  # the second record loses its tail
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"Corrupt shard {shard1}: read 1 of the 2 records"):
        list(_train(path))


def test_unparseable_record_stops_with_an_error_naming_the_shard(records_dir):
    path, manifest = records_dir
    shard1 = path / manifest["shards"][1]
    records = list(tf.data.TFRecordDataset(str(shard1)).as_numpy_iterator())
    _rewrite_shard(shard1, [records[0], b"\x0a\xff\xff not a SequenceExample"])
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"Corrupt shard {shard1}"):
        list(_train(path))


def test_truncated_jpeg_stops_with_an_error_naming_shard_and_video(records_dir):
    path, manifest = records_dir
    shard1 = path / manifest["shards"][1]
    records = list(tf.data.TFRecordDataset(str(shard1)).as_numpy_iterator())
    _rewrite_shard(shard1, [records[0], _truncate_image(records[1], rf.FLOW_Y_ENCODED, 2)])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"Corrupt record in shard {shard1}: video {TRAIN[3].video_id}: "
                             f"an image is truncated"):
        list(_train(path))


def test_skip_corrupt_skips_counts_and_keeps_the_rest(records_dir, capfd):
    path, manifest = records_dir
    shard0, shard1 = (path / name for name in manifest["shards"])
    records0 = list(tf.data.TFRecordDataset(str(shard0)).as_numpy_iterator())
    # Shard 0: TRAIN[0] fine, TRAIN[2] with a truncated RGB JPEG, TEST[0] fine.
    _rewrite_shard(shard0, [records0[0], _truncate_image(records0[1], rf.IMAGE_ENCODED, 0),
                            records0[2]])
    raw = shard1.read_bytes()
    shard1.write_bytes(raw[: len(raw) - 100])  # shard 1: TRAIN[3] unreadable.
    counter = data.CorruptRecordCounter()
    labels = _labels(_train(path, skip_corrupt=counter))
    assert labels == sorted([TRAIN[0].label, TRAIN[1].label])
    assert counter.count == 2
    log = capfd.readouterr().err
    assert f"skipped 1 corrupt record(s) in shard {shard1}: unreadable or unparseable" in log
    assert f"skipped 1 corrupt record(s) in shard {shard0}: an image is truncated" in log
    # The counter keeps counting over passes and datasets; the test side needs only shard 0.
    list(data.eval_dataset(str(path), num_snippets=2, image_size=16, skip_corrupt=counter,
                           normalize=False))
    assert counter.count == 3


def test_missing_manifest_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"Expected a manifest at {tmp_path}"):
        _train(tmp_path)


def test_missing_shard_and_unknown_split_are_named(records_dir):
    path, manifest = records_dir
    with pytest.raises(ValueError, match=r"manifest.json: expected split in \['1'\]. "
                                         r"Received: split=2"):
        _train(path, split=2)
    os.remove(path / manifest["shards"][1])
    with pytest.raises(FileNotFoundError,
                       match=f"lists the shard {path / manifest['shards'][1]}, which does not exist"):
        _train(path)


def test_wrong_format_version_is_named(records_dir):
    path, manifest = records_dir
    manifest["format_version"] = 99
    (path / rf.MANIFEST_FILENAME).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="expected format_version 1. Received: format_version=99"):
        _train(path)


def test_record_with_another_flow_format_is_named(records_dir):
    path, manifest = records_dir  # PNG flow, as the manifest's params say
    shard1 = path / manifest["shards"][1]
    records = list(tf.data.TFRecordDataset(str(shard1)).as_numpy_iterator())
    _rewrite_shard(shard1, [records[0], sr.encode(TRAIN[3], flow_format="jpeg")])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"Corrupt record in shard {shard1}: video {TRAIN[3].video_id}: its "
                             f"flow/format is not png, the format of the records"):
        list(_train(path))
