"""Classes and train/test splits: the official UCF101 and HMDB51 files, and folder-per-class datasets.

Every parser returns a `DatasetSplits`: the class names (index = 0-based label), the label of every
video that some split uses, and per split the sorted video ids of its train and test sides. A
video's id is its path relative to the video root with '/' separators, e.g.
'HandstandPushups/v_HandStandPushups_g08_c01.avi' (UCF101) or
'brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi' (HMDB51, whose archives unpack to one
folder per class).

Quirks handled: CRLF line endings, trailing spaces, UCF101 test lines without labels (the label
comes from the class folder), UCF101's 'HandstandPushups' folder holding 'v_HandStandPushups_'
files (the folder decides the class, never the file name), HMDB51's unused entries (code 0).

Input at fault raises the `tan_keras.errors` classes, with the file, the line and what was
expected: `MissingInputError` (a FileNotFoundError) for a missing folder or split file,
`IncompatibleInputError` (a ValueError) for a line that does not parse or does not fit (a class
classInd.txt does not list, a label that disagrees with its folder, no videos).
"""

import dataclasses
import hashlib
import os
import re

from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError, MissingInputError

VIDEO_EXTENSIONS = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v", ".flv",
                    ".wmv", ".ogv", ".3gp")
DEFAULT_TEST_FRACTION = 0.3
_UCF_TRAIN = re.compile(r"^trainlist(\d+)\.txt$")
_HMDB_FILE = re.compile(r"^(.+)_test_split(\d+)\.txt$")


@dataclasses.dataclass
class DatasetSplits:
    """classes: names, index = label; labels: video id -> label; splits: 'k' -> {'train', 'test'} ids."""
    classes: list[str]
    labels: dict[str, int]
    splits: dict[str, dict[str, list[str]]]

    def videos(self) -> list[str]:
        """Every video some split uses, sorted (the order records and shards follow)."""
        return sorted(self.labels)


def _read_lines(path: str) -> list[tuple[int, str]]:
    """(1-based line number, stripped text) of each non-empty line; CRLF and trailing spaces go."""
    if not os.path.isfile(path):
        raise MissingInputError(f"Split file not found: {path}")
    with open(path, "r", encoding="utf-8", newline=None) as f:
        return [(n, line.strip()) for n, line in enumerate(f, 1) if line.strip()]


def parse_class_index(path: str) -> list[str]:
    """UCF101 classInd.txt ('<1-based index> <ClassName>' lines) -> class names in index order."""
    entries = {}
    for n, line in _read_lines(path):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise IncompatibleInputError(f"{path}:{n}: expected '<index> <ClassName>'. "
                                         f"Received: {line!r}")
        entries[int(parts[0])] = parts[1]
    if sorted(entries) != list(range(1, len(entries) + 1)):
        raise IncompatibleInputError(f"{path}: expected class indices 1..{len(entries)}. "
                                     f"Received: {sorted(entries)[:5]}...")
    return [entries[i] for i in range(1, len(entries) + 1)]


def _class_list(classes: list[str], limit: int = 5) -> str:
    """'3 classes: A, B, C' (the first `limit` names, then '...')."""
    names = ", ".join(classes[:limit]) + (", ..." if len(classes) > limit else "")
    return f"{len(classes)} class{'es' if len(classes) != 1 else ''}: {names}"


