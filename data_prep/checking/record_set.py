"""What a finished record set promises: its shards, the videos each holds, and their labels,
read from data_prep's manifest.json or a TFDS build's JSON files, and the manifest's own
consistency.

Two kinds of folder, as `tan_keras.data.RecordsSource` opens them:
  data_prep's records (local or Beam-built; both engines write the same bytes): manifest.json,
    read by `tan_keras.record_format.read_manifest`, and shards of tf.train.SequenceExample;
  a TFDS build of `data_prep.datasets.tfds_builder.TanVideoFlow` (its version folder), read by
    `tan_keras.data.tfds_source.load_tfds_build` (which loads TensorFlow, for tf.io.gfile),
    with shards of tf.train.Example.
A folder that is neither, or whose JSON does not parse, raises a `tan_keras.errors.InputError`
naming the file (the command prints it as one `error:` line).
"""

import dataclasses
import os

from tan_keras import record_format as rf

SIDES = ("train", "test")


@dataclasses.dataclass(frozen=True)
class ExpectedVideo:
    """A video the set lists: its label, and (data_prep's manifest only) its position count and
    decoded frame count (None: not recorded)."""
    label: int
    num_positions: int | None = None
    num_frames: int | None = None


@dataclasses.dataclass
class ShardSpec:
    """One shard file: `name` (in messages), `path`, the records it should hold (`count`) and
    which: `videos`, the ids (data_prep's manifest), or for a TFDS build (which shuffles a
    side's videos over its shards) None, and `side`, the side whose videos it holds."""
    name: str
    path: str
    count: int
    videos: list[str] | None = None
    side: str | None = None


@dataclasses.dataclass
class RecordSet:
    """A record set as its JSON files describe it.

    kind: 'records' (data_prep's, SequenceExample) or 'tfds' (a TFDS build, Example).
    described_by: the JSON file the expectations come from (manifest.json or metadata.json).
    classes: names, index = label. height, width: the stored frames' size (None: the manifest
    does not record it; each record's own video/height and video/width are used).
    flow_format: 'jpeg' or 'png' (None: as above). flow_bound: the flow's clip bound.
    shards: every shard file and the ids it holds. videos: id -> ExpectedVideo (a TFDS build
    records no per-video label: None there). splits: {split: {side: ids}}. faults: what the
    JSON files contradict themselves on (counts that disagree with the lists, a video in no
    split, ...), one line each.
    """
    path: str
    kind: str
    name: str
    described_by: str
    classes: list[str]
    height: int | None
    width: int | None
    flow_format: str | None
    flow_bound: float
    shards: list[ShardSpec]
    videos: dict[str, ExpectedVideo | None]
    splits: dict[str, dict[str, list[str]]]
    faults: list[str]

    @property
    def sequence(self) -> bool:
        """Whether the shards hold tf.train.SequenceExample (data_prep's) or Example (TFDS)."""
        return self.kind == "records"


def is_tfds_build(path: str) -> bool:
    """A TFDS version folder: dataset_info.json and no manifest.json (as `tfds_source` says)."""
    return (os.path.isfile(os.path.join(path, rf.TFDS_INFO_FILENAME))
            and not os.path.isfile(os.path.join(path, rf.MANIFEST_FILENAME)))


def open_record_set(path: str) -> RecordSet:
    """Reads the record set at `path` (see the module docstring).

    Raises:
      tan_keras.errors.InputError: no manifest (or TFDS build) there, or JSON that does not parse
        or lacks what the reader needs, naming the file.
    """
    path = str(path)
    return _from_tfds(path) if is_tfds_build(path) else _from_manifest(path)


def _shard_of(entry: dict, shards: list) -> int | None:
    """The index in `shards` of a manifest video entry's shard (an index or a file name)."""
    shard = entry.get("shard")
    if isinstance(shard, str) and shard in shards:
        return shards.index(shard)
    if isinstance(shard, int) and 0 <= shard < len(shards):
        return shard
    return None


