"""A minimal protobuf wire encoder for `tf.train.SequenceExample`, with no TensorFlow import.

Worker processes encode records without loading TensorFlow (seconds and hundreds of MB per
worker). The bytes equal `tf.train.SequenceExample(...).SerializeToString(deterministic=True)`:
map entries sorted by key, repeated int64/float packed (proto3), as
tests/data_prep/records/test_proto_wire.py checks against TensorFlow itself.

Messages (field numbers from tensorflow/core/example/{feature,example}.proto):
  SequenceExample { Features context = 1; FeatureLists feature_lists = 2; }
  Features { map<string, Feature> feature = 1; }
  FeatureLists { map<string, FeatureList> feature_list = 1; }
  FeatureList { repeated Feature feature = 1; }
  Feature { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
  BytesList { repeated bytes value = 1; }  FloatList { repeated float value = 1 [packed]; }
  Int64List { repeated int64 value = 1 [packed]; }
"""

import struct

_LEN = 2  # wire type: length-delimited


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 -> two's complement, 10 bytes
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint((number << 3) | _LEN) + _varint(len(payload)) + payload


def bytes_feature(values) -> bytes:
    """A serialized Feature holding a BytesList."""
    return _field(1, b"".join(_field(1, bytes(v)) for v in values))


def int64_feature(values) -> bytes:
    """A serialized Feature holding an Int64List (packed)."""
    packed = b"".join(_varint(int(v)) for v in values)
    return _field(3, _field(1, packed) if packed else b"")


def float_feature(values) -> bytes:
    """A serialized Feature holding a FloatList (packed little-endian float32)."""
    packed = b"".join(struct.pack("<f", float(v)) for v in values)
    return _field(2, _field(1, packed) if packed else b"")


def _map(entries: dict) -> bytes:
    """A map<string, message> field 1, entries sorted by key (deterministic serialization)."""
    return b"".join(_field(1, _field(1, key.encode("utf-8")) + _field(2, value))
                    for key, value in sorted(entries.items()))


def sequence_example(context: dict, feature_lists: dict) -> bytes:
    """context: {key: serialized Feature}; feature_lists: {key: [serialized Feature, ...]}."""
    lists = {key: b"".join(_field(1, f) for f in features)
             for key, features in feature_lists.items()}
    return _field(1, _map(context)) + _field(2, _map(lists))
