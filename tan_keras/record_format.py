"""The on-disk record format shared by the writer (`data_prep`) and the reader (`tan_keras.data`).

Constants, file naming and the one manifest reader (`read_manifest`). TensorFlow is imported only
inside `read_manifest`, for gs:// paths, so data_prep's worker processes can import this module
cheaply.

One `tf.train.SequenceExample` per video. Key names follow DMVR and the TF Model Garden video
readers wherever the meaning is the same.

Context (one value per video):
  clip/label/index      int64    0-based class index.
  clip/label/text       bytes    class name.
  video/filename        bytes    path relative to the dataset's video root, with '/' separators,
                                 e.g. b"BabyCrawling/v_BabyCrawling_g01_c01.avi". It is the
                                 video's id everywhere (manifest splits, score files).
  video/num_frames      int64    frames decoded from the video.
  video/fps             float    frames per second reported by the container (0 when unknown).
  video/height, video/width  int64  size of the stored frames (after resizing).
  clip/num_positions    int64    stored positions P (<= requested when the video is short).
  clip/positions_requested  int64  positions asked for (K), or 0 for "every frame".
  flow/bound            float    flow was clipped to +-bound before quantisation.
  flow/format           bytes    b"jpeg" or b"png" (the RGB images are always JPEG).

Feature lists (one entry per stored position p = 0..P-1, in increasing frame order):
  image/encoded         bytes    RGB JPEG of frame k_p.
  flow/x/encoded        bytes    grayscale image of the quantised horizontal flow k_p -> k_p + 1.
  flow/y/encoded        bytes    grayscale image of the quantised vertical flow k_p -> k_p + 1.
  image/frame_index     int64    k_p, the 0-based frame index in the decoded video.

Quantisation: q = round((clip(f, -bound, bound) + bound) * 255 / (2 * bound)), so still pixels
sit at about 128 (127.5 before rounding).

Files in a records directory:
  <name>-00000-of-000NN.tfrecord   shards (`shard_filename`).
  manifest.json                    written last; see `MANIFEST_FILENAME` below.

manifest.json holds at least:
  {"format_version": 1,
   "name": "ucf101",
   "classes": ["ApplyEyeMakeup", ...],            # index i is clip/label/index i
   "shards": ["ucf101-00000-of-00004.tfrecord", ...],
   "counts": {"videos": N, "positions": ..., "failed": F, ...},
   "videos": {"<video/filename>": {"label": i, "shard": s, "num_positions": P}, ...},
   "splits": {"1": {"train": ["<video/filename>", ...], "test": [...]}, "2": ..., ...},
   "failures": [{"video": "...", "reason": "..."}, ...],
   "params": {...}}                                 # the build's settings
Split keys are strings ("1", "2", "3"); `split_key` makes one from an int.
"""

import json
import os

# Context features.
LABEL_INDEX = "clip/label/index"
LABEL_TEXT = "clip/label/text"
VIDEO_FILENAME = "video/filename"
NUM_FRAMES = "video/num_frames"
FPS = "video/fps"
HEIGHT = "video/height"
WIDTH = "video/width"
NUM_POSITIONS = "clip/num_positions"
POSITIONS_REQUESTED = "clip/positions_requested"
FLOW_BOUND = "flow/bound"
FLOW_FORMAT = "flow/format"

# Feature lists.
IMAGE_ENCODED = "image/encoded"
FLOW_X_ENCODED = "flow/x/encoded"
FLOW_Y_ENCODED = "flow/y/encoded"
FRAME_INDEX = "image/frame_index"

MANIFEST_FILENAME = "manifest.json"
FORMAT_VERSION = 1
SHARD_SUFFIX = ".tfrecord"


def shard_filename(name: str, index: int, num_shards: int) -> str:
    """Returns e.g. 'ucf101-00003-of-00016.tfrecord'."""
    return f"{name}-{index:05d}-of-{num_shards:05d}{SHARD_SUFFIX}"


def split_key(split: int | str) -> str:
    """The manifest's key for a split number: 1 -> '1'."""
    return str(int(split))


