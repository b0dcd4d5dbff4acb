"""tf.data input over the records that `data_prep` writes (format: `tan_keras.record_format`),
or over a prepared TFDS build of `data_prep.tfds_builder.TanVideoFlow` (`tfds_source`).

  train_dataset: one epoch of TSN-sampled, augmented clips,
    ({'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} float32, labels [B] int32).
  eval_dataset: one element per test video, the 10-view protocol,
    ({'rgb': [10, T, S, S, 3], 'flow': [10, T, S, S, 3]} float32, label [] int32, video_id []).
  train_frames, eval_frames: the same clips and videos as uint8 frames at the stored size (and
    each training clip's crop window and flip), for models that preprocess inside
    (`tan_keras.layers.ClipPreprocessing`).
  CorruptRecordCounter: counts the records skipped with skip_corrupt=True.
"""

from tan_keras.data.clips import NUM_EVAL_VIEWS
from tan_keras.data.corrupt_records import CorruptRecordCounter
from tan_keras.data.crops import EVAL_CROP_FRACTION, LOCATIONS, TRAIN_SCALES
from tan_keras.data.datasets import eval_dataset, train_dataset
from tan_keras.data.frames import eval_frames, train_frames

__all__ = ["CorruptRecordCounter", "EVAL_CROP_FRACTION", "LOCATIONS", "NUM_EVAL_VIEWS",
           "TRAIN_SCALES", "eval_dataset", "eval_frames", "train_dataset", "train_frames"]
