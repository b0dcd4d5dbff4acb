"""Reading the parsed records of one split side from its shards, with corrupt-record handling.

Per shard: read -> parse (`ShardSelection.parse`: data_prep's SequenceExamples or a TFDS build's
Examples, both to `parsing.parse_record`'s dict) -> drop what cannot be read or parsed -> compare
the count with the manifest's -> check each record (`parsing.record_problem`) -> keep the side's
videos. Shards are interleaved. A corrupt record stops the input with an error naming its shard
file, or, with `skip_corrupt=True`, is skipped, counted and logged.
"""

import sys

import tensorflow as tf

from tan_keras.data.corrupt_records import CorruptRecordCounter
from tan_keras.data.manifest import SEQUENCE_EXAMPLE, ShardSelection
from tan_keras.data.parsing import empty_record, parse_record, record_problem

_MAX_OPEN_SHARDS = 8


def _log_skip(count: tf.Tensor, path: tf.Tensor, reason: tf.Tensor,
              counter: CorruptRecordCounter | None) -> list:
    """Logs one line to stderr and adds `count` to the counter."""
    line = tf.strings.join(["tan_keras.data: skipped ", tf.strings.as_string(count),
                            " corrupt record(s) in shard ", path, ": ", reason])
    ops = [tf.print(line, output_stream=sys.stderr)]
    if counter is not None:
        ops.append(counter.add(count))
    return ops


def _count_check(path, expected, skip_corrupt, counter, record_type):
    """The predicate that ends a shard: the records read must be the `expected` count."""

    def keep(record, is_end, num_read):
        del record
        missing = tf.cast(expected, tf.int64) - num_read
        message = tf.strings.join([
            "Corrupt shard ", path, ": read ", tf.strings.as_string(num_read), " of the ",
            tf.strings.as_string(expected), " records listed for it (manifest.json or "
            "dataset_info.json); the others are truncated, fail their checksum or do not parse "
            f"as {record_type}. Pass skip_corrupt=True to skip them."])
        short = is_end & tf.not_equal(missing, 0)
        if skip_corrupt:
            ops = tf.cond(short, lambda: tf.group(
                _log_skip(missing, path, "unreadable or unparseable", counter)), tf.no_op)
        else:
            ops = tf.debugging.Assert(~short, [message])
        with tf.control_dependencies([ops]):
            return tf.logical_not(is_end)

    return keep


def _record_check(path, num_classes, flow_format, skip_corrupt, counter):
    """The predicate that keeps a parsed record when `record_problem` finds nothing wrong."""

    def keep(record):
        problem = record_problem(record, num_classes, flow_format)
        ok = tf.equal(problem, b"")
        message = tf.strings.join(["Corrupt record in shard ", path, ": video ",
                                   record["video_id"], ": ", problem, "."])
        if skip_corrupt:
            ops = tf.cond(ok, tf.no_op, lambda: tf.group(
                _log_skip(tf.constant(1, tf.int64), path, problem, counter)))
        else:
            ops = tf.debugging.Assert(ok, [message])
        with tf.control_dependencies([ops]):
            return tf.identity(ok)

    return keep


def read_shard(path: tf.Tensor, expected: tf.Tensor, num_classes: int, flow_format: str,
               skip_corrupt: bool, counter: CorruptRecordCounter | None, parse=parse_record,
               record_type: str = SEQUENCE_EXAMPLE) -> tf.data.Dataset:
    """The checked, parsed records of one shard file (all sides).

    parse: serialized record -> `parsing.parse_record`'s dict; record_type: the proto it parses
    (for the error message).
    """
    records = tf.data.TFRecordDataset(path).map(parse).ignore_errors()
    marked = records.map(lambda r: (r, False)).concatenate(
        tf.data.Dataset.from_tensors((empty_record(), True)))
    counted = marked.scan(tf.constant(0, tf.int64),
                          lambda n, x: (n + tf.cast(~x[1], tf.int64), (x[0], x[1], n)))
    complete = counted.filter(_count_check(path, expected, skip_corrupt, counter, record_type))
    return complete.map(lambda r, is_end, n: r).filter(
        _record_check(path, num_classes, flow_format, skip_corrupt, counter))


def shares_by_file(selection: ShardSelection, num_pipelines: int) -> bool:
    """Whether `num_pipelines` input pipelines should split `selection` by whole shards.

    Pipeline i would read shards i, i + n, ...: yes when each of them then holds at least half of
    total / n selected videos (so none is empty, and none repeats its share more than about
    twice while the others finish an epoch).
    """
    counts = selection.selected_counts or selection.expected_counts
    if len(counts) < num_pipelines:
        return False
    shares = [sum(counts[i::num_pipelines]) for i in range(num_pipelines)]
    return 2 * num_pipelines * min(shares) >= sum(counts)


def read_side(selection: ShardSelection, *, flow_format: str, skip_corrupt: bool,
              counter: CorruptRecordCounter | None, shuffle_seed: int | None, shuffle_files: bool,
              deterministic: bool, input_context: tf.distribute.InputContext | None = None
              ) -> tf.data.Dataset:
    """Parsed records (see `parsing.parse_record`) of the selected side, shards interleaved.

    Each shard is parsed with `selection.parse` (data_prep's records or a TFDS build's).

    With an `input_context` of n > 1 input pipelines, pipeline i reads shards i, i + n, ... when
    that gives every pipeline at least half its even share of the side's videos
    (`shares_by_file`), and every n-th of the side's records in all the shards otherwise.
    """
    paths, counts = selection.paths, selection.expected_counts
    files = tf.data.Dataset.from_tensor_slices((paths, tf.constant(counts, tf.int64)))
    num_pipelines = input_context.num_input_pipelines if input_context else 1
    pipeline_id = input_context.input_pipeline_id if input_context else 0
    shard_files = num_pipelines > 1 and shares_by_file(selection, num_pipelines)
    if shard_files:
        files = files.shard(num_pipelines, pipeline_id)
    if shuffle_files:
        files = files.shuffle(len(paths), seed=shuffle_seed, reshuffle_each_iteration=True)
    num_classes = selection.num_classes
    records = files.interleave(
        lambda path, expected: read_shard(path, expected, num_classes, flow_format, skip_corrupt,
                                          counter, selection.parse, selection.record_type),
        cycle_length=min(len(paths), _MAX_OPEN_SHARDS), block_length=1,
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    wanted = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant(selection.video_ids),
                                            tf.ones(len(selection.video_ids), tf.int32)),
        default_value=0)
    records = records.filter(lambda r: tf.equal(wanted.lookup(r["video_id"]), 1))
    if num_pipelines > 1 and not shard_files:
        records = records.shard(num_pipelines, pipeline_id)  # of the side's videos: even shares
    return records
