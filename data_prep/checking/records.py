"""Checking a finished record set: every shard parses, its videos, positions, classes and splits
agree with the manifest (or a TFDS build's metadata), and every image decodes at the set's size.

  report = check_records("records/ucf101", num_workers=2)
  print(format_records_report(report)); exit(1 if report.faults else 0)

The parent process reads the JSON files (`record_set`) and walks each shard's length fields
(`record_wire.scan_frames`); worker processes each take records: the data's checksum, the proto
(`record_wire.parse_features`, no TensorFlow), the fields the reader needs, and every RGB, flow-x
and flow-y image decoded with OpenCV (`check_record`). The parent then compares what the records
hold with what the JSON promises (`_compare`). Every fault is one line naming its file, and its
record and video where it has them.

What is checked:
  - the manifest itself: counts against the lists they count, every stored video in a split
    and in a listed shard, split sides that list only stored videos (`record_set`);
  - each shard: present, every length and data checksum, as many records as the manifest puts
    in it (a TFDS build: its dataset_info.json shardLengths);
  - each record: parses; has the video id, label, class name, positions, frame indices and
    images the format defines (`tan_keras.record_format`); its id is listed, once, in this
    shard (a TFDS build: on this shard's side); its label, class name, position and frame
    counts are the manifest's; frame indices increase within the decoded frames; every image
    decodes, RGB with 3 channels and flow with 1, at the set's height and width, in its flow
    format;
  - every listed video is found.
"""

import collections
import dataclasses
import os
import time

import cv2
import numpy as np

from data_prep.checking import record_wire
from data_prep.checking.record_set import RecordSet, open_record_set
from data_prep.checking.workers import map_in_workers, worker_count
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError

_MAGIC = {"jpeg": b"\xff\xd8", "png": b"\x89PNG"}
_KINDS = ("rgb", "flow_x", "flow_y")
_NAMES = {"rgb": "RGB", "flow_x": "flow-x", "flow_y": "flow-y"}


@dataclasses.dataclass(frozen=True)
class RecordJob:
    """Where one record is, and what its images should be (None: take the record's own)."""
    shard: str
    path: str
    index: int
    frame: record_wire.Frame
    sequence: bool
    height: int | None
    width: int | None
    flow_format: str | None


@dataclasses.dataclass
class RecordContents:
    """One record's fields in plain Python: rgb, flow_x, flow_y: [P] encoded images;
    frame_indices: [P] ints; height, width, flow_format: the record's (a TFDS build's from its
    features.json); num_frames: decoded frames (None: not stored)."""
    video_id: str
    label: int
    label_text: str
    num_frames: int | None
    height: int
    width: int
    flow_format: str
    rgb: list
    flow_x: list
    flow_y: list
    frame_indices: list


@dataclasses.dataclass
class RecordCheck:
    """What a worker found in one record: its id, label and class name (None where the record
    does not parse), positions, and its problems ([] when it is sound)."""
    shard: str
    index: int
    video_id: str | None = None
    label: int | None = None
    label_text: str | None = None
    num_positions: int = 0
    num_frames: int | None = None
    problems: list = dataclasses.field(default_factory=list)


def _one(features: dict, key: str, kind: str):
    found = features.get(key)
    if found is None or found[0] != kind or len(found[1]) != 1:
        raise KeyError(key)
    value = found[1][0]
    return value.decode("utf-8") if kind == "bytes" else value


def _many(features: dict, key: str, kind: str) -> list:
    found = features.get(key)
    if found is None or found[0] not in (kind, "empty"):
        raise KeyError(key)
    return list(found[1])


def _list(lists: dict, key: str, kind: str) -> list:
    if key not in lists:
        raise KeyError(key)
    values = []
    for found_kind, found in lists[key]:
        if found_kind != kind or len(found) != 1:
            raise KeyError(key)
        values.append(found[0])
    return values