def parse_ucf101_list(path: str, classes: list[str],
                      classes_from: str = "classInd.txt") -> list[tuple[str, int]]:
    """A UCF101 trainlist/testlist file -> [(video id, 0-based label)], in file order.

    Train lines are '<Class>/<video>.avi <1-based label>'; test lines have no label. The label
    always comes from the class folder; a train line's own label must agree with it.
    `classes_from` names where `classes` came from, for the error messages.
    """
    index = {name: i for i, name in enumerate(classes)}
    entries = []
    for n, line in _read_lines(path):
        parts = line.split()
        video = parts[0].replace("\\", "/")
        folder = video.split("/")[0] if "/" in video else None
        if len(parts) > 2 or folder is None:
            raise IncompatibleInputError(f"{path}:{n}: expected '<ClassName>/<video> [label]'. "
                                         f"Received: {line!r}")
        if folder not in index:
            raise IncompatibleInputError(
                f"{path}:{n}: unknown class {folder!r}. Expected a class of {classes_from} "
                f"({_class_list(classes)}). Received: {line!r}")
        label = index[folder]
        if len(parts) == 2 and parts[1] != str(label + 1):
            raise IncompatibleInputError(
                f"{path}:{n}: label {parts[1]} disagrees with class folder {folder!r} (index "
                f"{label + 1} in {classes_from}). Received: {line!r}")
        entries.append((video, label))
    return entries


def _split_numbers(splits_dir: str, pattern: re.Pattern) -> list[int]:
    if not os.path.isdir(splits_dir):
        raise MissingInputError(f"Splits directory not found: {splits_dir}")
    numbers = {int(m.group(m.lastindex)) for f in os.listdir(splits_dir) if (m := pattern.match(f))}
    if not numbers:
        raise MissingInputError(f"{splits_dir}: no split files matching {pattern.pattern!r}.")
    return sorted(numbers)


def load_ucf101_splits(splits_dir: str, classes: list[str] | None = None,
                       classes_from: str = "the class folders") -> DatasetSplits:
    """Reads classInd.txt (unless `classes` is given) and every trainlistNN.txt/testlistNN.txt pair.

    classes_from: where a given `classes` came from, for the error messages.
    """
    if classes is None:
        classes_from = "classInd.txt"
        classes = parse_class_index(os.path.join(splits_dir, classes_from))
    labels, splits = {}, {}
    for k in _split_numbers(splits_dir, _UCF_TRAIN):
        sides = {}
        for side, prefix in (("train", "trainlist"), ("test", "testlist")):
            entries = parse_ucf101_list(os.path.join(splits_dir, f"{prefix}{k:02d}.txt"), classes,
                                        classes_from)
            labels.update(entries)
            sides[side] = sorted(video for video, _ in entries)
        overlap = set(sides["train"]) & set(sides["test"])
        if overlap:
            raise IncompatibleInputError(f"{splits_dir}: split {k} lists {len(overlap)} videos on "
                                         f"both sides, e.g. {sorted(overlap)[:3]}")
        splits[rf.split_key(k)] = sides
    return DatasetSplits(classes=list(classes), labels=labels, splits=splits)


def parse_hmdb51_split_file(path: str) -> list[tuple[str, int]]:
    """One HMDB51 '<class>_test_split<k>.txt' -> [(video file name, code)]; 1 train, 2 test, 0 unused."""
    entries = []
    for n, line in _read_lines(path):
        parts = line.split()
        if len(parts) != 2 or parts[1] not in ("0", "1", "2"):
            raise IncompatibleInputError(f"{path}:{n}: expected '<video>.avi <0|1|2>'. "
                                         f"Received: {line!r}")
        entries.append((parts[0], int(parts[1])))
    return entries


def load_hmdb51_splits(splits_dir: str) -> DatasetSplits:
    """Reads testTrainMulti_7030_splits: classes sorted by name; ids '<class>/<video>.avi'."""
    if not os.path.isdir(splits_dir):
        raise MissingInputError(f"Splits directory not found: {splits_dir}")
    files = {}
    for f in os.listdir(splits_dir):
        if m := _HMDB_FILE.match(f):
            files[(m.group(1), int(m.group(2)))] = os.path.join(splits_dir, f)
    if not files:
        raise MissingInputError(f"{splits_dir}: no HMDB51 split files '<class>_test_split<k>.txt'.")
    classes = sorted({c for c, _ in files})
    numbers = sorted({k for _, k in files})
    labels, splits = {}, {}
    for k in numbers:
        sides = {"train": [], "test": []}
        for label, name in enumerate(classes):
            if (name, k) not in files:
                raise MissingInputError(f"{splits_dir}: {name}_test_split{k}.txt is missing.")
            for video, code in parse_hmdb51_split_file(files[(name, k)]):
                if code == 0:
                    continue
                video_id = f"{name}/{video}"
                labels[video_id] = label
                sides["train" if code == 1 else "test"].append(video_id)
        splits[rf.split_key(k)] = {side: sorted(ids) for side, ids in sides.items()}
    return DatasetSplits(classes=classes, labels=labels, splits=splits)