def _from_manifest(path: str) -> RecordSet:
    manifest = rf.read_manifest(path)  # MissingInputError / IncompatibleInputError, one line
    where = os.path.join(path, rf.MANIFEST_FILENAME)
    faults = []
    classes = list(manifest["classes"])
    shards = [ShardSpec(name, os.path.join(path, name), 0, []) for name in manifest["shards"]]
    videos = {}
    for video_id, entry in sorted(manifest["videos"].items()):
        entry = entry if isinstance(entry, dict) else {}
        shard = _shard_of(entry, manifest["shards"])
        label = entry.get("label")
        if shard is None:
            faults.append(f"{where}: videos[{video_id!r}] names no shard of 'shards' "
                          f"(0..{len(shards) - 1}). Received: {entry!r}")
        else:
            shards[shard].videos.append(video_id)
            shards[shard].count += 1
        if not isinstance(label, int) or not 0 <= label < len(classes):
            faults.append(f"{where}: videos[{video_id!r}] has label {label!r}, outside "
                          f"0..{len(classes) - 1} ({len(classes)} classes)")
            label = -1
        videos[video_id] = ExpectedVideo(label=label, num_positions=entry.get("num_positions"),
                                         num_frames=entry.get("num_frames"))
    splits = {str(k): {side: list(ids) for side, ids in sides.items()}
              for k, sides in manifest["splits"].items()}
    faults += _split_faults(where, splits, videos)
    faults += _count_faults(where, manifest, classes, videos, splits)
    params = manifest.get("params", {})
    frame_size = params.get("frame_size")
    width, height = frame_size if isinstance(frame_size, list) and len(frame_size) == 2 \
        else (None, None)
    return RecordSet(path=path, kind="records", name=manifest["name"], described_by=where,
                     classes=classes, height=height, width=width,
                     flow_format=params.get("flow_format"),
                     flow_bound=float(params.get("flow_bound", 20.0)), shards=shards,
                     videos=videos, splits=splits, faults=faults)


def _split_faults(where: str, splits: dict, videos: dict) -> list[str]:
    """Split sides list only stored videos, each once, never on both sides; every stored video
    is in some split (the build stores only the videos the splits use)."""
    faults, in_a_split = [], set()
    for key, sides in sorted(splits.items()):
        for side, ids in sorted(sides.items()):
            unknown = sorted(set(ids) - set(videos))
            if unknown:
                faults.append(f"{where}: split {key} {side} lists {len(unknown)} video(s) the "
                              f"manifest does not store, e.g. {unknown[0]!r}")
            if len(set(ids)) != len(ids):
                faults.append(f"{where}: split {key} {side} lists a video more than once")
            in_a_split.update(ids)
        both = sorted(set(sides.get("train", [])) & set(sides.get("test", [])))
        if both:
            faults.append(f"{where}: split {key} lists {len(both)} video(s) on both sides, e.g. "
                          f"{both[0]!r}")
    unused = sorted(set(videos) - in_a_split)
    if unused:
        faults.append(f"{where}: {len(unused)} stored video(s) are in no split, e.g. "
                      f"{unused[0]!r}")
    return faults


def _count_faults(where: str, manifest: dict, classes: list, videos: dict,
                  splits: dict) -> list[str]:
    """manifest['counts'] against the lists it counts (a manifest without counts passes)."""
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        return []
    positions = sum(v.num_positions or 0 for v in videos.values())
    actual = {"videos": len(videos), "classes": len(classes), "positions": positions,
              "failed": len(manifest.get("failures", [])),
              "missing": len(manifest.get("missing", [])),
              "damaged": len(manifest.get("damaged", []))}
    faults = [f"{where}: counts.{key} is {counts[key]!r}, but the manifest lists {value}"
              for key, value in actual.items() if key in counts and counts[key] != value]
    for key, sides in sorted(counts.get("splits", {}).items()):
        for side, count in sorted(sides.items()):
            listed = len(splits.get(str(key), {}).get(side, []))
            if count != listed:
                faults.append(f"{where}: counts.splits.{key}.{side} is {count!r}, but split "
                              f"{key} lists {listed} {side} video(s)")
    return faults


def _from_tfds(path: str) -> RecordSet:
    from tan_keras.data import tfds_source  # TensorFlow loads here, for a TFDS build only.

    build = tfds_source.load_tfds_build(path)  # checks shardLengths against metadata's sides
    where = os.path.join(path, rf.TFDS_METADATA_FILENAME)
    shards, videos = [], {}
    for side in SIDES:
        shards += [ShardSpec(os.path.basename(shard_path), shard_path, count, side=side)
                   for shard_path, count in build.shards[side]]
        videos.update({video_id: None for video_id in build.videos[side]})
    faults = _split_faults(where, {build.split: {s: list(build.videos[s]) for s in SIDES}},
                           videos)
    return RecordSet(path=path, kind="tfds", name=build.name, described_by=where,
                     classes=list(build.classes), height=build.height, width=build.width,
                     flow_format=build.flow_format,
                     flow_bound=float(build.params.get("flow_bound", 20.0)), shards=shards,
                     videos=videos, splits={build.split: {s: list(build.videos[s])
                                                          for s in SIDES}}, faults=faults)
