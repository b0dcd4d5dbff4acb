"""Decoding videos with OpenCV: RGB frames at a fixed size, and the frame count and fps.

OpenCV decodes BGR. The conversion to RGB happens here, once, at the decoding edge; everything
after this module sees RGB.

Reading is two passes over the file: the first counts the frames that really decode (container
headers lie, especially in truncated or odd .avi files), the second decodes again and keeps only
the frames asked for (`cv2.VideoCapture.grab` skips the colour conversion of the others).

Damaged videos. The first pass also reads the frame count the container reports
(`cv2.CAP_PROP_FRAME_COUNT`). Intact clips agree with it within a frame (the real HMDB51 clip:
409 reported, 408 decode); a truncated download decodes far fewer (the first 60 kB of a
251-frame UCF101 clip: 17). A video is *damaged* when the frames that decode are fewer than
`min_fraction` (default `DEFAULT_MIN_DECODED_FRACTION`, 0.9) of the reported count; a container
that reports 0 frames or nothing is not judged. `is_damaged` states the rule and
`DamagedVideoError` (a `VideoDecodeError`) reports it with both counts. What a build does with a
damaged video (fail it, or keep the frames that decode) is decided by `extract.PrepSettings`.
"""

import dataclasses
import os
import shutil
import tempfile

import cv2
import numpy as np

from data_prep import files

DEFAULT_FRAME_WIDTH, DEFAULT_FRAME_HEIGHT = 340, 256  # 340x256, the TSN convention.
DEFAULT_MIN_DECODED_FRACTION = 0.9  # Below this share of the container's frame count: damaged.


class VideoDecodeError(ValueError):
    """A video that cannot be decoded (unreadable, corrupt, truncated, or too short)."""


class DamagedVideoError(VideoDecodeError):
    """Far fewer frames decode than the container reports: a truncated or corrupt file.

    Args:
      path: the video, as the caller named it.
      decoded_frames: frames that really decode.
      container_frames: the count the container reports (> 0).
      min_fraction: the share of `container_frames` below which a video is damaged.
    """

    def __init__(self, path: str, decoded_frames: int, container_frames: int,
                 min_fraction: float = DEFAULT_MIN_DECODED_FRACTION):
        self.path = path
        self.decoded_frames = decoded_frames
        self.container_frames = container_frames
        self.min_fraction = min_fraction
        super().__init__(
            f"{path}: damaged: {decoded_frames} of the {container_frames} frames its container "
            f"reports decode (below {min_fraction * 100:g}%); re-download it, or pass "
            f"--on_damaged=build to keep the frames that decode")

    def __reduce__(self):  # picklable despite the custom __init__ (worker processes, Beam)
        return type(self), (self.path, self.decoded_frames, self.container_frames,
                            self.min_fraction)


@dataclasses.dataclass(frozen=True)
class FrameCounts:
    """decoded: frames that really decode; container: frames the container reports (0 when it
    reports none); fps: the container's frames per second (0 when unknown)."""
    decoded: int
    container: int
    fps: float


def is_damaged(decoded_frames: int, container_frames: int,
               min_fraction: float = DEFAULT_MIN_DECODED_FRACTION) -> bool:
    """True when fewer than `min_fraction` of the container's frames decode.

    A container that reports no count (0) is not judged: False.
    """
    if not 0 < min_fraction <= 1:
        raise ValueError(f"Expected 0 < min_fraction <= 1. Received: min_fraction={min_fraction!r}")
    return container_frames > 0 and decoded_frames < min_fraction * container_frames


def _open(path: str) -> cv2.VideoCapture:
    if not os.path.isfile(path):
        raise VideoDecodeError(f"{path}: no such file.")
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise VideoDecodeError(f"{path}: OpenCV cannot open it as a video (unreadable or not a "
                               f"video format OpenCV decodes).")
    return capture


def _positive_or_zero(value: float) -> float:
    """A container property, or 0 when OpenCV reports it as missing (-1, 0, NaN)."""
    return float(value) if np.isfinite(value) and value > 0 else 0.0


