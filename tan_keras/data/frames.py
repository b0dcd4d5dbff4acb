"""`train_frames` and `eval_frames`: uint8 frames for models that preprocess inside
(`tan_keras.layers.ClipPreprocessing` in training, `TestViews` in the test protocol).

The host does only this: read the records, pick the positions, decode the selected JPEGs whole,
batch. It hands over uint8 frames at the stored size H x W (one size per records directory) and,
in training, each clip's crop window and flip drawn from its seed. The crop, the resize, the flip,
the flow image and the normalisation run in the model's compiled step. Training draws its
positions, windows and flips exactly as `train_dataset` does for the same seed
(`clips.clip_parameters`), and the test side takes the same positions as `eval_dataset`.

Bytes a batch occupies at the paper's sizes (T = 5, 340 x 256 stored frames, S = 224):
  training, B = 32:  uint8 frames 5 bytes a pixel x 5 x 256 x 340 x 32 = 69.6 MB, against
                     192.7 MB of float32 crops [32, 5, 224, 224, 3] x 2 streams on the float path;
  test, one video:   2.2 MB of uint8 frames, against 60.2 MB of float32 views [10, 5, 224, 224, 3]
                     x 2 on the float path.
"""

import tensorflow as tf

from tan_keras.data import clips, decoding, sampling
from tan_keras.data.corrupt_records import CorruptRecordCounter
from tan_keras.data.datasets import (DEFAULT_SHUFFLE_BUFFER, check_augmentation, corrupt_policy,
                                     per_replica, seeded_train_records)
from tan_keras.data.shard_reading import read_side
from tan_keras.data.source import RecordsSource
from tan_keras.frame_settings import FrameSettings

STREAMS = ("rgb", "flow")


def _check(streams, **sizes) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"Expected {name} to be a positive int. Received: {name}={value!r}")
    if not streams or any(stream not in STREAMS for stream in streams):
        raise ValueError(f"Expected streams among {STREAMS}. Received: streams={streams!r}")


def _options(deterministic: bool) -> tf.data.Options:
    options = tf.data.Options()
    options.deterministic = deterministic
    return options


def _fixed_shapes(frames: dict, num_snippets: int, settings: FrameSettings) -> dict:
    """Static [T, H, W(, 3)] shapes, so the batches (and the model's compiled step) have them."""
    return {key: tf.ensure_shape(value, [num_snippets, settings.height, settings.width] +
                                 ([3] if key == "rgb" else []))
            for key, value in frames.items()}


def train_frames(source: RecordsSource | str, split: int = 1, batch_size: int = 32,
                 num_snippets: int = 5, seed: int | None = None, deterministic: bool = False,
                 streams=STREAMS, skip_corrupt: bool | CorruptRecordCounter = False,
                 shuffle_buffer: int = DEFAULT_SHUFFLE_BUFFER, drop_remainder: bool = False,
                 max_aspect_distortion: int = 1, side: str = "train",
                 input_context: tf.distribute.InputContext | None = None) -> tf.data.Dataset:
    """One epoch of shuffled training clips as uint8 frames and their augmentation parameters.

    Steps per clip: the clip's seed gives one random stored position per segment, the TSN
    multi-scale crop window and the flip (`clips.clip_parameters`, as `train_dataset`); the T
    selected RGB and 2T flow images are decoded whole.

    Args:
      source: a `RecordsSource`, or a folder to open as one (data_prep's records or a prepared
        TFDS build).
      split, batch_size, num_snippets, seed, deterministic, skip_corrupt, shuffle_buffer,
      drop_remainder, max_aspect_distortion, side, input_context: as `train_dataset`.
      streams: which of 'rgb' and 'flow' to decode (a one-stream CNN needs one).

    Returns:
      A dataset of ({'rgb': [B, T, H, W, 3] uint8, 'flow_x': [B, T, H, W] uint8,
      'flow_y': [B, T, H, W] uint8, 'crop': [B, 4] int32 (y, x, h, w), 'flip': [B] int32 (1: mirror)},
      labels [B] int32), the streams asked for.
    """
    _check(streams, batch_size=batch_size, num_snippets=num_snippets,
           shuffle_buffer=shuffle_buffer)
    check_augmentation(deterministic, seed, max_aspect_distortion)
    source = RecordsSource.open(source)
    selection = source.selection(split, side)
    batch_size, seed = per_replica(batch_size, seed, input_context)
    flow_format, frame_settings = source.flow_format, source.frames
    records = seeded_train_records(selection, flow_format, seed=seed, deterministic=deterministic,
                                   skip_corrupt=skip_corrupt, shuffle_buffer=shuffle_buffer,
                                   input_context=input_context)

    def clip(record, clip_seed):
        positions, window, flip = clips.clip_parameters(
            record, clip_seed, num_snippets=num_snippets,
            max_aspect_distortion=max_aspect_distortion)
        frames = decoding.decode_frames(record, positions, num_snippets, flow_format, streams)
        frames = _fixed_shapes(frames, num_snippets, frame_settings)
        # The flip as int32 0/1 (`models.preprocessed.clip_parameter_inputs` says why).
        return {**frames, "crop": window, "flip": tf.cast(flip, tf.int32)}, record["label"]

    dataset = records.map(clip, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(_options(deterministic))


def eval_frames(source: RecordsSource | str, split: int = 1, num_snippets: int = 5,
                batch_size: int = 1, streams=STREAMS,
                skip_corrupt: bool | CorruptRecordCounter = False, side: str = "test",
                input_context: tf.distribute.InputContext | None = None) -> tf.data.Dataset:
    """The test videos of a split in shard order, as the uint8 frames of T evenly spaced positions.

    The 10 views are made by the model (`tan_keras.layers.TestViews`); `batch_size` videos go
    to the device at a time.

    Returns:
      A dataset of ({'rgb': [B, T, H, W, 3] uint8, 'flow_x': [B, T, H, W] uint8,
      'flow_y': [B, T, H, W] uint8}, labels [B] int32, video_ids [B] string); the last batch
      may be smaller.
    """
    _check(streams, num_snippets=num_snippets, batch_size=batch_size)
    source = RecordsSource.open(source)
    selection = source.selection(split, side)
    flow_format, frame_settings = source.flow_format, source.frames
    skip, counter = corrupt_policy(skip_corrupt)
    records = read_side(selection, flow_format=flow_format, skip_corrupt=skip,
                        counter=counter, shuffle_seed=None, shuffle_files=False,
                        deterministic=True, input_context=input_context)

    def video(record):
        positions = sampling.eval_positions(record["num_positions"], num_snippets)
        frames = decoding.decode_frames(record, positions, num_snippets, flow_format, streams)
        return (_fixed_shapes(frames, num_snippets, frame_settings), record["label"],
                record["video_id"])

    dataset = records.map(video, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE).with_options(_options(True))
