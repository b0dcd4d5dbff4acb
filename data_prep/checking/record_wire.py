"""Reading TFRecord shards and their protos without TensorFlow: the reading side of
`data_prep.records.tfrecord_wire` and `proto_wire`, for the checker's worker processes.

A TFRecord file is a sequence of frames (see `tfrecord_wire`):
  uint64 length | uint32 masked CRC-32C of the length bytes | data | uint32 masked CRC-32C of data.
`scan_frames` walks the length fields alone (a seek a record), checking each against its
checksum, so the parent process lists a shard's records cheaply; `read_frame_data` reads one
record's data and checks its checksum, in a worker. A length that fails its checksum ends the
scan: nothing after it can be found (TFRecord has no resync marker).

`parse_features` decodes a serialized `tf.train.SequenceExample` (data_prep's records) or
`tf.train.Example` (a TFDS build's) into plain Python lists, using the field numbers of
tensorflow/core/example/{feature,example}.proto (listed in `proto_wire`). Repeated int64 and
float values are read packed or unpacked, as protobuf parsers must.
"""

import dataclasses
import os
import struct

from data_prep.records.tfrecord_wire import masked_crc32c

_HEADER, _FOOTER = 12, 4  # uint64 length + uint32 CRC; uint32 CRC of the data


@dataclasses.dataclass(frozen=True)
class Frame:
    """One record of a shard: `offset` of its data in the file, and its `length` in bytes."""
    offset: int
    length: int


def scan_frames(path: str) -> tuple[list[Frame], str | None]:
    """The records of the TFRecord file `path`, found by their length fields.

    Returns:
      (frames, problem): every record found before the first unreadable length, and why the scan
      stopped early (None when the file ends cleanly after the last record).
    """
    size = os.path.getsize(path)
    frames, position = [], 0
    with open(path, "rb") as f:
        while position < size:
            if size - position < _HEADER:
                return frames, (f"the file ends {size - position} byte(s) into the header of "
                                f"record {len(frames)} (byte {position}): truncated")
            f.seek(position)
            header = f.read(_HEADER)
            length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
            if masked_crc32c(length_bytes) != length_crc:
                return frames, (f"the length of record {len(frames)} (byte {position}) fails its "
                                f"checksum: the file is corrupt from there on")
            length = struct.unpack("<Q", length_bytes)[0]
            end = position + _HEADER + length + _FOOTER
            if end > size:
                return frames, (f"record {len(frames)} (byte {position}) needs {length} bytes "
                                f"of data but the file ends before them: truncated")
            frames.append(Frame(offset=position + _HEADER, length=length))
            position = end
    return frames, None


def read_frame_data(path: str, frame: Frame) -> tuple[bytes, str | None]:
    """The data of one record and what is wrong with it: None, or that it fails its CRC-32C
    (the data is returned anyway, so that the record can still be named) or is cut short."""
    with open(path, "rb") as f:
        f.seek(frame.offset)
        data = f.read(frame.length + _FOOTER)
    if len(data) != frame.length + _FOOTER:
        return data[:frame.length], "the file ends inside its data: truncated"
    record, crc = data[:frame.length], struct.unpack("<I", data[frame.length:])[0]
    if masked_crc32c(record) != crc:
        return record, "its data fails its CRC-32C checksum (a changed or corrupt byte)"
    return record, None


# Protobuf wire format.


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("a varint runs past the end of its message")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("a varint is longer than 10 bytes")


def _fields(buf: memoryview):
    """(field number, wire type, value) of each field: an int (varint), or bytes (the others)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _varint(buf, pos)
        elif wire_type == 2:
            length, pos = _varint(buf, pos)
            if pos + length > len(buf):
                raise ValueError(f"field {number} runs past the end of its message")
            value, pos = buf[pos:pos + length], pos + length
        elif wire_type in (1, 5):
            width = 8 if wire_type == 1 else 4
            if pos + width > len(buf):
                raise ValueError(f"field {number} runs past the end of its message")
            value, pos = buf[pos:pos + width], pos + width
        else:
            raise ValueError(f"field {number} has wire type {wire_type}, which these protos "
                             f"do not use")
        yield number, wire_type, value


def _int64s(wire_type: int, value) -> list[int]:
    if wire_type == 0:
        return [_signed(value)]
    out, pos = [], 0
    while pos < len(value):
        item, pos = _varint(value, pos)
        out.append(_signed(item))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _floats(wire_type: int, value) -> list[float]:
    data = bytes(value)
    if wire_type == 5:
        return [struct.unpack("<f", data)[0]]
    if len(data) % 4:
        raise ValueError("a packed float list is not a whole number of floats")
    return list(struct.unpack(f"<{len(data) // 4}f", data))


def parse_feature(buf: memoryview) -> tuple[str, list]:
    """A serialized Feature -> ('bytes' | 'float' | 'int64', its values); ('empty', [])."""
    kind, values = "empty", []
    for number, _, payload in _fields(buf):
        if number not in (1, 2, 3):
            continue
        kind, values = {1: "bytes", 2: "float", 3: "int64"}[number], []
        for inner, wire_type, value in _fields(payload):
            if inner != 1:
                continue
            if number == 1:
                values.append(bytes(value))
            elif number == 2:
                values.extend(_floats(wire_type, value))
            else:
                values.extend(_int64s(wire_type, value))
    return kind, values


def _map(buf: memoryview) -> dict:
    """Features or FeatureLists, whose field 1 is a map<string, message> (entries of key 1 and
    value 2) -> {key: value bytes}."""
    out = {}
    for number, _, entry in _fields(buf):
        if number != 1:
            continue
        key, value = "", memoryview(b"")
        for inner, _, payload in _fields(entry):
            if inner == 1:
                key = bytes(payload).decode("utf-8")
            elif inner == 2:
                value = payload
        out[key] = value
    return out


def parse_features(serialized: bytes, sequence: bool) -> tuple[dict, dict]:
    """A serialized SequenceExample (`sequence=True`) or Example -> (features, feature_lists).

    features: {key: (kind, values)} (the context of a SequenceExample, the features of an
    Example); feature_lists: {key: [(kind, values), ...]} ({} for an Example).

    Raises:
      ValueError: when the bytes are not such a proto (truncated, wrong wire types).
    """
    features, lists = {}, {}
    for number, wire_type, payload in _fields(memoryview(serialized)):
        if wire_type != 2:
            continue
        if number == 1:
            features = {k: parse_feature(v) for k, v in _map(payload).items()}
        elif number == 2 and sequence:
            lists = {k: [parse_feature(f) for n, _, f in _fields(v) if n == 1]
                     for k, v in _map(payload).items()}
    return features, lists
