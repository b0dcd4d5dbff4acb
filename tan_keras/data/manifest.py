"""Reading a records directory's manifest: which videos form a split's side, and which shards hold them.

The manifest layout is the contract of `tan_keras.record_format`. Every check here fails with an error
that names the manifest file and what is wrong, before any tf.data work starts.
"""

import os
from typing import Callable, NamedTuple

import tensorflow as tf

from tan_keras import record_format as rf
from tan_keras.data.parsing import parse_record

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


def load_manifest(records_dir: str) -> dict:
    """Reads `records_dir/manifest.json` and checks the keys the reader needs."""
    path = os.path.join(records_dir, rf.MANIFEST_FILENAME)
    manifest = rf.read_manifest(records_dir)
    missing = [key for key in ("format_version", "classes", "shards", "videos", "splits")
               if key not in manifest]
    if missing:
        raise ValueError(f"{path}: expected the keys format_version, classes, shards, videos and "
                         f"splits. Received a manifest without {missing}.")
    if manifest["format_version"] != rf.FORMAT_VERSION:
        raise ValueError(f"{path}: expected format_version {rf.FORMAT_VERSION}. "
                         f"Received: format_version={manifest['format_version']!r}")
    return manifest


def _shard_index(manifest: dict, video_id: str, manifest_path: str) -> int:
    """The position in manifest['shards'] of the shard holding `video_id` (int index or file name)."""
    shard = manifest["videos"][video_id].get("shard")
    if isinstance(shard, str) and shard in manifest["shards"]:
        return manifest["shards"].index(shard)
    if isinstance(shard, int) and 0 <= shard < len(manifest["shards"]):
        return shard
    raise ValueError(f"{manifest_path}: expected videos[{video_id!r}]['shard'] to be an index into "
                     f"'shards' (0..{len(manifest['shards']) - 1}) or one of its names. "
                     f"Received: shard={shard!r}")


def select_shards(records_dir: str, manifest: dict, split: int | str, side: str) -> ShardSelection:
    """The shards and videos of `side` ('train' or 'test') of `split` (1, 2, 3 or '1', ...).

    Videos listed by the split but absent from manifest['videos'] (failed during the build) are left
    out; the build's manifest lists them under 'failures'.
    """
    manifest_path = os.path.join(records_dir, rf.MANIFEST_FILENAME)
    if side not in SIDES:
        raise ValueError(f"Expected side in {SIDES}. Received: side={side!r}")
    key = rf.split_key(split)
    if key not in manifest["splits"]:
        raise ValueError(f"{manifest_path}: expected split in {sorted(manifest['splits'])}. "
                         f"Received: split={split!r}")
    listed = manifest["splits"][key].get(side, [])
    video_ids = [video_id for video_id in listed if video_id in manifest["videos"]]
    if not video_ids:
        raise ValueError(f"{manifest_path}: expected videos on the {side!r} side of split {key}. "
                         f"Received: {len(listed)} listed, none of them in 'videos'.")

    counts = [0] * len(manifest["shards"])
    for video_id in manifest["videos"]:
        counts[_shard_index(manifest, video_id, manifest_path)] += 1
    wanted = sorted({_shard_index(manifest, video_id, manifest_path) for video_id in video_ids})
    paths = [os.path.join(records_dir, manifest["shards"][i]) for i in wanted]
    for path in paths:
        if not tf.io.gfile.exists(path):
            raise FileNotFoundError(f"{manifest_path} lists the shard {path}, which does not exist.")
    selected = [0] * len(manifest["shards"])
    for video_id in video_ids:
        selected[_shard_index(manifest, video_id, manifest_path)] += 1
    return ShardSelection(paths=paths, expected_counts=[counts[i] for i in wanted],
                          video_ids=video_ids, num_classes=len(manifest["classes"]),
                          selected_counts=[selected[i] for i in wanted])
