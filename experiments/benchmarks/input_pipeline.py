"""Benchmark of the tf.data input: the JPEG-decode limit against the training and test pipelines.

Figures, on the same records:
  (a) decode limit: clips/s that `tf.io.decode_jpeg` alone reaches on exactly the JPEGs the
      training clips need (T RGB + 2T flow per clip), one parallel tf.data map over the raw bytes;
  (b) the training pipeline (`tan_keras.data.train_dataset`): clips/s;
  (b)/(a), the pipeline's share of the decode limit (target >= 0.8);
  (r) record read: `tf.data.TFRecordDataset` alone over the train side's shards, CPU ms per
      record (one record per clip; (a) leaves it out, the pipeline cannot);
  the test pipeline (`tan_keras.data.eval_dataset`, 10 views): videos/s;
  with --stages, where the time goes: the training pipeline cut after each step (records read,
  parsed, checked and shuffled; + the selected JPEGs decoded; + resized; + the finish step), in
  CPU ms per clip, each with (a)'s CPU time over it: the most (b)/(a) can reach if the steps
  after the cut cost nothing.

Without --records_dir it first writes synthetic records at the TSN storage size (340 x 256, RGB
and flow JPEG, --positions per video) with the data_prep writer, in a temporary directory that is
removed at the end unless --keep_records.

  python -m experiments.benchmarks.input_pipeline
  python -m experiments.benchmarks.input_pipeline --records_dir=/data/ucf101_records --batch_size=32
"""

import shutil
import tempfile
import time
from typing import NamedTuple

import numpy as np
import tensorflow as tf
from absl import app, flags

from experiments.benchmarks.input_records import HEIGHT, WIDTH, write_bench_records
from tan_keras import data
from tan_keras import record_format as rf
from tan_keras.backbones import preprocess_input
from tan_keras.data import clips as clip_steps
from tan_keras.data.datasets import seeded_train_records
from tan_keras.data.manifest import load_manifest, select_shards
from tan_keras.data.parsing import flow_format_of

flags.DEFINE_string("records_dir", None, "Records to read; default: synthetic ones in a temp dir.")
flags.DEFINE_integer("split", 1, "Split whose train side feeds (a) and (b), test side the eval.")
flags.DEFINE_integer("num_videos", 96, "Synthetic videos (3/4 train, 1/4 test); an epoch far "
                     "longer than the shuffle buffer, as in real use.")
flags.DEFINE_string("contents_from", None, "A records directory whose records are copied to make "
                    "the --num_videos videos, instead of synthetic textures; e.g. one built from a "
                    "few real clips (real JPEG sizes, real TV-L1 flow).")
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
flags.DEFINE_bool("stages", True, "Also time the training pipeline cut after each step.")
flags.DEFINE_bool("keep_records", False, "Keep the temporary directory of the records written "
                  "for the bench.")
FLAGS = flags.FLAGS

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


def _timed(consume) -> Rate:
    """Times `consume`, which returns how many items it consumed."""
    wall, cpu = time.perf_counter(), time.process_time()
    num_items = consume()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Rate(num_items / wall, 1000 * cpu / num_items)


def _drained(dataset, num_items):
    """Consumes a whole (finite) dataset; returns `num_items`, the items it held."""
    for _ in dataset:
        pass
    return num_items


def decode_limit(clips, num_clips) -> Rate:
    """(a): clips/s of tf.io.decode_jpeg alone over `num_clips` clips' JPEGs (parallel map)."""
    jpegs = [image for k in range(num_clips) for image in clips[k % len(clips)]]
    dataset = tf.data.Dataset.from_tensor_slices(jpegs).map(
        lambda encoded: tf.shape(tf.io.decode_jpeg(encoded))[0],
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=False).batch(256)
    for _ in dataset.take(1):  # warm-up
        pass
    return _timed(lambda: _drained(dataset, num_clips))


def read_limit(records_dir, split) -> Rate:
    """(r): records/s of reading the shards alone (framing and checksums, no parsing)."""
    paths = select_shards(records_dir, load_manifest(records_dir), split, "train").paths
    dataset = tf.data.TFRecordDataset(paths, num_parallel_reads=len(paths)).map(
        tf.strings.length).batch(64)
    count = sum(int(tf.size(lengths)) for lengths in dataset)  # warm-up (file cache), counting
    return _timed(lambda: _drained(dataset, count))


def _batch_size(element) -> int:
    """Items in a batched element: the leading size of its first tensor."""
    return int(tf.shape(tf.nest.flatten(element)[0])[0])


