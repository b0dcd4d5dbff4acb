"""Parsing one serialized record (`tf.train.SequenceExample`) and checking it before any decoding.

`parse_record` is the one parser of data_prep's records (the pipelines, the benchmarks and the
tests use it). A TFDS build's tf.train.Example, another proto, parses to the same dict
(`tfds_source.parse_tfds_example`), so `record_problem` and everything after it serve both.

`parse_record` reads only what the input pipeline needs. `record_problem` returns why a parsed
record is unusable ('' when it is fine), using cheap checks (lengths, image markers, the first JPEG's
header) so that a corrupt record is caught in the shard reader, where its file name is known.
"""

import functools

import tensorflow as tf

from tan_keras import record_format as rf

_JPEG_START, _JPEG_END = b"\xff\xd8", b"\xff\xd9"
_PNG_START, _PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"

_CONTEXT_FEATURES = {
    rf.LABEL_INDEX: tf.io.FixedLenFeature([], tf.int64),
    rf.VIDEO_FILENAME: tf.io.FixedLenFeature([], tf.string),
    rf.HEIGHT: tf.io.FixedLenFeature([], tf.int64),
    rf.WIDTH: tf.io.FixedLenFeature([], tf.int64),
    rf.NUM_POSITIONS: tf.io.FixedLenFeature([], tf.int64),
    rf.FLOW_FORMAT: tf.io.FixedLenFeature([], tf.string),
}
_SEQUENCE_FEATURES = {
    key: tf.io.FixedLenSequenceFeature([], tf.string, allow_missing=True)
    for key in (rf.IMAGE_ENCODED, rf.FLOW_X_ENCODED, rf.FLOW_Y_ENCODED)
}


def parse_record(serialized: tf.Tensor) -> dict:
    """serialized: [] string -> a dict of tensors.

    Returns:
      label: [] int32; video_id: [] string; height, width, num_positions: [] int32;
      flow_format: [] string; rgb, flow_x, flow_y: [P] string, the encoded images per position.
    """
    context, sequence = tf.io.parse_single_sequence_example(
        serialized, context_features=_CONTEXT_FEATURES, sequence_features=_SEQUENCE_FEATURES)
    return {
        "label": tf.cast(context[rf.LABEL_INDEX], tf.int32),
        "video_id": context[rf.VIDEO_FILENAME],
        "height": tf.cast(context[rf.HEIGHT], tf.int32),
        "width": tf.cast(context[rf.WIDTH], tf.int32),
        "num_positions": tf.cast(context[rf.NUM_POSITIONS], tf.int32),
        "flow_format": context[rf.FLOW_FORMAT],
        "rgb": sequence[rf.IMAGE_ENCODED],
        "flow_x": sequence[rf.FLOW_X_ENCODED],
        "flow_y": sequence[rf.FLOW_Y_ENCODED],
    }


def empty_record() -> dict:
    """A parsed record with no positions, shaped like `parse_record`'s output (a stream marker)."""
    scalar_int = tf.constant(0, tf.int32)
    return {"label": scalar_int, "video_id": tf.constant(b""), "height": scalar_int,
            "width": scalar_int, "num_positions": scalar_int, "flow_format": tf.constant(b""),
            "rgb": tf.constant([], tf.string), "flow_x": tf.constant([], tf.string),
            "flow_y": tf.constant([], tf.string)}


def _all_framed(encoded: tf.Tensor, start: bytes, end: bytes) -> tf.Tensor:
    """encoded: [P] string -> [] bool, True when every entry starts with `start` and ends with `end`."""
    starts = tf.equal(tf.strings.substr(encoded, 0, len(start)), start)
    ends = tf.equal(tf.strings.substr(encoded, -len(end), len(end)), end)
    return tf.reduce_all(starts & ends)


@functools.lru_cache(maxsize=None)
def _tiny_jpeg() -> bytes:
    """A valid 1 x 1 JPEG, the header to read when a record has no first image."""
    with tf.init_scope():
        return tf.io.encode_jpeg(tf.zeros([1, 1, 3], tf.uint8)).numpy()


def _header_matches(record: dict, usable: tf.Tensor) -> tf.Tensor:
    """The first JPEG's header size equals video/height x video/width (read only when usable).

    Written without tf.cond, which inside a tf.data function costs a nested function call.
    """
    first = tf.concat([record["rgb"][:1], [_tiny_jpeg()]], axis=0)[0]
    shape = tf.io.extract_jpeg_shape(tf.where(usable, first, _tiny_jpeg()))
    return tf.reduce_all(tf.equal(shape[:2], tf.stack([record["height"], record["width"]])))


def first_record(paths: list, parse=parse_record) -> dict | None:
    """The first readable record of the shard files, parsed (eagerly), or None.

    parse: the shards' parse function (`manifest.ShardSelection.parse`). `RecordsSource` reads
    one, once, for the frame size and flow format of a manifest that does not record them.
    """
    for path in paths:
        try:
            for serialized in tf.data.TFRecordDataset(path).take(1):
                return parse(serialized)
        except (tf.errors.DataLossError, tf.errors.InvalidArgumentError):
            continue
    return None


def record_problem(record: dict, num_classes: int, flow_format: str) -> tf.Tensor:
    """record: `parse_record`'s output -> [] string, why it is unusable, or b'' when it is fine.

    flow_format: the records directory's flow format ('jpeg' or 'png'; `RecordsSource.flow_format`).
    """
    num_positions = record["num_positions"]
    lengths = tf.stack([tf.size(record[key]) for key in ("rgb", "flow_x", "flow_y")])
    checks = [
        (num_positions >= 1, "it stores no positions"),
        (tf.reduce_all(tf.equal(lengths, num_positions)),
         "its image lists differ in length from clip/num_positions"),
        (tf.equal(record["flow_format"], flow_format.encode()),
         f"its flow/format is not {flow_format}, the format of the records"),
        ((record["label"] >= 0) & (record["label"] < num_classes),
         f"its label is outside 0..{num_classes - 1}"),
        ((record["height"] > 0) & (record["width"] > 0), "its video/height or video/width is not positive"),
    ]
    ok_so_far = tf.constant(True)
    problem = tf.constant(b"")
    for passed, reason in checks:
        problem = tf.where(ok_so_far & ~passed, tf.constant(reason.encode()), problem)
        ok_so_far &= passed
    flow_start, flow_end = (_PNG_START, _PNG_END) if flow_format == "png" else (_JPEG_START,
                                                                                 _JPEG_END)
    framed = (_all_framed(record["rgb"], _JPEG_START, _JPEG_END)
              & _all_framed(record["flow_x"], flow_start, flow_end)
              & _all_framed(record["flow_y"], flow_start, flow_end))
    problem = tf.where(ok_so_far & ~framed, tf.constant(b"an image is truncated"), problem)
    ok_so_far &= framed
    header = _header_matches(record, ok_so_far)
    problem = tf.where(ok_so_far & ~header,
                       tf.constant(b"video/height and video/width disagree with the JPEG header"),
                       problem)
    return problem