# A prepared TFDS build of `data_prep.datasets.tfds_builder.TanVideoFlow` reads as a records directory too
# (`tan_keras.data.tfds_source`): its version folder, e.g. <data_dir>/tan_video_flow/ucf101_split1/
# 2.0.0/, holds the files below and shards of tf.train.Example with the TFDS_* feature keys.
TFDS_INFO_FILENAME = "dataset_info.json"  # TFDS: splits, shard file template, records per shard
TFDS_FEATURES_FILENAME = "features.json"  # TFDS: feature types (frame size, image encodings)
TFDS_METADATA_FILENAME = "metadata.json"  # TanVideoFlow >= 2.0.0: name, classes, split, videos
TFDS_BUILDER_NAME = "tan_video_flow"
TFDS_METADATA_VERSION = 1
# tf.train.Example features (one per video) of a TanVideoFlow build.
TFDS_RGB = "rgb"                  # bytes list: RGB JPEG of each stored position.
TFDS_FLOW_X = "flow_x"            # bytes list: quantised flow x image (PNG) of each position.
TFDS_FLOW_Y = "flow_y"            # bytes list: quantised flow y image (PNG) of each position.
TFDS_FRAME_INDEX = "frame_index"  # int64 list: k_p of each position.
TFDS_LABEL = "label"              # int64: 0-based class index.
TFDS_LABEL_TEXT = "label_text"    # bytes: class name.
TFDS_VIDEO_FILENAME = VIDEO_FILENAME  # bytes: the video's id, as in the records.
TFDS_NUM_FRAMES = NUM_FRAMES          # int64: frames decoded from the video.


def is_records_dir(path: str) -> bool:
    """Whether `path` holds a finished build: data_prep's manifest.json, or a prepared TFDS
    dataset (dataset_info.json, which TFDS writes when the build is complete). Remote paths
    (gs://...) are not checked here: True."""
    if "://" in str(path):
        return True
    return any(os.path.isfile(os.path.join(path, name))
               for name in (MANIFEST_FILENAME, TFDS_INFO_FILENAME))


# What every manifest holds (the others, such as counts and params, are informative).
MANIFEST_KEYS = ("format_version", "name", "classes", "shards", "videos", "splits")


def read_manifest(records_dir: str) -> dict:
    """Reads and checks `records_dir/manifest.json` (local, or any tf.io.gfile path such as
    gs://, which loads TensorFlow): the one manifest reader, for data_prep (the writer) and
    `tan_keras.data.RecordsSource` alike.

    Raises:
      tan_keras.errors.MissingInputError: naming the expected path and how to build the records,
        when there is no manifest (the build has not finished, or records_dir is wrong).
      tan_keras.errors.IncompatibleInputError: naming the file, when it is not valid JSON, lacks
        one of `MANIFEST_KEYS` or has another format_version.
    """
    from tan_keras.errors import IncompatibleInputError, MissingInputError

    path = os.path.join(records_dir, MANIFEST_FILENAME)
    if "://" in str(records_dir):
        import tensorflow as tf

        exists, open_file = tf.io.gfile.exists, tf.io.gfile.GFile
    else:
        exists, open_file = os.path.isfile, open
    if not exists(path):
        raise MissingInputError(
            f"Expected a manifest at {path} (data_prep writes it last, when the build is "
            f"complete). Received: records_dir={str(records_dir)!r} without one. Build the "
            f"records there first: `data_prep.build.local.build_records` with "
            f"output_dir={str(records_dir)!r} (docs/data_prep.md)")
    with open_file(path, "r") as f:
        text = f.read()
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as e:
        raise IncompatibleInputError(f"{path} is not valid JSON: {e}") from None
    missing = [key for key in MANIFEST_KEYS if key not in manifest] if isinstance(
        manifest, dict) else list(MANIFEST_KEYS)
    if missing:
        raise IncompatibleInputError(f"{path}: expected the keys {', '.join(MANIFEST_KEYS)}. "
                                     f"Received: a manifest without {missing}.")
    if manifest["format_version"] != FORMAT_VERSION:
        raise IncompatibleInputError(f"{path}: expected format_version {FORMAT_VERSION}. "
                                     f"Received: format_version={manifest['format_version']!r}")
    return manifest