def probe(path: str) -> FrameCounts:
    """Decodes the whole video once: the frames that decode, and what the container reports."""
    capture = _open(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        container = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        count = 0
        while capture.grab():
            count += 1
    finally:
        capture.release()
    return FrameCounts(decoded=count, container=int(round(_positive_or_zero(container))),
                       fps=_positive_or_zero(fps))


def count_frames(path: str) -> tuple[int, float]:
    """Decodes the whole video once; returns (frames that decode, fps from the container or 0)."""
    counts = probe(path)
    return counts.decoded, counts.fps


def to_rgb(frame_bgr: np.ndarray, *, frame_height: int, frame_width: int) -> np.ndarray:
    """frame_bgr: [h, w, 3] uint8 BGR as OpenCV decodes -> [H, W, 3] uint8 RGB, where
    H = frame_height and W = frame_width.

    Resizing uses bilinear interpolation (cv2.INTER_LINEAR), as the TSN tools do.
    """
    height, width = frame_height, frame_width
    if frame_bgr.shape[1] != width or frame_bgr.shape[0] != height:
        size_wh = (width, height)  # OpenCV's order
        frame_bgr = cv2.resize(frame_bgr, size_wh, interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)


def read_frames(path: str, indices, *, frame_height: int = DEFAULT_FRAME_HEIGHT,
                frame_width: int = DEFAULT_FRAME_WIDTH) -> np.ndarray:
    """Decodes the frames at `indices` (sorted, distinct, 0-based).

    Args:
      path: a local video file OpenCV can open.
      indices: increasing 0-based frame indices.
      frame_height, frame_width: H and W of the returned frames (resized to them).

    Returns:
      [len(indices), H, W, 3] uint8 RGB.
    """
    indices = [int(i) for i in indices]
    if any(b <= a for a, b in zip(indices, indices[1:])) or (indices and indices[0] < 0):
        raise ValueError(f"Expected increasing non-negative frame indices. Received: indices={indices}")
    frames = np.empty((len(indices), frame_height, frame_width, 3), np.uint8)
    capture = _open(path)
    try:
        frame_number = -1
        for out, wanted in enumerate(indices):
            while frame_number < wanted:
                if not capture.grab():
                    raise VideoDecodeError(f"{path}: frame {wanted} does not decode (the video "
                                           f"ends after {frame_number + 1} frames).")
                frame_number += 1
            ok, frame_bgr = capture.retrieve()
            if not ok or frame_bgr is None:
                raise VideoDecodeError(f"{path}: frame {wanted} does not decode.")
            frames[out] = to_rgb(frame_bgr, frame_height=frame_height, frame_width=frame_width)
    finally:
        capture.release()
    return frames


def parse_frame_size(text: str) -> dict:
    """A --frame_size flag, WIDTHxHEIGHT (ffmpeg's and OpenCV's order), to named sizes:
    '340x256' -> {'frame_width': 340, 'frame_height': 256}, e.g. for `PrepSettings(**...)`."""
    parts = str(text).lower().split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        width = height = 0
    if len(parts) != 2 or width <= 0 or height <= 0:
        raise ValueError(f"Expected a frame size WIDTHxHEIGHT such as 340x256. Received: "
                         f"frame_size={text!r}")
    return {"frame_width": width, "frame_height": height}


class LocalCopy:
    """Context manager: a local path for `path`, copying remote files (gs://, s3://...) to a temp file.

    OpenCV reads only local files; Beam workers on Dataflow read videos from a bucket.
    """

    def __init__(self, path: str):
        self._path = path
        self._tmp_dir = None

    def __enter__(self) -> str:
        if files.is_local(self._path):
            return self._path
        import tensorflow as tf  # Only remote paths need tf.io.gfile.
        self._tmp_dir = tempfile.mkdtemp(prefix="tan_video_")
        local = os.path.join(self._tmp_dir, os.path.basename(self._path))
        tf.io.gfile.copy(self._path, local, overwrite=True)
        return local

    def __exit__(self, *exc):
        if self._tmp_dir:
            shutil.rmtree(self._tmp_dir, ignore_errors=True)
        return False
