"""tf.data input over the records that `data_prep` writes (format: `tan_keras.record_format`),
or over a prepared TFDS build of `data_prep.datasets.tfds_builder.TanVideoFlow` (`tfds_source`).

  RecordsSource: a records directory opened once (`RecordsSource.open(path)`): its name, classes,
    split sides, shards and frames (`tan_keras.frame_settings.FrameSettings`). Every function
    below takes one, or a path it opens.

  train_dataset: one epoch of TSN-sampled, augmented clips,
    ({'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} float32, labels [B] int32).
  eval_dataset: one element per test video, the 10-view protocol,
    ({'rgb': [10, T, S, S, 3], 'flow': [10, T, S, S, 3]} float32, label [] int32, video_id []).
  train_frames, eval_frames: the same clips and videos as uint8 frames at the stored size (and
    each training clip's crop window and flip), for models that preprocess inside
    (`tan_keras.layers.ClipPreprocessing`).
  CorruptRecordCounter: counts the records skipped with skip_corrupt=True.
  LOCATIONS, NUM_TEST_VIEWS, TEST_CROP_FRACTION, TRAIN_SCALES: the protocol's constants,
    re-exported from `tan_keras.protocol`, where they are defined.
"""

from tan_keras.data.corrupt_records import CorruptRecordCounter
from tan_keras.data.datasets import eval_dataset, train_dataset
from tan_keras.data.frames import eval_frames, train_frames
from tan_keras.data.source import RecordsSource
from tan_keras.protocol import LOCATIONS, NUM_TEST_VIEWS, TEST_CROP_FRACTION, TRAIN_SCALES

__all__ = ["CorruptRecordCounter", "LOCATIONS", "NUM_TEST_VIEWS", "RecordsSource",
           "TEST_CROP_FRACTION", "TRAIN_SCALES", "eval_dataset", "eval_frames", "train_dataset",
           "train_frames"]

_RENAMED = {"NUM_EVAL_VIEWS": "NUM_TEST_VIEWS", "EVAL_CROP_FRACTION": "TEST_CROP_FRACTION"}


def __getattr__(name):
    """The protocol constants' former names, with a DeprecationWarning naming the new one."""
    if name in _RENAMED:
        import warnings

        warnings.warn(f"tan_keras.data.{name} is now tan_keras.protocol.{_RENAMED[name]}.",
                      DeprecationWarning, stacklevel=2)
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
