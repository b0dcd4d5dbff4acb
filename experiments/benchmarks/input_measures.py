"""The measurements behind `input_pipeline`: decode limit, record read, pipeline rates, stage cuts.

Every function takes plain arguments and prints or returns its figures; the command
(`python -m experiments.benchmarks.input_pipeline`) holds the flags.
"""

import time
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from tan_keras import data, protocol
from tan_keras.backbones import preprocess_input
from tan_keras.data import clips as clip_steps
from tan_keras.data.datasets import seeded_train_records
from tan_keras.data.decoding import DCT_METHOD
from tan_keras.data.source import RecordsSource


def clip_jpegs(records_dir, split, num_snippets):
    """The 3T encoded images of one clip (T evenly spaced positions) per train video: [N, 3T]."""
    selection = RecordsSource.open(records_dir).selection(split, "train")
    wanted = set(selection.video_ids)
    clips = []
    for record in tf.data.TFRecordDataset(selection.paths).map(selection.parse).as_numpy_iterator():
        if record["video_id"].decode() not in wanted:
            continue
        num_positions = int(record["num_positions"])
        positions = [protocol.test_positions(num_positions, num_snippets, t)
                     for t in range(num_snippets)]
        clips.append([record[key][p] for p in positions for key in ("rgb", "flow_x", "flow_y")])
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
        lambda encoded: tf.shape(tf.io.decode_jpeg(encoded, dct_method=DCT_METHOD))[0],
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=False).batch(256)
    for _ in dataset.take(1):  # warm-up
        pass
    return _timed(lambda: _drained(dataset, num_clips))


def read_limit(records_dir, split) -> Rate:
    """(r): records/s of reading the shards alone (framing and checksums, no parsing)."""
    paths = RecordsSource.open(records_dir).selection(split, "train").paths
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
    source = RecordsSource.open(records_dir)
    selection, flow_format = source.selection(split, "train"), source.flow_format
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


def print_stages(records_dir, cpu_limit, cpu_pipeline, split, num_snippets, image_size,
                 batch_size, num_clips, rounds):
    """Times each cut of `stage_cuts`: CPU ms per clip and (a) over it; then (b) the same way."""
    print("where the time goes (training pipeline cut after each step; CPU ms per clip):")
    previous = 0.0
    for name, dataset in stage_cuts(records_dir, split, num_snippets, image_size,
                                    batch_size).items():
        cpu_ms = min(pipeline_rate(dataset, num_clips).cpu_ms for _ in range(rounds))
        print(f"  {name:40s} {cpu_ms:6.2f} (+{cpu_ms - previous:5.2f}); "
              f"(a) / this = {cpu_limit / cpu_ms:.2f}")
        previous = cpu_ms
    print(f"  {'+ batch (B clips), prefetch: (b)':40s} {cpu_pipeline:6.2f} "
          f"(+{cpu_pipeline - previous:5.2f}); (a) / this = {cpu_limit / cpu_pipeline:.2f}")


def _best(rates):
    """The best wall-clock rate and the lowest CPU time of repeated measurements."""
    return Rate(max(r.per_second for r in rates), min(r.cpu_ms for r in rates))


