"""A prepared TFDS build of `data_prep.datasets.tfds_builder.TanVideoFlow`, read as a records directory.

The records directory is the TFDS version folder, e.g.
<data_dir>/tan_video_flow/ucf101_split1/2.0.0/, the one holding:
  dataset_info.json   TFDS's splits 'train' and 'test': shard file template, records per shard.
  features.json       feature types: the stored frame size (rgb's shape) and flow's encoding.
  metadata.json       what TanVideoFlow >= 2.0.0 records (see its module docstring): name,
                      classes, the ONE official split the build holds, the videos each side
                      lists, the skipped ones.
  tan_video_flow-train.tfrecord-00000-of-00004, ...  shards of tf.train.Example.

`tan_keras.data.source.RecordsSource` opens a build with `load_tfds_build`. `select_tfds_side` gives
the same `ShardSelection` as `manifest.select_shards` does for data_prep's records, with
`parse_tfds_example` as its parse function. It is the one other record parser, because a build
holds another proto (tf.train.Example, with TFDS's keys): one Example -> the dict
`parsing.parse_record` returns, so the reader's record checks, position sampling, decoding and
crops run unchanged:
  label         <- 'label' (int64)
  video_id      <- 'video/filename'
  rgb, flow_x, flow_y <- 'rgb', 'flow_x', 'flow_y': [P] encoded images (JPEG; PNG flow)
  num_positions <- the length of 'frame_index'
  height, width, flow_format <- features.json (the same for every video of a build)
Only the JSON files are read here (through tf.io.gfile, so gs:// works); tensorflow_datasets is
not imported.
"""

import functools
import json
import os
from typing import NamedTuple

import tensorflow as tf

from tan_keras import record_format as rf
from tan_keras.data.manifest import SIDES, ShardSelection
from tan_keras.errors import IncompatibleInputError, MissingInputError

_EXAMPLE = "tf.train.Example"
_DEFAULT_TEMPLATE = "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}"  # TFDS's default
_METADATA_KEYS = ("name", "classes", "split", "splits")
_FEATURES = {
    rf.TFDS_LABEL: tf.io.FixedLenFeature([], tf.int64),
    rf.TFDS_VIDEO_FILENAME: tf.io.FixedLenFeature([], tf.string),
    **{key: tf.io.FixedLenSequenceFeature([], tf.string, allow_missing=True)
       for key in (rf.TFDS_RGB, rf.TFDS_FLOW_X, rf.TFDS_FLOW_Y)},
    rf.TFDS_FRAME_INDEX: tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True),
}


class TfdsBuild(NamedTuple):
    """What the reader needs from a TanVideoFlow version folder (`load_tfds_build`).

    folder: the version folder. name: the records' name ('ucf101', 'hmdb51' or a folder
    dataset's config name). config: the TFDS config name. split: the official split it holds
    ('1'). classes: names, index = label. splits: {split: {'train': ids, 'test': ids}} as the split
    files list them. failures: [{'video', 'reason'}] skipped while building. videos: side -> the
    ids it stores. shards: side -> [(shard path, records)]. height, width: the stored frame
    size. flow_format: 'png' or 'jpeg'. params: the build's settings (positions, frame_size,
    flow_bound, ...), as metadata.json records them.
    """
    folder: str
    name: str
    config: str
    split: str
    classes: list
    splits: dict
    failures: list
    videos: dict
    shards: dict
    height: int
    width: int
    flow_format: str
    params: dict = {}


def is_tfds_build(records_dir: str) -> bool:
    """Whether `records_dir` is a TFDS version folder (dataset_info.json, no manifest.json)."""
    return (tf.io.gfile.exists(os.path.join(records_dir, rf.TFDS_INFO_FILENAME))
            and not tf.io.gfile.exists(os.path.join(records_dir, rf.MANIFEST_FILENAME)))


def _read_json(path: str, missing_hint: str) -> dict:
    if not tf.io.gfile.exists(path):
        raise IncompatibleInputError(f"Expected {path}: {missing_hint}. Received: a folder "
                                     "without it.")
    with tf.io.gfile.GFile(path, "r") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise IncompatibleInputError(f"{path} is not valid JSON: {e}") from None


