"""`train_dataset` and `eval_dataset`: tf.data pipelines over a records directory.

They read a `source.RecordsSource` (or a records directory, opened here): data_prep's output or a
prepared TFDS build; both give the same elements.

Training: shards interleaved -> parsed and checked records of the split's train side -> shuffled ->
each paired with its own random seed -> one normalised clip each (parallel map) -> batched ->
prefetched. Evaluation: the test side in a fixed shard order -> 10 normalised views per video.
"""

import tensorflow as tf

from tan_keras.backbones import preprocess_input
from tan_keras.data import clips, crops
from tan_keras.data.corrupt_records import CorruptRecordCounter
from tan_keras.data.manifest import ShardSelection
from tan_keras.data.shard_reading import read_side
from tan_keras.data.source import RecordsSource

DEFAULT_SHUFFLE_BUFFER = 128


def _check_sizes(**sizes):
    for name, value in sizes.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"Expected {name} to be a positive int. Received: {name}={value!r}")


def _options(deterministic: bool) -> tf.data.Options:
    options = tf.data.Options()
    options.deterministic = deterministic
    return options


def check_augmentation(deterministic: bool, seed: int | None, max_aspect_distortion: int) -> None:
    """The training pipelines' argument checks: a seed when deterministic, a known distortion."""
    if deterministic and seed is None:
        raise ValueError("Expected a seed with deterministic=True (the order alone does not fix "
                         "the augmentation). Received: seed=None")
    if max_aspect_distortion not in range(len(crops.TRAIN_SCALES)):
        raise ValueError(f"Expected max_aspect_distortion in 0..{len(crops.TRAIN_SCALES) - 1}. "
                         f"Received: max_aspect_distortion={max_aspect_distortion!r}")


def corrupt_policy(skip_corrupt) -> tuple[bool, CorruptRecordCounter | None]:
    """skip_corrupt: False, True or a `CorruptRecordCounter` -> (skip, the counter or None)."""
    if isinstance(skip_corrupt, CorruptRecordCounter):
        return True, skip_corrupt
    if not isinstance(skip_corrupt, bool):
        raise ValueError("Expected skip_corrupt to be a bool or a CorruptRecordCounter. "
                         f"Received: skip_corrupt={skip_corrupt!r}")
    return skip_corrupt, None


def per_replica(batch_size: int, seed: int | None,
                input_context: tf.distribute.InputContext | None) -> tuple[int, int | None]:
    """(batch size, seed) of this input pipeline: the replica's share of the global batch, and a
    seed of its own, so that replicas draw different clips."""
    if input_context is None:
        return batch_size, seed
    batch_size = input_context.get_per_replica_batch_size(batch_size)
    if seed is not None:
        seed = seed + 7919 * input_context.input_pipeline_id
    return batch_size, seed


def seeded_train_records(selection: ShardSelection, flow_format: str, *, seed: int | None,
                         deterministic: bool = False,
                         skip_corrupt: bool | CorruptRecordCounter = False,
                         shuffle_buffer: int = DEFAULT_SHUFFLE_BUFFER,
                         input_context: tf.distribute.InputContext | None = None
                         ) -> tf.data.Dataset:
    """The first steps of `train_dataset`: the selected side's parsed and checked records,
    shards interleaved and shuffled, each paired with its own clip seed.

    Returns:
      A dataset of (`parsing.parse_record`'s dict, clip seed [2] int64); the arguments as
      `train_dataset`'s.
    """
    skip, counter = corrupt_policy(skip_corrupt)
    records = read_side(selection, flow_format=flow_format, skip_corrupt=skip,
                        counter=counter, shuffle_seed=seed, shuffle_files=True,
                        deterministic=deterministic, input_context=input_context)
    records = records.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    clip_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
    return tf.data.Dataset.zip(records, clip_seeds)


