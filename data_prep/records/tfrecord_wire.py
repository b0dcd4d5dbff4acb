"""TFRecord framing without TensorFlow, so that writing shards does not load it.

A TFRecord file is a sequence of frames:
  uint64 length (little endian) | uint32 masked CRC-32C of the length bytes |
  data [length bytes] | uint32 masked CRC-32C of the data,
where masked(crc) = ((crc >> 15 | crc << 17) + 0xa282ead8) mod 2^32 (TensorFlow's
`tsl/lib/hash/crc32c.h`). `tests/data_prep/records/test_proto_wire.py` checks the bytes against
`tf.io.TFRecordWriter`'s.
"""

import struct

import google_crc32c

_MASK_DELTA = 0xA282EAD8


def masked_crc32c(data: bytes) -> int:
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(record: bytes) -> bytes:
    """One serialized record -> its TFRecord frame (bytes)."""
    length = struct.pack("<Q", len(record))
    return (length + struct.pack("<I", masked_crc32c(length)) + record
            + struct.pack("<I", masked_crc32c(record)))