def read_contents(serialized: bytes, job: RecordJob) -> RecordContents:
    """A serialized record -> its fields (see `RecordContents`).

    Raises:
      ValueError: the bytes are not the proto `job.sequence` says; KeyError(name): a field the
        format defines is missing or of another type.
    """
    features, lists = record_wire.parse_features(serialized, job.sequence)
    if job.sequence:  # data_prep's SequenceExample
        return RecordContents(
            video_id=_one(features, rf.VIDEO_FILENAME, "bytes"),
            label=_one(features, rf.LABEL_INDEX, "int64"),
            label_text=_one(features, rf.LABEL_TEXT, "bytes"),
            num_frames=_one(features, rf.NUM_FRAMES, "int64"),
            height=_one(features, rf.HEIGHT, "int64"), width=_one(features, rf.WIDTH, "int64"),
            flow_format=_one(features, rf.FLOW_FORMAT, "bytes"),
            rgb=_list(lists, rf.IMAGE_ENCODED, "bytes"),
            flow_x=_list(lists, rf.FLOW_X_ENCODED, "bytes"),
            flow_y=_list(lists, rf.FLOW_Y_ENCODED, "bytes"),
            frame_indices=_list(lists, rf.FRAME_INDEX, "int64"))
    return RecordContents(  # a TFDS build's Example; its frames' size is the build's
        video_id=_one(features, rf.TFDS_VIDEO_FILENAME, "bytes"),
        label=_one(features, rf.TFDS_LABEL, "int64"),
        label_text=_one(features, rf.TFDS_LABEL_TEXT, "bytes"),
        num_frames=_one(features, rf.TFDS_NUM_FRAMES, "int64"),
        height=job.height, width=job.width, flow_format=job.flow_format,
        rgb=_many(features, rf.TFDS_RGB, "bytes"), flow_x=_many(features, rf.TFDS_FLOW_X, "bytes"),
        flow_y=_many(features, rf.TFDS_FLOW_Y, "bytes"),
        frame_indices=_many(features, rf.TFDS_FRAME_INDEX, "int64"))


def decode_image(encoded: bytes, channels: int) -> np.ndarray | None:
    """JPEG or PNG bytes -> [H, W, 3] uint8 RGB (channels=3) or [H, W] uint8 (channels=1), or
    None when OpenCV cannot decode them or they hold another number of channels. OpenCV decodes
    BGR: the conversion to RGB happens here."""
    image = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.dtype != np.uint8:
        return None
    if channels == 1:
        return image if image.ndim == 2 else None
    if image.ndim != 3 or image.shape[2] != 3:
        return None
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _positions(record: RecordContents) -> list[str]:
    problems = []
    lengths = {kind: len(getattr(record, kind)) for kind in _KINDS}
    lengths["frame_index"] = len(record.frame_indices)
    if len(set(lengths.values())) != 1:
        problems.append("its lists differ in length (" + ", ".join(
            f"{name} {n}" for name, n in lengths.items()) + ")")
    if not record.frame_indices:
        problems.append("it stores no positions")
    indices = record.frame_indices
    if any(b <= a for a, b in zip(indices, indices[1:])) or (indices and indices[0] < 0):
        problems.append(f"its frame indices do not increase from 0 or more: {indices[:8]}")
    elif indices and record.num_frames is not None and indices[-1] + 1 >= record.num_frames:
        problems.append(f"its last position, frame {indices[-1]}, has no next frame among the "
                        f"{record.num_frames} it decoded")
    return problems


def _images(record: RecordContents, job: RecordJob) -> list[str]:
    height, width = job.height or record.height, job.width or record.width
    flow_format = job.flow_format or record.flow_format
    problems = []
    if (record.height, record.width) != (height, width):
        problems.append(f"its video/height x video/width is {record.height}x{record.width}, "
                        f"not the set's {height}x{width}")
    if record.flow_format != flow_format:
        problems.append(f"its flow/format is {record.flow_format!r}, not the set's "
                        f"{flow_format!r}")
    for kind in _KINDS:
        image_format = "jpeg" if kind == "rgb" else flow_format
        channels = 3 if kind == "rgb" else 1
        bad = []
        for position, encoded in enumerate(getattr(record, kind)):
            image = None if not encoded.startswith(_MAGIC.get(image_format, b"")) else \
                decode_image(encoded, channels)
            if image is None or image.shape[:2] != (height, width):
                bad.append(position)
        if bad:
            problems.append(f"{len(bad)} of its {len(getattr(record, kind))} {_NAMES[kind]} "
                            f"images do not decode as {channels}-channel {image_format} of "
                            f"{width}x{height} (positions {_short(bad)})")
    return problems


def _short(items: list, limit: int = 6) -> str:
    text = ", ".join(map(str, items[:limit]))
    return text + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def check_record(job: RecordJob) -> RecordCheck:
    """Reads and checks one record (in a worker); never raises for a bad record."""
    check = RecordCheck(shard=job.shard, index=job.index)
    data, problem = record_wire.read_frame_data(job.path, job.frame)
    if problem:
        check.problems.append(problem)
    proto = "tf.train.SequenceExample" if job.sequence else "tf.train.Example"
    try:
        record = read_contents(data, job)
    except (ValueError, KeyError) as error:
        if not problem:  # after a failed checksum, that it does not parse says nothing more
            check.problems.append(
                f"it does not parse as a {proto}: {error}" if isinstance(error, ValueError)
                else f"it lacks the feature {error.args[0]!r} (or holds another type)")
        return check
    check.video_id, check.label, check.label_text = (record.video_id, record.label,
                                                     record.label_text)
    check.num_positions, check.num_frames = len(record.frame_indices), record.num_frames
    if not problem:  # images of a record that failed its checksum are not worth decoding
        check.problems += _positions(record) + _images(record, job)
    return check