def pipeline_rate(dataset, num_items, count=_batch_size) -> Rate:
    """Items/s of a dataset in steady state, timed over about `num_items` items.

    Items are counted with `count(element)`, so the smaller last batch of each epoch counts as
    what it is. Elements worth a quarter of `num_items` are consumed untimed first: right after
    the first element, work that the parallel map and the prefetch buffer did during the
    start-up would otherwise count as free.
    """
    iterator = iter(dataset.repeat())

    def consume(target):
        consumed = 0
        while consumed < target:
            consumed += count(next(iterator))
        return consumed

    consume(max(1, num_items // 4))
    return _timed(lambda: consume(num_items))


def _first_values(*tensors):
    """One value of each tensor: keeps a step's work in the graph without passing on its output."""
    return tf.stack([tf.cast(tf.reshape(t, [-1])[0], tf.float32) for t in tensors])


def stage_cuts(records_dir, split, num_snippets, image_size, batch_size) -> dict:
    """The training pipeline (as `train_dataset` builds it) cut after each step: name -> dataset.

    Each cut keeps its steps' full work and passes on one value per tensor, batched by B.
    """
    selection = select_shards(records_dir, load_manifest(records_dir), split, "train")
    flow_format = flow_format_of(selection.paths)
    finish = clip_steps.fused_finisher(preprocess_input("googlenet"))

    def decoded(record, seed):
        return clip_steps.decode_train_clip(record, seed, num_snippets=num_snippets,
                                            flow_format=flow_format)

    def cut(step):
        records = seeded_train_records(selection, flow_format, seed=0)
        return records.map(step, num_parallel_calls=tf.data.AUTOTUNE,
                           deterministic=False).batch(batch_size)

    return {
        "read, parse, check, shuffle": cut(lambda r, s: _first_values(r["num_positions"])),
        "+ decode the selected JPEGs": cut(lambda r, s: _first_values(*decoded(r, s))),
        "+ resize to S x S": cut(lambda r, s: _first_values(
            *clip_steps.resize_clip(decoded(r, s), image_size))),
        "+ finish (flip, flow image, normalise)": cut(lambda r, s: _first_values(
            *finish(*clip_steps.resize_clip(decoded(r, s), image_size)).values())),
    }


def print_stages(records_dir, cpu_limit, cpu_pipeline):
    """Times each cut of `stage_cuts`: CPU ms per clip and (a) over it; then (b) the same way."""
    print("where the time goes (training pipeline cut after each step; CPU ms per clip):")
    previous = 0.0
    for name, dataset in stage_cuts(records_dir, FLAGS.split, FLAGS.num_snippets,
                                    FLAGS.image_size, FLAGS.batch_size).items():
        cpu_ms = min(pipeline_rate(dataset, FLAGS.clips).cpu_ms
                     for _ in range(FLAGS.rounds))
        print(f"  {name:40s} {cpu_ms:6.2f} (+{cpu_ms - previous:5.2f}); "
              f"(a) / this = {cpu_limit / cpu_ms:.2f}")
        previous = cpu_ms
    print(f"  {'+ batch (B clips), prefetch: (b)':40s} {cpu_pipeline:6.2f} "
          f"(+{cpu_pipeline - previous:5.2f}); (a) / this = {cpu_limit / cpu_pipeline:.2f}")


def main(argv):
    del argv
    records_dir = FLAGS.records_dir
    if records_dir is None:
        records_dir = tempfile.mkdtemp(prefix="bench_input_")
        try:
            write_and_measure(records_dir)
        finally:
            if FLAGS.keep_records:
                print(f"bench records kept in {records_dir}")
            else:
                shutil.rmtree(records_dir, ignore_errors=True)
    else:
        measure(records_dir)


def write_and_measure(records_dir):
    """Writes the synthetic records into `records_dir`, then measures on them."""
    size = write_bench_records(records_dir, FLAGS.num_videos, FLAGS.unique_videos,
                               FLAGS.positions, FLAGS.num_shards, FLAGS.contents_from)
    source = (f"copies of the records in {FLAGS.contents_from}" if FLAGS.contents_from else
              f"synthetic records, {FLAGS.positions} positions, {WIDTH}x{HEIGHT}")
    print(f"{FLAGS.num_videos} videos, {source}: {size / FLAGS.num_videos / 1e6:.2f} MB per "
          f"video, in {records_dir}")
    measure(records_dir)


def measure(records_dir):
    """Prints (r), (a), (b), their ratios, the stages (with --stages) and the test pipeline."""
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
        rates.append(pipeline_rate(train, FLAGS.clips))
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
    if FLAGS.stages:
        print_stages(records_dir, cpu_limit, cpu_rate)
    evaluation = data.eval_dataset(records_dir, split=FLAGS.split, num_snippets=FLAGS.num_snippets,
                                   image_size=FLAGS.image_size)
    videos = pipeline_rate(evaluation, FLAGS.eval_videos, count=lambda video: 1)
    print(f"test pipeline (10 views): {videos.per_second:.2f} videos/s; "
          f"{videos.cpu_ms:.1f} CPU ms per video")


def run_main():
    app.run(main)


if __name__ == "__main__":
    run_main()