def train_dataset(source: RecordsSource | str, split: int = 1, batch_size: int = 32,
                  num_snippets: int = 5, image_size: int = 224, normalize: bool = True,
                  backbone: str = "googlenet", seed: int | None = None,
                  deterministic: bool = False, skip_corrupt: bool | CorruptRecordCounter = False,
                  shuffle_buffer: int = DEFAULT_SHUFFLE_BUFFER, drop_remainder: bool = False,
                  max_aspect_distortion: int = 1, side: str = "train",
                  input_context: tf.distribute.InputContext | None = None) -> tf.data.Dataset:
    """One epoch of shuffled, augmented training clips (TSN sampling and augmentation).

    Args:
      source: a `RecordsSource`, or a folder to open as one: a directory written by `data_prep`
        (manifest.json and its shards), or a prepared TFDS build of
        `data_prep.datasets.tfds_builder.TanVideoFlow` (its version folder, e.g.
        <data_dir>/tan_video_flow/ucf101_split1/2.0.0; see `tfds_source`).
      split: the split number in the manifest (1, 2 or 3); a TFDS build holds one split, and
        any other is refused.
      batch_size: B, the global batch; with `input_context`, each replica gets its share.
      num_snippets: T, segments per clip.
      image_size: S, the side of the square output frames.
      normalize: True applies `tan_keras.backbones.preprocess_input(backbone)` to both streams;
        False leaves values in 0..255.
      backbone: whose normalisation to apply.
      seed: makes the augmentation and the shuffle reproducible; None draws fresh randomness.
      deterministic: keep the element order fixed (needs a seed); with both, runs are identical.
      skip_corrupt: False stops at a corrupt record with an error naming its shard file; True
        skips it and logs a line; a `CorruptRecordCounter` also counts it there.
      shuffle_buffer: parsed records held for shuffling (each holds all its stored JPEGs).
      drop_remainder: drop the last, smaller batch.
      max_aspect_distortion: TSN's max_distort: crop width and height scales differ by at most
        this many steps of (1, .875, .75, .66); 0 gives square crops.
      side: 'train' (default) or 'test', the side of the split to read.
      input_context: from `strategy.distribute_datasets_from_function`; shards the input and
        divides the batch.

    Returns:
      A dataset of ({'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} float32, labels [B] int32).
    """
    _check_sizes(batch_size=batch_size, num_snippets=num_snippets, image_size=image_size,
                 shuffle_buffer=shuffle_buffer)
    check_augmentation(deterministic, seed, max_aspect_distortion)
    source = RecordsSource.open(source)
    selection = source.selection(split, side)
    batch_size, seed = per_replica(batch_size, seed, input_context)

    flow_format = source.flow_format
    records = seeded_train_records(selection, flow_format, seed=seed, deterministic=deterministic,
                                   skip_corrupt=skip_corrupt, shuffle_buffer=shuffle_buffer,
                                   input_context=input_context)
    finish = clips.fused_finisher(preprocess_input(backbone) if normalize else None)

    def clip(record, clip_seed):
        return clips.train_clip(record, clip_seed, num_snippets=num_snippets,
                                image_size=image_size, flow_format=flow_format,
                                max_aspect_distortion=max_aspect_distortion, finish=finish)

    dataset = records.map(
        clip, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(_options(deterministic))


def eval_dataset(source: RecordsSource | str, split: int = 1, num_snippets: int = 5,
                 image_size: int = 224, normalize: bool = True, backbone: str = "googlenet",
                 skip_corrupt: bool | CorruptRecordCounter = False, side: str = "test",
                 input_context: tf.distribute.InputContext | None = None) -> tf.data.Dataset:
    """The test videos of a split, one element per video, in shard order: the 10-view protocol.

    Args: as `train_dataset`; `side` defaults to 'test'.

    Returns:
      A dataset of ({'rgb': [10, T, S, S, 3], 'flow': [10, T, S, S, 3]} float32, label [] int32,
      video_id [] string). Views 0-4: top-left, top-right, bottom-left, bottom-right and centre
      crops; views 5-9: the same mirrored (flow x -> 255 - x).
    """
    _check_sizes(num_snippets=num_snippets, image_size=image_size)
    finish = clips.fused_view_finisher(preprocess_input(backbone) if normalize else None)
    source = RecordsSource.open(source)
    selection = source.selection(split, side)
    flow_format = source.flow_format
    skip, counter = corrupt_policy(skip_corrupt)
    records = read_side(selection, flow_format=flow_format, skip_corrupt=skip,
                        counter=counter, shuffle_seed=None, shuffle_files=False,
                        deterministic=True, input_context=input_context)

    def views(record):
        return clips.eval_views(record, num_snippets=num_snippets, image_size=image_size,
                                flow_format=flow_format, finish=finish)

    dataset = records.map(views, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(_options(True))
