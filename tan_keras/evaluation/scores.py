"""The per-video score file: one `.npz` per evaluated model, read by `fusion.fuse`.

Format (numpy `.npz`, every array has N rows in the same video order):
  video_ids  [N]    str      the records' video/filename, e.g. "Punch/v_Punch_g01_c01.avi".
  labels     [N]    int64    0-based class index (-1 when unknown, e.g. external scores).
  classes    [C]    str      class names; index i is class i.
  <stream>   [N, C] float32  any number of score arrays. evaluate writes
                             spatial, temporal (softmax probabilities averaged over the 10 views)
                             and fused (the model's fused output averaged over the views).
External scores (e.g. MIFS for TAN+) use the same format with any stream name, e.g. `scores`.
"""

from pathlib import Path

import numpy as np

from tan_keras.errors import IncompatibleInputError, MissingInputError

RESERVED_KEYS = ("video_ids", "labels", "classes")


def save_scores(path: Path, video_ids, labels, classes, **streams: np.ndarray) -> Path:
    """Writes a score file; each keyword is one [N, C] stream."""
    video_ids = np.asarray(video_ids, dtype=str)
    labels = np.asarray(labels, dtype=np.int64)
    classes = np.asarray(classes, dtype=str)
    if not streams:
        raise ValueError("Expected at least one score stream. Received: none")
    for name, array in streams.items():
        if np.shape(array) != (len(video_ids), len(classes)):
            raise ValueError(f"Expected stream {name!r} of shape {(len(video_ids), len(classes))}. "
                             f"Received: shape={np.shape(array)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, video_ids=video_ids, labels=labels, classes=classes,
             **{name: np.asarray(array, np.float32) for name, array in streams.items()})
    return path


def load_scores(path: Path) -> dict:
    """Reads and checks a score file: {'video_ids', 'labels', 'classes', 'streams': {name: [N, C]}}."""
    path = Path(path)
    if not path.is_file():
        raise MissingInputError(f"Score file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError) as error:
        raise IncompatibleInputError(f"Expected a numpy .npz score file at {path}. "
                                     f"Received unreadable file: {error}") from None
    missing = [key for key in RESERVED_KEYS if key not in arrays]
    if missing:
        raise IncompatibleInputError(
            f"Score file {path} lacks {missing}. Expected keys {list(RESERVED_KEYS)} and at "
            f"least one [N, C] stream. Received: keys={sorted(arrays)}")
    n, c = len(arrays["video_ids"]), len(arrays["classes"])
    streams = {key: value for key, value in arrays.items() if key not in RESERVED_KEYS}
    if not streams:
        raise IncompatibleInputError(f"Score file {path} holds no score stream. "
                                     f"Received: keys={sorted(arrays)}")
    for name, array in streams.items():
        if array.shape != (n, c):
            raise IncompatibleInputError(
                f"Score file {path}: expected stream {name!r} of shape {(n, c)} (videos, "
                f"classes). Received: shape={array.shape}")
    if arrays["labels"].shape != (n,):
        raise IncompatibleInputError(f"Score file {path}: expected labels of shape {(n,)}. "
                                     f"Received: shape={arrays['labels'].shape}")
    return {"video_ids": arrays["video_ids"].astype(str), "labels": arrays["labels"],
            "classes": arrays["classes"].astype(str), "streams": streams, "path": path}
