"""Which shards of data_prep's records hold a split side's videos (`select_shards`).

The manifest layout is the contract of `tan_keras.record_format`, whose `read_manifest` is the one
reader; `tan_keras.data.source.RecordsSource` opens it and asks here for a side's shards. Every
check fails with an error that names the manifest file and what is wrong, before any tf.data
work starts.
"""

import os
from typing import Callable, NamedTuple

import tensorflow as tf

from tan_keras import record_format as rf
from tan_keras.data.parsing import parse_record
from tan_keras.errors import IncompatibleInputError, MissingInputError

SIDES = ("train", "test")
SEQUENCE_EXAMPLE = "tf.train.SequenceExample"


class ShardSelection(NamedTuple):
    """The shards to read for one side of one split, and how to parse their records.

    paths: shard file paths (only those holding at least one selected video), in manifest order.
    expected_counts: records each of those shards holds (all of its videos, of any side), from the
      manifest (or a TFDS build's dataset_info.json); the reader compares it with what it could
      read to detect corrupt files.
    video_ids: the selected videos' ids (`video/filename`), in split-file order.
    num_classes: the manifest's class count.
    parse: serialized record [] string -> `parsing.parse_record`'s dict; `parse_record` for
      data_prep's records, `tfds_source.parse_tfds_example` for a TFDS build.
    record_type: the proto the shards hold, for error messages.
    selected_counts: selected videos each of those shards holds (None: unknown, taken to be
      `expected_counts`); how input pipelines share the shards depends on it.
    """
    paths: list
    expected_counts: list
    video_ids: list
    num_classes: int
    parse: Callable = parse_record
    record_type: str = SEQUENCE_EXAMPLE
    selected_counts: list | None = None


def _shard_index(manifest: dict, video_id: str, manifest_path: str) -> int:
    """The position in manifest['shards'] of the shard holding `video_id` (int index or file name)."""
    shard = manifest["videos"][video_id].get("shard")
    if isinstance(shard, str) and shard in manifest["shards"]:
        return manifest["shards"].index(shard)
    if isinstance(shard, int) and 0 <= shard < len(manifest["shards"]):
        return shard
    raise IncompatibleInputError(
        f"{manifest_path}: expected videos[{video_id!r}]['shard'] to be an index into 'shards' "
        f"(0..{len(manifest['shards']) - 1}) or one of its names. Received: shard={shard!r}")


def select_shards(records_dir: str, manifest: dict, video_ids: list) -> ShardSelection:
    """The shards holding `video_ids` (ids in manifest['videos'], e.g. `RecordsSource.videos`).

    Raises:
      IncompatibleInputError: for a video's shard that is not in manifest['shards'].
      MissingInputError: for a listed shard file that does not exist.
    """
    manifest_path = os.path.join(records_dir, rf.MANIFEST_FILENAME)
    counts = [0] * len(manifest["shards"])
    for video_id in manifest["videos"]:
        counts[_shard_index(manifest, video_id, manifest_path)] += 1
    selected = [0] * len(manifest["shards"])
    for video_id in video_ids:
        selected[_shard_index(manifest, video_id, manifest_path)] += 1
    wanted = [i for i, count in enumerate(selected) if count]
    paths = [os.path.join(records_dir, manifest["shards"][i]) for i in wanted]
    for path in paths:
        if not tf.io.gfile.exists(path):
            raise MissingInputError(f"{manifest_path} lists the shard {path}, which does not "
                                    "exist.")
    return ShardSelection(paths=paths, expected_counts=[counts[i] for i in wanted],
                          video_ids=list(video_ids), num_classes=len(manifest["classes"]),
                          selected_counts=[selected[i] for i in wanted])