def list_folder_videos(video_dir: str) -> tuple[list[str], dict[str, int]]:
    """A folder-per-class dataset -> (classes, {video id: label}).

    Classes are the sorted names of the sub-folders that hold at least one video file (by
    extension, see VIDEO_EXTENSIONS); videos are the files directly inside them.
    """
    if not os.path.isdir(video_dir):
        raise MissingInputError(f"Video directory not found: {video_dir}")
    found = {}
    for name in sorted(os.listdir(video_dir)):
        folder = os.path.join(video_dir, name)
        if name.startswith(".") or not os.path.isdir(folder):
            continue
        videos = sorted(f for f in os.listdir(folder) if f.lower().endswith(VIDEO_EXTENSIONS))
        if videos:
            found[name] = videos
    if not found:
        raise IncompatibleInputError(
            f"{video_dir}: expected one sub-folder per class holding video files "
            f"({', '.join(VIDEO_EXTENSIONS)}). Received: no such sub-folder.")
    classes = sorted(found)
    labels = {f"{name}/{video}": i for i, name in enumerate(classes) for video in found[name]}
    return classes, labels


def hash_fraction(video_id: str) -> float:
    """A stable number in [0, 1) from the video id (SHA-1), independent of the other videos."""
    return int(hashlib.sha1(video_id.encode("utf-8")).hexdigest()[:8], 16) / 2 ** 32


def load_folder_splits(video_dir: str, splits_dir: str | None = None,
                       test_fraction: float = DEFAULT_TEST_FRACTION) -> DatasetSplits:
    """A folder-per-class dataset and its train/test sides.

    With `splits_dir`, the sides come from UCF101-format files there (trainlistNN.txt and
    testlistNN.txt; classInd.txt too, else the classes are the sorted folder names). Without it,
    there is one split, '1', and a video is on the test side when `hash_fraction(id) <
    test_fraction`: deterministic, and adding videos never moves the others.
    """
    if splits_dir:
        has_index = os.path.isfile(os.path.join(splits_dir, "classInd.txt"))
        classes = None if has_index else list_folder_videos(video_dir)[0]
        return load_ucf101_splits(splits_dir, classes, f"the class folders of {video_dir}")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"Expected 0 <= test_fraction < 1. Received: test_fraction={test_fraction!r}")
    classes, labels = list_folder_videos(video_dir)
    test = sorted(v for v in labels if hash_fraction(v) < test_fraction)
    train = sorted(v for v in labels if hash_fraction(v) >= test_fraction)
    return DatasetSplits(classes=classes, labels=labels, splits={"1": {"train": train, "test": test}})


DATASETS = ("ucf101", "hmdb51", "folder")


def load_splits(dataset: str, video_dir: str, splits_dir: str | None = None,
                test_fraction: float = DEFAULT_TEST_FRACTION) -> DatasetSplits:
    """Dispatches on `dataset` in DATASETS; ucf101 and hmdb51 need `splits_dir`."""
    if dataset not in DATASETS:
        raise ValueError(f"Expected dataset in {DATASETS}. Received: dataset={dataset!r}")
    if dataset == "folder":
        return load_folder_splits(video_dir, splits_dir, test_fraction)
    if not splits_dir:
        raise IncompatibleInputError(f"The {dataset} dataset needs its official split files. "
                                     f"Received: splits_dir={splits_dir!r}")
    return load_ucf101_splits(splits_dir) if dataset == "ucf101" else load_hmdb51_splits(splits_dir)