def _shard_paths(folder: str, info: dict, split_info: dict) -> list:
    """The shard files of one TFDS split, as TFDS names them (`tfds.core.ShardedFileTemplate`)."""
    num_shards = len(split_info.get("shardLengths", []))
    digits = max(5, len(str(num_shards)))
    template = split_info.get("filepathTemplate") or _DEFAULT_TEMPLATE
    paths = []
    for index in range(num_shards):
        shard, total = f"{index:0{digits}d}", f"{num_shards:0{digits}d}"
        try:
            name = template.format(DATASET=info["name"], SPLIT=split_info["name"],
                                   FILEFORMAT=info.get("fileFormat", "tfrecord"),
                                   SHARD_INDEX=shard, NUM_SHARDS=total,
                                   SHARD_X_OF_Y=f"{shard}-of-{total}")
        except (KeyError, IndexError, ValueError) as e:
            raise IncompatibleInputError(
                f"{os.path.join(folder, rf.TFDS_INFO_FILENAME)}: expected a filepathTemplate with "
                f"TFDS's fields. Received: {template!r} ({type(e).__name__}: {e})") from None
        paths.append(os.path.join(folder, name))
    return paths


def _check_info(info: dict, info_path: str) -> None:
    if info.get("name") != rf.TFDS_BUILDER_NAME:
        raise IncompatibleInputError(
            f"{info_path}: expected a build of the TFDS builder {rf.TFDS_BUILDER_NAME!r} "
            f"(data_prep.datasets.tfds_builder.TanVideoFlow). Received: name={info.get('name')!r}")
    file_format = info.get("fileFormat", "tfrecord")
    if file_format != "tfrecord":
        raise IncompatibleInputError(
            f"{info_path}: expected fileFormat 'tfrecord' (tan_keras reads TFRecord shards). "
            f"Received: fileFormat={file_format!r}")
    names = sorted(s.get("name") for s in info.get("splits", []))
    if names != sorted(SIDES):
        raise IncompatibleInputError(
            f"{info_path}: expected the TFDS splits {sorted(SIDES)}. Received: splits={names}")


def _frame_format(features: dict, features_path: str) -> tuple:
    """(height, width, flow_format) from features.json; RGB must be JPEG of a fixed size."""
    try:
        found = features["featuresDict"]["features"]
        rgb, flow_x, flow_y = (found[key]["video"]
                               for key in (rf.TFDS_RGB, rf.TFDS_FLOW_X, rf.TFDS_FLOW_Y))
        dims = [int(d) for d in rgb["shape"]["dimensions"]]
        formats = rgb["encodingFormat"], flow_x["encodingFormat"], flow_y["encodingFormat"]
    except (KeyError, TypeError, ValueError) as e:
        raise IncompatibleInputError(
            f"{features_path}: expected Video features {rf.TFDS_RGB!r}, {rf.TFDS_FLOW_X!r} and "
            f"{rf.TFDS_FLOW_Y!r} with a shape and an encodingFormat. Received: a file without "
            f"{e}") from None
    if len(dims) != 4 or min(dims[1:3]) < 1 or formats[0] != "jpeg" or formats[1] != formats[2] \
            or formats[1] not in ("png", "jpeg"):
        raise IncompatibleInputError(
            f"{features_path}: expected rgb [None, H, W, 3] JPEG of a fixed size and PNG or JPEG "
            f"flow. Received: rgb shape {dims}, encodings {formats}")
    return dims[1], dims[2], formats[1]