@dataclasses.dataclass
class RecordsReport:
    """What `check_records` found.

    record_set: the set as its JSON describes it. records: records read; positions: their
    positions; images: images decoded. class_counts: class -> records found of it; split_counts:
    {split: {side: records found}}. faults: one line each. jobs: video id -> where its record
    is, for each sound record (the contact sheet reads them). seconds, num_workers: the run.
    """
    record_set: RecordSet
    records: int = 0
    positions: int = 0
    images: int = 0
    class_counts: dict = dataclasses.field(default_factory=dict)
    split_counts: dict = dataclasses.field(default_factory=dict)
    faults: list = dataclasses.field(default_factory=list)
    jobs: dict = dataclasses.field(default_factory=dict)
    seconds: float = 0.0
    num_workers: int = 1


def _jobs(record_set: RecordSet, faults: list) -> list[RecordJob]:
    """Every record of every shard, found by its length fields; missing or cut shards are
    faults."""
    jobs = []
    for shard in record_set.shards:
        if not os.path.isfile(shard.path):
            faults.append(f"{shard.path}: missing ({record_set.described_by} lists it, with "
                          f"{shard.count} video(s))")
            continue
        frames, problem = record_wire.scan_frames(shard.path)
        if problem:
            faults.append(f"{shard.path}: {problem} (read {len(frames)} of the {shard.count} "
                          f"records listed for it)")
        elif len(frames) != shard.count:
            faults.append(f"{shard.path}: holds {len(frames)} records; "
                          f"{os.path.basename(record_set.described_by)} lists {shard.count}")
        jobs += [RecordJob(shard.name, shard.path, i, frame, record_set.sequence,
                           record_set.height, record_set.width, record_set.flow_format)
                 for i, frame in enumerate(frames)]
    return jobs


def _compare(record_set: RecordSet, jobs: list, checks: list, report: RecordsReport) -> None:
    """Each record against what the JSON promises; listed videos never found."""
    shards = {shard.name: shard for shard in record_set.shards}
    side_of = {v: side for sides in record_set.splits.values() for side, ids in sides.items()
               for v in ids}
    where_found = {}
    for job, check in zip(jobs, checks):
        name = f"{job.path}: record {job.index}" + (f" ({check.video_id})" if check.video_id
                                                     else "")
        problems = list(check.problems)
        video_id = check.video_id
        if video_id is not None:
            problems += _against_listing(record_set, shards[job.shard], check, where_found,
                                         side_of)
            where_found.setdefault(video_id, job.shard)
        report.faults += [f"{name}: {problem}" for problem in problems]
        if video_id is not None and not problems:
            report.jobs[video_id] = job
            report.positions += check.num_positions
            report.images += 3 * check.num_positions
    _not_found(record_set, where_found, report)


def _against_listing(record_set: RecordSet, shard, check: RecordCheck, where_found: dict,
                     side_of: dict) -> list[str]:
    video_id, problems = check.video_id, []
    if video_id in where_found:
        return [f"a second record of this video (the first is in {where_found[video_id]})"]
    if video_id not in record_set.videos:
        return [f"its video is not listed in {record_set.described_by}"]
    if shard.videos is not None and video_id not in shard.videos:
        listed = next((s.name for s in record_set.shards if s.videos and video_id in s.videos),
                      "another shard")
        problems.append(f"{os.path.basename(record_set.described_by)} puts it in {listed}")
    if shard.side is not None and side_of.get(video_id) != shard.side:
        problems.append(f"it is in a {shard.side} shard but {record_set.described_by} lists it "
                        f"on the {side_of.get(video_id)} side")
    classes = record_set.classes
    if not 0 <= check.label < len(classes):
        problems.append(f"its label {check.label} is outside 0..{len(classes) - 1}")
    elif check.label_text != classes[check.label]:
        problems.append(f"its class name {check.label_text!r} is not {classes[check.label]!r}, "
                        f"class {check.label} of {record_set.described_by}")
    expected = record_set.videos[video_id]
    if expected is not None:
        for what, found, listed in (("label", check.label, expected.label),
                                    ("positions", check.num_positions, expected.num_positions),
                                    ("decoded frames", check.num_frames, expected.num_frames)):
            if listed is not None and found != listed:
                problems.append(f"it holds {what} {found}; the manifest lists {listed}")
    return problems


