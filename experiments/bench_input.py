"""Benchmark of the tf.data input: the JPEG-decode limit against the training and test pipelines.

Figures, on the same records:
  (a) decode limit: clips/s that `tf.io.decode_jpeg` alone reaches on exactly the JPEGs the
      training clips need (T RGB + 2T flow per clip), one parallel tf.data map over the raw bytes;
  (b) the training pipeline (`tan_keras.data.train_dataset`): clips/s;
  (b)/(a), the pipeline's share of the decode limit (target >= 0.8);
  (r) record read: `tf.data.TFRecordDataset` alone over the train side's shards, CPU ms per
      record (one record per clip; (a) leaves it out, the pipeline cannot);
  the test pipeline (`tan_keras.data.eval_dataset`, 10 views): videos/s.

Without --records_dir it first writes synthetic records at the TSN storage size (340 x 256, RGB
and flow JPEG, --positions per video) with the data_prep writer.

  python -m experiments.bench_input
  python -m experiments.bench_input --records_dir=/data/ucf101_records --batch_size=32
"""

import os
import tempfile
import time
from typing import NamedTuple

import cv2
import numpy as np
import tensorflow as tf
from absl import app, flags

from data_prep.records import encode_video_record, write_manifest, write_shard
from tan_keras import data
from tan_keras import record_format as rf
from tan_keras.data.manifest import load_manifest, select_shards

flags.DEFINE_string("records_dir", None, "Records to read; default: synthetic ones in a temp dir.")
flags.DEFINE_integer("split", 1, "Split whose train side feeds (a) and (b), test side the eval.")
flags.DEFINE_integer("num_videos", 96, "Synthetic videos (3/4 train, 1/4 test); an epoch far "
                     "longer than the shuffle buffer, as in real use.")
flags.DEFINE_integer("unique_videos", 12, "Distinct synthetic contents; the others are copies "
                     "under new ids (saves encoding time).")
flags.DEFINE_integer("positions", 25, "Stored positions per synthetic video.")
flags.DEFINE_integer("num_shards", 8, "Shards of the synthetic records.")
flags.DEFINE_integer("batch_size", 8, "Training batch size B.")
flags.DEFINE_integer("num_snippets", 5, "T.")
flags.DEFINE_integer("image_size", 224, "S.")
flags.DEFINE_integer("clips", 240, "Clips timed per training-pipeline measurement.")
flags.DEFINE_integer("eval_videos", 12, "Videos timed per test-pipeline measurement.")
flags.DEFINE_integer("rounds", 2, "Measurements of (a) and (b), alternating; the best counts.")
FLAGS = flags.FLAGS

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


def write_synthetic_records(records_dir, num_videos, unique_videos, positions, num_shards):
    """Writes synthetic 340 x 256 records (JPEG RGB and flow) and a manifest with split 1."""
    rng = np.random.default_rng(0)
    classes = [f"Class{i}" for i in range(4)]
    records, videos = [], {}
    for v in range(num_videos):
        video_id, label = f"{classes[v % 4]}/v_{v:03d}.avi", v % 4
        if v < unique_videos:
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
        videos[video_id] = {"label": label, "shard": v % num_shards, "num_positions": positions}
    shards = [rf.shard_filename("bench", i, num_shards) for i in range(num_shards)]
    for i, shard in enumerate(shards):
        write_shard(os.path.join(records_dir, shard), records[i::num_shards])
    ids = list(videos)
    write_manifest(records_dir, {
        "format_version": rf.FORMAT_VERSION, "name": "bench", "classes": classes,
        "shards": shards, "counts": {"videos": num_videos, "failed": 0}, "videos": videos,
        "splits": {"1": {"train": [i for k, i in enumerate(ids) if k % 4 != 3],
                         "test": [i for k, i in enumerate(ids) if k % 4 == 3]}},
        "failures": [], "params": {"flow_format": "jpeg"}})
    return sum(len(r) for r in records)


def clip_jpegs(records_dir, split, num_snippets):
    """The 3T encoded images of one clip (T evenly spaced positions) per train video: [N, 3T]."""
    selection = select_shards(records_dir, load_manifest(records_dir), split, "train")
    wanted = set(selection.video_ids)
    clips = []
    for path in selection.paths:
        for serialized in tf.data.TFRecordDataset(path).as_numpy_iterator():
            example = tf.train.SequenceExample.FromString(serialized)
            if example.context.feature[rf.VIDEO_FILENAME].bytes_list.value[0].decode() not in wanted:
                continue
            lists = example.feature_lists.feature_list
            num_positions = len(lists[rf.IMAGE_ENCODED].feature)
            positions = [int((t + 0.5) * num_positions / num_snippets) for t in range(num_snippets)]
            clips.append([lists[key].feature[p].bytes_list.value[0] for p in positions
                          for key in (rf.IMAGE_ENCODED, rf.FLOW_X_ENCODED, rf.FLOW_Y_ENCODED)])
    return clips


class Rate(NamedTuple):
    """Throughput in wall-clock items/s, and this process's CPU milliseconds per item."""
    per_second: float
    cpu_ms: float


