"""TFRecord frames and protos read without TensorFlow, against TensorFlow's own reader and
parser on the records of the real clips (data_prep's SequenceExamples and a TFDS build's
Examples)."""

import pytest
import tensorflow as tf

from data_prep.checking import record_wire


def _tf_records(path) -> list[bytes]:
    return [r.numpy() for r in tf.data.TFRecordDataset(str(path))]


def _tf_values(feature) -> tuple[str, list]:
    kind = feature.WhichOneof("kind")
    values = list(getattr(feature, kind).value)
    return {"bytes_list": "bytes", "float_list": "float", "int64_list": "int64"}[kind], values


def test_frames_and_sequence_examples_equal_tensorflows(ucf_records_root):
    shard = next((ucf_records_root / "ucf101").glob("*.tfrecord"))
    frames, problem = record_wire.scan_frames(str(shard))
    expected = _tf_records(shard)
    assert problem is None and len(frames) == len(expected) == 6
    for frame, serialized in zip(frames, expected):
        data, problem = record_wire.read_frame_data(str(shard), frame)
        assert problem is None and data == serialized
        context, lists = record_wire.parse_features(data, sequence=True)
        proto = tf.train.SequenceExample.FromString(serialized)
        assert context == {k: _tf_values(v) for k, v in proto.context.feature.items()}
        assert lists == {k: [_tf_values(f) for f in v.feature]
                         for k, v in proto.feature_lists.feature_list.items()}


def test_tfds_examples_equal_tensorflows(tfds_ucf101):
    shard = next(tfds_ucf101.glob("*train.tfrecord-*"))
    frames, problem = record_wire.scan_frames(str(shard))
    expected = _tf_records(shard)
    assert problem is None and len(frames) == len(expected) == 3
    for frame, serialized in zip(frames, expected):
        features, lists = record_wire.parse_features(
            record_wire.read_frame_data(str(shard), frame)[0], sequence=False)
        proto = tf.train.Example.FromString(serialized)
        assert lists == {}
        assert features == {k: _tf_values(v) for k, v in proto.features.feature.items()}


def test_unpacked_repeated_values_and_negative_int64():
    # Int64List {value: -3 (unpacked), value: 5}, FloatList {value: 1.5 (unpacked, fixed32)}
    int64s = b"\x1a" + bytes([2 + 11]) + b"\x08" + b"\xfd" + b"\xff" * 8 + b"\x01" + b"\x08\x05"
    assert record_wire.parse_feature(memoryview(int64s)) == ("int64", [-3, 5])
    floats = b"\x12\x05\x0d\x00\x00\xc0\x3f"
    assert record_wire.parse_feature(memoryview(floats)) == ("float", [1.5])


def test_a_cut_or_corrupt_frame_is_found(ucf_records_root, tmp_path):
    shard = next((ucf_records_root / "ucf101").glob("*.tfrecord"))
    data = shard.read_bytes()
    frames, _ = record_wire.scan_frames(str(shard))
    cut = tmp_path / "cut.tfrecord"
    cut.write_bytes(data[:frames[3].offset + 10])
    found, problem = record_wire.scan_frames(str(cut))
    assert len(found) == 3 and "record 3 " in problem and "truncated" in problem
    bad_length = bytearray(data)
    bad_length[frames[2].offset - 12] ^= 0x01  # the low byte of record 2's length
    (tmp_path / "length.tfrecord").write_bytes(bytes(bad_length))
    found, problem = record_wire.scan_frames(str(tmp_path / "length.tfrecord"))
    assert len(found) == 2 and "length of record 2" in problem and "checksum" in problem
    with pytest.raises(ValueError, match="runs past the end"):
        record_wire.parse_features(data[frames[0].offset:frames[0].offset + 50], sequence=True)
