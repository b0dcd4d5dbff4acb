"""`RecordsSource`: a records directory opened once, what every pipeline and stage reads from it.

Two kinds of folder open the same way (`tan_keras.record_format.is_records_dir` accepts both):
  data_prep's output: manifest.json and shards of tf.train.SequenceExample (read with
    `record_format.read_manifest`, the one manifest reader; shards chosen by
    `manifest.select_shards`).
  a prepared TFDS build of `data_prep.datasets.tfds_builder.TanVideoFlow`, its version folder
    (dataset_info.json, features.json, metadata.json and shards of tf.train.Example;
    `tfds_source`).
A folder with a manifest.json is read as data_prep's, whatever else it holds.

As DMVR's dataset factory takes its shards once and is configured once, a source reads its
JSON once at `open`, selects each (split, side)'s shards once (checking they exist), and knows
its frames (`FrameSettings`: height, width, flow format, ...) without reading a record.
"""

import os

from tan_keras import record_format as rf
from tan_keras.data import tfds_source
from tan_keras.data.manifest import SIDES, ShardSelection, select_shards
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.frame_settings import FrameSettings


class RecordsSource:
    """A records directory (data_prep's records or a TFDS build), opened once with `open`.

    Attributes:
      path: the folder, as a string.
      name: the records' name ('ucf101', 'hmdb51' or a folder dataset's).
      classes: class names, index = label; num_classes: their count.
      params: the build's settings (manifest.json "params", or a TFDS build's metadata.json).
      failures: [{'video', 'reason'}] the build skipped.
      is_tfds: whether it is a TFDS build (which holds one split).
      manifest: the folder in manifest.json's vocabulary (for a TFDS build: name, classes,
        splits with the held one, failures, params, tfds_config).
      frames: the stored frames (`FrameSettings`); flow_format: frames.flow_format.

    Where the frames come from: a TFDS build's features.json (height, width, flow encoding) and
    metadata.json params; data_prep's manifest params ("frame_size" [width, height],
    "flow_format", positions, flow_bound, jpeg_quality). A manifest that records no frame size
    or flow format (one written by hand or by an early build) has its first readable record
    parsed for them, once, the first time `frames` is asked for; `open` itself reads no record.
    """

    def __init__(self, path: str, manifest: dict, build: "tfds_source.TfdsBuild | None" = None):
        """Use `RecordsSource.open`."""
        self.path = str(path)
        self.manifest = manifest
        self._build = build
        self.is_tfds = build is not None
        self.name = manifest["name"]
        self.classes = list(manifest["classes"])
        self.num_classes = len(self.classes)
        self.params = dict(manifest.get("params", {}))
        self.failures = list(manifest.get("failures", []))
        self._frames = None
        self._selections = {}

    @classmethod
    def open(cls, records_dir) -> "RecordsSource":
        """Reads the manifest (or the TFDS build's JSON files) of `records_dir`, once; a
        `RecordsSource` is returned as it is (so functions taking either call `open`).

        Raises:
          MissingInputError: no records there (the message names the build command).
          IncompatibleInputError: naming the file, for a manifest or build that does not fit.
        """
        if isinstance(records_dir, RecordsSource):
            return records_dir
        path = str(records_dir)
        if tfds_source.is_tfds_build(path):
            build = tfds_source.load_tfds_build(path)
            return cls(path, tfds_source.tfds_manifest(build), build)
        return cls(path, rf.read_manifest(path))

    def __repr__(self) -> str:
        kind = "TFDS build" if self.is_tfds else "records"
        return f"<RecordsSource {self.name!r} ({kind}) at {self.path}>"

    @property
    def manifest_path(self) -> str:
        """The file the source was read from, for messages."""
        return os.path.join(self.path, rf.TFDS_METADATA_FILENAME if self.is_tfds
                            else rf.MANIFEST_FILENAME)

    @property
    def frames(self) -> FrameSettings:
        if self._frames is None:
            self._frames = self._read_frames()
        return self._frames

    @property
    def flow_format(self) -> str:
        """'jpeg' or 'png', the flow images' encoding."""
        return self.frames.flow_format

    def _read_frames(self) -> FrameSettings:
        if self._build is not None:
            return FrameSettings.from_dict({**self.params, "height": self._build.height,
                                            "width": self._build.width,
                                            "flow_format": self._build.flow_format})
        if "frame_size" in self.params and "flow_format" in self.params:
            return FrameSettings.from_dict(self.params)
        from tan_keras.data.parsing import first_record

        paths = [os.path.join(self.path, shard) for shard in self.manifest["shards"]]
        record = first_record(paths)
        if record is None:
            raise IncompatibleInputError(
                f"{self.manifest_path}: expected params with frame_size and flow_format, or a "
                f"readable record in its shards. Received: neither (shards: {paths})")
        return FrameSettings.from_dict({**self.params, "height": int(record["height"]),
                                        "width": int(record["width"]),
                                        "flow_format": record["flow_format"].numpy().decode()})

    def videos(self, split, side: str) -> list[str]:
        """The stored videos (ids) of `side` ('train' or 'test') of `split` (1, '1', ...), in
        split-file order; videos the build skipped are left out.

        Raises:
          ValueError: for a side other than 'train' and 'test'.
          IncompatibleInputError: naming the file, for a split the records lack (a TFDS build
            holds one), or a side without stored videos.
        """
        if side not in SIDES:
            raise ValueError(f"Expected side in {SIDES}. Received: side={side!r}")
        key = _split_key(split)
        splits = self.manifest["splits"]
        if key not in splits:
            hint = (f" This TFDS build (config {self._build.config!r}) holds one split; build a "
                    f"TanVideoFlow config with split={key} (e.g. '{self.name}_split{key}') for "
                    "that split." if self.is_tfds else "")
            raise IncompatibleInputError(
                f"{self.manifest_path}: expected split in {sorted(splits)}. Received: "
                f"split={split!r}.{hint}")
        listed = splits[key].get(side, [])
        if self.is_tfds:
            stored = list(self._build.videos[side])
        else:
            stored = [video for video in listed if video in self.manifest["videos"]]
        if not stored:
            raise IncompatibleInputError(
                f"{self.manifest_path}: expected videos on the {side!r} side of split {key}. "
                f"Received: {len(listed)} listed, none of them stored (see its 'failures').")
        return stored

    def selection(self, split, side: str) -> ShardSelection:
        """The shards, videos and parse function of `side` of `split`, selected once per
        (split, side); the shard files are checked to exist then.

        Raises: what `videos` raises, and MissingInputError for a listed shard that is missing.
        """
        key = (_split_key(split), side)
        if key not in self._selections:
            videos = self.videos(split, side)
            if self.is_tfds:
                self._selections[key] = tfds_source.select_tfds_side(self._build, side)
            else:
                self._selections[key] = select_shards(self.path, self.manifest, videos)
        return self._selections[key]


def _split_key(split) -> str:
    """The manifest's key of a split: 1 -> '1'; what is not a number stays as written."""
    try:
        return rf.split_key(split)
    except (TypeError, ValueError):
        return str(split)