def _timed(consume, num_items) -> Rate:
    wall, cpu = time.perf_counter(), time.process_time()
    consume()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Rate(num_items / wall, 1000 * cpu / num_items)


def decode_limit(clips, num_clips) -> Rate:
    """(a): clips/s of tf.io.decode_jpeg alone over `num_clips` clips' JPEGs (parallel map)."""
    jpegs = [image for k in range(num_clips) for image in clips[k % len(clips)]]
    dataset = tf.data.Dataset.from_tensor_slices(jpegs).map(
        lambda encoded: tf.shape(tf.io.decode_jpeg(encoded))[0],
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=False).batch(256)
    for _ in dataset.take(1):  # warm-up
        pass
    return _timed(lambda: [None for _ in dataset], num_clips)


def read_limit(records_dir, split) -> Rate:
    """(r): records/s of reading the shards alone (framing and checksums, no parsing)."""
    paths = select_shards(records_dir, load_manifest(records_dir), split, "train").paths
    dataset = tf.data.TFRecordDataset(paths, num_parallel_reads=len(paths)).map(
        tf.strings.length).batch(64)
    count = sum(int(tf.size(lengths)) for lengths in dataset)  # warm-up (file cache), counting
    return _timed(lambda: [None for _ in dataset], count)


def pipeline_rate(dataset, items_per_element, num_items) -> Rate:
    """Items/s of a dataset after a warm-up element; consumes about num_items items."""
    iterator = iter(dataset.repeat())
    next(iterator)
    elements = max(1, num_items // items_per_element)
    return _timed(lambda: [next(iterator) for _ in range(elements)],
                  elements * items_per_element)


def main(argv):
    del argv
    records_dir = FLAGS.records_dir
    if records_dir is None:
        records_dir = tempfile.mkdtemp(prefix="bench_input_")
        size = write_synthetic_records(records_dir, FLAGS.num_videos, FLAGS.unique_videos,
                                       FLAGS.positions, FLAGS.num_shards)
        print(f"synthetic records: {FLAGS.num_videos} videos x {FLAGS.positions} positions, "
              f"{WIDTH}x{HEIGHT}, {size / FLAGS.num_videos / 1e6:.2f} MB per video, in {records_dir}")
    clips = clip_jpegs(records_dir, FLAGS.split, FLAGS.num_snippets)
    mean_kb = np.mean([len(image) for clip in clips for image in clip]) / 1e3
    print(f"T={FLAGS.num_snippets}, S={FLAGS.image_size}, B={FLAGS.batch_size}; "
          f"{len(clips[0])} JPEGs per clip, {mean_kb:.1f} kB each on average")
    train = data.train_dataset(records_dir, split=FLAGS.split, batch_size=FLAGS.batch_size,
                               num_snippets=FLAGS.num_snippets, image_size=FLAGS.image_size,
                               seed=0)
    limits, rates, reads = [], [], []
    for round_ in range(FLAGS.rounds):
        reads.append(read_limit(records_dir, FLAGS.split))
        limits.append(decode_limit(clips, FLAGS.clips))
        rates.append(pipeline_rate(train, FLAGS.batch_size, FLAGS.clips))
        print(f"round {round_ + 1}: (a) decode limit {limits[-1].per_second:.1f} clips/s "
              f"({limits[-1].cpu_ms:.2f} CPU ms/clip), (b) training pipeline "
              f"{rates[-1].per_second:.1f} clips/s ({rates[-1].cpu_ms:.2f} CPU ms/clip)")
    limit = max(limits, key=lambda r: r.per_second)
    rate = max(rates, key=lambda r: r.per_second)
    cpu_limit = min(r.cpu_ms for r in limits)
    cpu_rate = min(r.cpu_ms for r in rates)
    cpu_read = min(r.cpu_ms for r in reads)
    print(f"(r) record read: {max(r.per_second for r in reads):.1f} records/s; "
          f"{cpu_read:.2f} CPU ms per record")
    print(f"(a) decode limit: {limit.per_second:.1f} clips/s; {cpu_limit:.2f} CPU ms per clip")
    print(f"(b) training pipeline: {rate.per_second:.1f} clips/s; {cpu_rate:.2f} CPU ms per clip")
    print(f"(b)/(a) = {rate.per_second / limit.per_second:.2f} (wall clock); "
          f"{cpu_limit / cpu_rate:.2f} (CPU time, steadier on a shared machine); "
          f"((a) + (r))/(b) in CPU time: {(cpu_limit + cpu_read) / cpu_rate:.2f}")
    evaluation = data.eval_dataset(records_dir, split=FLAGS.split, num_snippets=FLAGS.num_snippets,
                                   image_size=FLAGS.image_size)
    videos = pipeline_rate(evaluation, 1, FLAGS.eval_videos)
    print(f"test pipeline (10 views): {videos.per_second:.2f} videos/s; "
          f"{videos.cpu_ms:.1f} CPU ms per video")


def run_main():
    app.run(main)


if __name__ == "__main__":
    run_main()