def load_tfds_build(folder: str) -> TfdsBuild:
    """Reads and checks a TanVideoFlow version folder's JSON files.

    Raises:
      IncompatibleInputError: naming the file, when one is missing or does not fit: another
        builder, a TanVideoFlow 1.0.0 build (no metadata.json), shard counts that disagree with
        the videos.
    """
    info_path = os.path.join(folder, rf.TFDS_INFO_FILENAME)
    info = _read_json(info_path, "TFDS writes it when a build is complete")
    _check_info(info, info_path)
    features_path = os.path.join(folder, rf.TFDS_FEATURES_FILENAME)
    height, width, flow_format = _frame_format(
        _read_json(features_path, "TFDS writes it with dataset_info.json"), features_path)
    metadata_path = os.path.join(folder, rf.TFDS_METADATA_FILENAME)
    metadata = _read_json(metadata_path, f"TanVideoFlow 2.0.0 and later record the classes and "
                          f"the split there (this is version {info.get('version')}; rebuild it "
                          f"with data_prep.datasets.tfds_builder)")
    missing = [key for key in _METADATA_KEYS if key not in metadata]
    if missing or metadata["split"] not in metadata["splits"]:
        raise IncompatibleInputError(
            f"{metadata_path}: expected the keys {list(_METADATA_KEYS)}, with the held split in "
            f"'splits'. Received: keys={sorted(metadata)}")
    failed = {failure["video"] for failure in metadata.get("failures", [])}
    listed = metadata["splits"][metadata["split"]]
    videos = {side: [v for v in listed.get(side, []) if v not in failed] for side in SIDES}
    shards = {}
    for split_info in info["splits"]:
        side = split_info["name"]
        counts = [int(n) for n in split_info.get("shardLengths", [])]
        shards[side] = list(zip(_shard_paths(folder, info, split_info), counts))
        if sum(counts) != len(videos[side]):
            raise IncompatibleInputError(
                f"{info_path}: expected the {side!r} shards to hold the {len(videos[side])} "
                f"videos {metadata_path} lists for that side. Received: shardLengths summing to "
                f"{sum(counts)}")
    return TfdsBuild(folder=folder, name=metadata["name"],
                     config=metadata.get("config", info.get("configName", "")),
                     split=metadata["split"], classes=list(metadata["classes"]),
                     splits={metadata["split"]: listed}, failures=metadata.get("failures", []),
                     videos=videos, shards=shards, height=height, width=width,
                     flow_format=flow_format, params=dict(metadata.get("params", {})))


def tfds_manifest(build: TfdsBuild) -> dict:
    """The build in manifest.json's vocabulary: name, classes, splits (the held one), failures,
    params."""
    return {"name": build.name, "classes": build.classes, "splits": build.splits,
            "failures": build.failures, "params": build.params, "tfds_config": build.config}


def parse_tfds_example(serialized: tf.Tensor, *, height: int, width: int,
                       flow_format: str) -> dict:
    """serialized: [] string, one TanVideoFlow tf.train.Example -> `parsing.parse_record`'s dict.

    height, width, flow_format: the build's (features.json); `parsing.record_problem` checks them
    against each record's first JPEG header and image markers.

    Returns:
      label: [] int32; video_id: [] string; height, width, num_positions: [] int32;
      flow_format: [] string; rgb, flow_x, flow_y: [P] string, the encoded images per position.
    """
    example = tf.io.parse_single_example(serialized, _FEATURES)
    return {
        "label": tf.cast(example[rf.TFDS_LABEL], tf.int32),
        "video_id": example[rf.TFDS_VIDEO_FILENAME],
        "height": tf.constant(height, tf.int32),
        "width": tf.constant(width, tf.int32),
        "num_positions": tf.size(example[rf.TFDS_FRAME_INDEX], out_type=tf.int32),
        "flow_format": tf.constant(flow_format.encode()),
        "rgb": example[rf.TFDS_RGB],
        "flow_x": example[rf.TFDS_FLOW_X],
        "flow_y": example[rf.TFDS_FLOW_Y],
    }


def select_tfds_side(build: TfdsBuild, side: str) -> ShardSelection:
    """The shards and stored videos of `side` ('train' or 'test') of the split the build holds
    (`RecordsSource.selection` checks the split and that the side has videos first).

    Raises:
      MissingInputError: for a missing shard file, naming dataset_info.json.
    """
    held = [(path, count) for path, count in build.shards[side] if count > 0]
    for path, _ in held:
        if not tf.io.gfile.exists(path):
            raise MissingInputError(f"{os.path.join(build.folder, rf.TFDS_INFO_FILENAME)} lists "
                                    f"the shard {path}, which does not exist.")
    parse = functools.partial(parse_tfds_example, height=build.height, width=build.width,
                              flow_format=build.flow_format)
    return ShardSelection(paths=[path for path, _ in held],
                          expected_counts=[count for _, count in held],
                          video_ids=list(build.videos[side]), num_classes=len(build.classes),
                          parse=parse, record_type=_EXAMPLE)