def measure(records_dir, split=1, num_snippets=5, image_size=224, batch_size=8, num_clips=240,
            eval_videos=12, rounds=2, stages=True):
    """Prints (r), (a), (b) the stages' uint8 host pipeline and the float pipeline with their
    ratios to (a), the float pipeline's stage cuts (with `stages`), and (d) both test pipelines.
    records_dir: a records directory or a `RecordsSource` (opened once here)."""
    source = RecordsSource.open(records_dir)
    clips = clip_jpegs(source, split, num_snippets)
    mean_kb = np.mean([len(image) for clip in clips for image in clip]) / 1e3
    print(f"T={num_snippets}, S={image_size}, B={batch_size}; "
          f"{len(clips[0])} JPEGs per clip, {mean_kb:.1f} kB each on average")
    frames = data.train_frames(source, split=split, batch_size=batch_size,
                               num_snippets=num_snippets, seed=0)
    floats = data.train_dataset(source, split=split, batch_size=batch_size,
                                num_snippets=num_snippets, image_size=image_size, seed=0)
    limits, frame_rates, float_rates, reads = [], [], [], []
    for round_ in range(rounds):
        reads.append(read_limit(source, split))
        limits.append(decode_limit(clips, num_clips))
        frame_rates.append(pipeline_rate(frames, num_clips))
        float_rates.append(pipeline_rate(floats, num_clips))
        print(f"round {round_ + 1}: (a) {limits[-1].per_second:.1f} clips/s, (b) uint8 frames "
              f"{frame_rates[-1].per_second:.1f} clips/s, float clips "
              f"{float_rates[-1].per_second:.1f} clips/s")
    limit, read, frame_rate, float_rate = map(_best, (limits, reads, frame_rates, float_rates))
    print(f"(r) record read: {read.per_second:.1f} records/s; {read.cpu_ms:.2f} CPU ms per "
          "record")
    print(f"(a) decode limit: {limit.per_second:.1f} clips/s; {limit.cpu_ms:.2f} CPU ms per clip")
    for name, rate in (("(b) host pipeline, uint8 frames (the stages')", frame_rate),
                       ("    float pipeline (train_dataset, normalised)", float_rate)):
        print(f"{name}: {rate.per_second:.1f} clips/s; {rate.cpu_ms:.2f} CPU ms per clip; "
              f"/(a) = {rate.per_second / limit.per_second:.2f} (wall clock), "
              f"{limit.cpu_ms / rate.cpu_ms:.2f} (CPU time)")
    if stages:
        print_stages(source, limit.cpu_ms, float_rate.cpu_ms, split, num_snippets,
                     image_size, batch_size, num_clips, rounds)
    uint8_videos = data.eval_frames(source, split=split, num_snippets=num_snippets)
    float_views = data.eval_dataset(source, split=split, num_snippets=num_snippets,
                                    image_size=image_size)
    new = _best([pipeline_rate(uint8_videos, eval_videos, count=_batch_size)
                 for _ in range(rounds)])
    old = _best([pipeline_rate(float_views, eval_videos, count=lambda video: 1)
                 for _ in range(rounds)])
    print(f"(d) test pipeline, uint8 frames: {new.per_second:.2f} videos/s "
          f"({new.cpu_ms:.1f} CPU ms per video); float 10 views: {old.per_second:.2f} "
          f"videos/s ({old.cpu_ms:.1f} CPU ms per video); ratio {new.per_second / old.per_second:.1f}")


def end_to_end(records_dir, image_size: int, split=1, num_snippets=5, batch_size=8,
               steps=20, rounds=2) -> dict:
    """(c): training clips/s end to end (input and the compiled train step, tiny-backbone TAN):
    the float pipeline into the float model, and uint8 frames into the model with
    `ClipPreprocessing`, on the same records. Returns {'float': Rate, 'frames': Rate}."""
    import keras

    from tan_keras.models import build_tan, compile_for_training, training_targets
    from tan_keras.models.preprocessed import training_model

    source = RecordsSource.open(records_dir)
    core = build_tan(source.num_classes, backbone="tiny", num_snippets=num_snippets,
                     image_size=image_size)
    paths = {
        "float": (core, data.train_dataset(source, split=split, batch_size=batch_size,
                                           num_snippets=num_snippets, image_size=image_size,
                                           backbone="tiny", seed=0)),
        "frames": (training_model(core, "tiny", frame_height=source.frames.height,
                                  frame_width=source.frames.width),
                   data.train_frames(source, split=split, batch_size=batch_size,
                                     num_snippets=num_snippets, seed=0)),
    }
    rates = {}
    for name, (model, dataset) in paths.items():
        compile_for_training(model, keras.optimizers.SGD(0.001, momentum=0.9))
        batches = dataset.map(lambda x, y: (x, training_targets(y))).repeat()
        model.fit(batches, steps_per_epoch=3, epochs=1, verbose=0)  # compile, warm up

        def run():
            model.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0)
            return steps * batch_size

        rates[name] = _best([_timed(run) for _ in range(rounds)])
    return rates