def _not_found(record_set: RecordSet, where_found: dict, report: RecordsReport) -> None:
    missing = collections.defaultdict(list)
    for shard in record_set.shards:
        for video_id in shard.videos or []:
            if video_id not in where_found:
                missing[shard.path].append(video_id)
    if any(shard.videos is None for shard in record_set.shards):  # TFDS: by side, not shard
        for video_id in record_set.videos:
            if video_id not in where_found:
                missing[record_set.described_by].append(video_id)
    for path, ids in missing.items():
        report.faults.append(f"{path}: {len(ids)} listed video(s) have no sound record there: "
                             f"{_short(ids, 4)}")


def _counts(record_set: RecordSet, checks: list, report: RecordsReport) -> None:
    found = {check.video_id: check.label for check in checks if check.video_id is not None}
    per_class = collections.Counter(found.values())
    report.class_counts = {name: per_class.get(i, 0) for i, name in enumerate(record_set.classes)}
    report.split_counts = {key: {side: sum(v in found for v in ids) for side, ids in
                                 sorted(sides.items())}
                           for key, sides in sorted(record_set.splits.items())}


def check_records(records_dir: str, num_workers: int | None = None, progress: bool = False,
                  expected_classes: int | None = None,
                  expected_splits: list[str] | None = None) -> RecordsReport:
    """Checks the record set at `records_dir` (see the module docstring).

    Args:
      records_dir: data_prep's records (manifest.json) or a TFDS build's version folder.
      num_workers: processes reading records (default: os.cpu_count()).
      expected_classes: the class count the set must have (None: any).
      expected_splits: the split keys it must hold, e.g. ['1', '2', '3'] (None: any).

    Returns:
      A `RecordsReport`; `faults` is empty when everything agrees.

    Raises:
      tan_keras.errors.InputError: no record set there, JSON that does not parse, or a remote
        path (gs://...).
    """
    if "://" in str(records_dir):
        raise IncompatibleInputError(f"Expected a folder on this machine (the checker reads "
                                     f"local files; copy the records here first). Received: "
                                     f"records_dir={str(records_dir)!r}")
    start = time.perf_counter()
    record_set = open_record_set(records_dir)
    report = RecordsReport(record_set=record_set)
    report.faults += record_set.faults
    if expected_classes is not None and len(record_set.classes) != expected_classes:
        report.faults.append(f"{record_set.described_by}: {len(record_set.classes)} classes; "
                             f"expected {expected_classes}")
    if expected_splits is not None and sorted(record_set.splits) != sorted(expected_splits):
        report.faults.append(f"{record_set.described_by}: splits {sorted(record_set.splits)}; "
                             f"expected {sorted(expected_splits)}")
    jobs = _jobs(record_set, report.faults)
    report.num_workers = worker_count(num_workers, len(jobs))
    checks = map_in_workers(check_record, jobs, num_workers, progress,
                            desc=f"{record_set.name}: records", unit="record")
    report.records = len(checks)
    _compare(record_set, jobs, checks, report)
    _counts(record_set, checks, report)
    report.seconds = time.perf_counter() - start
    return report


def _wrapped(items: list[str], width: int = 96, indent: str = "  ") -> list[str]:
    lines, line = [], indent
    for item in items:
        if len(line) + len(item) + 2 > width and line.strip():
            lines.append(line.rstrip(", "))
            line = indent
        line += item + ", "
    if line.strip():
        lines.append(line.rstrip(", "))
    return lines


def format_records_report(report: RecordsReport) -> str:
    """The report a person reads: what the set is, its class and split counts, each fault."""
    rs = report.record_set
    kind = "TFDS build" if rs.kind == "tfds" else "records"
    size = f"{rs.width}x{rs.height}" if rs.width else "size per record"
    rate = report.records / report.seconds if report.seconds else 0.0
    lines = [f"records: {rs.path} ({kind} {rs.name!r}: {len(rs.shards)} shard(s), "
             f"{len(rs.videos)} videos listed, {len(rs.classes)} classes, {size}, "
             f"{rs.flow_format} flow)",
             f"read {report.records} records, {report.positions} positions, {report.images} "
             f"images in {report.seconds:.1f} s ({rate:.1f} videos/s, {report.num_workers} "
             f"worker(s))",
             f"classes ({len(rs.classes)}), records found of each:"]
    lines += _wrapped([f"{name} {n}" for name, n in report.class_counts.items()])
    for key, sides in report.split_counts.items():
        lines.append(f"split {key}: " + ", ".join(f"{side} {n}" for side, n in sides.items()))
    lines += [f"fault: {fault}" for fault in report.faults]
    lines.append(f"records: {len(report.faults)} fault(s)" if report.faults else
                 "records: no fault")
    return "\n".join(lines)
