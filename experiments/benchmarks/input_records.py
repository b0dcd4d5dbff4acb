"""The records `input_pipeline` measures on: copies of a few distinct videos under many ids.

The distinct contents are synthetic 340 x 256 textures (RGB: a scene panning 2 px a position;
flow: smooth random fields with noise), or the records of an existing records directory, e.g.
one built by `data_prep.build_records` from a few real clips. Copies make an epoch
far longer than the shuffle buffer, as in real use, without encoding (or computing TV-L1 for)
every video.
"""

import os

import cv2
import numpy as np
import tensorflow as tf

from data_prep.records.writing import encode_video_record, write_manifest, write_shard
from tan_keras import record_format as rf
from tan_keras.data.parsing import parse_record
from tan_keras.data.source import RecordsSource

WIDTH, HEIGHT = 340, 256


def _texture(rng, height, width, channels, spread, noise):
    """A smooth random image with mild noise, like a video frame: [H, W, C] float."""
    coarse = rng.uniform(-spread, spread, (height // 16 + 2, width // 16 + 2, channels))
    smooth = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    return smooth.reshape(height, width, channels) + rng.normal(0, noise, (height, width, channels))


def _renamed(serialized, video_id, label, label_text):
    example = tf.train.SequenceExample.FromString(serialized)
    context = example.context.feature
    context[rf.VIDEO_FILENAME].bytes_list.value[:] = [video_id.encode()]
    context[rf.LABEL_INDEX].int64_list.value[:] = [label]
    context[rf.LABEL_TEXT].bytes_list.value[:] = [label_text.encode()]
    return example.SerializeToString()


def _source_records(source: RecordsSource):
    """Every record in the shards of data_prep's records (serialized), in manifest order."""
    paths = [os.path.join(source.path, shard) for shard in source.manifest["shards"]]
    records = [serialized for path in paths
               for serialized in tf.data.TFRecordDataset(path).as_numpy_iterator()]
    if not records:
        raise FileNotFoundError(f"No records in the shard files of {source.path!r}")
    return records


def _num_positions(serialized):
    return int(parse_record(tf.constant(serialized))["num_positions"])


def write_bench_records(records_dir, num_videos, unique_videos, positions, num_shards,
                        contents_from=None):
    """Writes `num_videos` records (3/4 train, 1/4 test in split 1) and their manifest.

    Args:
      unique_videos: distinct synthetic contents (ignored with `contents_from`).
      positions: stored positions per synthetic video.
      contents_from: None, or a records directory whose records are the distinct contents.

    Returns:
      The records' total size in bytes.
    """
    rng = np.random.default_rng(0)
    classes = [f"Class{i}" for i in range(4)]
    records, videos = [], {}
    params = {"frame_size": [WIDTH, HEIGHT], "flow_format": "jpeg", "positions": positions}
    if contents_from is not None:
        source = RecordsSource.open(contents_from)
        records, params = _source_records(source), source.params
        unique_videos = len(records)
    for v in range(num_videos):
        video_id, label = f"{classes[v % 4]}/v_{v:03d}.avi", v % 4
        if v < len(records):
            records[v] = _renamed(records[v], video_id, label, classes[label])
        elif v < unique_videos:
            scene = _texture(rng, HEIGHT, WIDTH + positions * 2, 3, 90, 3) + 128
            rgb = np.stack([scene[:, 2 * p:2 * p + WIDTH] for p in range(positions)])
            flow = np.stack([_texture(rng, HEIGHT, WIDTH, 2, 25, 2) + 128
                             for _ in range(positions)])
            records.append(encode_video_record(
                np.clip(rgb, 0, 255).astype(np.uint8), np.clip(flow, 0, 255).astype(np.uint8),
                np.arange(positions), label=label, label_text=classes[label], filename=video_id,
                num_frames=positions + 1, fps=25.0, positions_requested=positions))
        else:
            records.append(_renamed(records[v % unique_videos], video_id, label, classes[label]))
        videos[video_id] = {"label": label, "shard": v % num_shards,
                            "num_positions": _num_positions(records[v])}
    shards = [rf.shard_filename("bench", i, num_shards) for i in range(num_shards)]
    for i, shard in enumerate(shards):
        write_shard(os.path.join(records_dir, shard), records[i::num_shards])
    ids = list(videos)
    write_manifest(records_dir, {
        "format_version": rf.FORMAT_VERSION, "name": "bench", "classes": classes,
        "shards": shards, "counts": {"videos": num_videos, "failed": 0}, "videos": videos,
        "splits": {"1": {"train": [i for k, i in enumerate(ids) if k % 4 != 3],
                         "test": [i for k, i in enumerate(ids) if k % 4 == 3]}},
        "failures": [], "params": params})
    return sum(len(r) for r in records)


