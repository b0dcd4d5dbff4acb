"""The one per-video function behind every runner (local workers, Apache Beam, TFDS).

`extract_positions(path, settings)` decodes a video and computes its stored positions: RGB frames
and quantised TV-L1 flow. `process_video(task, settings)` adds the record encoding and turns a bad
video into a `VideoResult` with a reason instead of an exception, so that a run goes on.

The same work in three steps, for the local runner's JAX engine (whose flow runs in one process,
on batches of pairs gathered across videos, while worker processes decode and encode):
`decode_video(task, settings)` (frames and the grayscale pairs, or a failed `VideoResult`), the
flow of `DecodedVideo.prev_gray` / `next_gray`, then `encode_video(task, settings, decoded, flow)`.

Damaged videos (fewer than `settings.min_decoded_fraction`, default 0.9, of the frames the
container reports decode; see `video.is_damaged`): with `on_damaged='fail'` (the default) the
video fails with a `video.DamagedVideoError` naming both counts, so it counts as a failure of the
build; with `on_damaged='build'` it is built from the frames that decode and its result says
`damaged=True` (the manifest lists it under "damaged").
"""

import dataclasses
import time

import cv2
import numpy as np

from data_prep.flow import tvl1 as flow_lib
from data_prep.decoding import positions as positions_lib
from data_prep.records import writing as records
from data_prep.decoding import video as video_lib


ON_DAMAGED = ("fail", "build")


@dataclasses.dataclass(frozen=True)
class PrepSettings:
    """What a record holds, and which videos get one.

    positions: K, or 0 for every frame; frame_width, frame_height: the stored frames' size
    (a --frame_size=WIDTHxHEIGHT flag gives both: `video.parse_frame_size`); on_damaged: 'fail' or
    'build' for a video of which fewer than `min_decoded_fraction` (in (0, 1]) of the frames its
    container reports decode. flow_engine: 'opencv' (OpenCV's TV-L1, one pair a core) or 'jax'
    (the same algorithm in JAX, `flow_batch_size` pairs a compiled call; the batch size fixes the
    compiled program, so it is part of what a record holds).
    """
    positions: int = 25
    frame_width: int = video_lib.DEFAULT_FRAME_WIDTH
    frame_height: int = video_lib.DEFAULT_FRAME_HEIGHT
    flow_bound: float = flow_lib.DEFAULT_FLOW_BOUND
    flow_format: str = "jpeg"
    jpeg_quality: int = records.DEFAULT_JPEG_QUALITY
    on_damaged: str = "fail"
    min_decoded_fraction: float = video_lib.DEFAULT_MIN_DECODED_FRACTION
    flow_engine: str = "opencv"
    flow_batch_size: int = flow_lib.DEFAULT_JAX_BATCH_SIZE

    def __post_init__(self):
        if self.positions < 0:
            raise ValueError(f"Expected positions >= 0 (0 = every frame). Received: "
                             f"positions={self.positions!r}")
        if not min(self.frame_width, self.frame_height) > 0:
            raise ValueError(f"Expected frame_width and frame_height > 0. Received: "
                             f"frame_width={self.frame_width!r}, "
                             f"frame_height={self.frame_height!r}")
        if self.flow_format not in records.FLOW_FORMATS:
            raise ValueError(f"Expected flow_format in {records.FLOW_FORMATS}. Received: "
                             f"flow_format={self.flow_format!r}")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"Expected jpeg_quality in 1..100. Received: "
                             f"jpeg_quality={self.jpeg_quality!r}")
        if not self.flow_bound > 0:
            raise ValueError(f"Expected flow_bound > 0. Received: flow_bound={self.flow_bound!r}")
        if self.on_damaged not in ON_DAMAGED:
            raise ValueError(f"Expected on_damaged in {ON_DAMAGED}. Received: "
                             f"on_damaged={self.on_damaged!r}")
        if not 0 < self.min_decoded_fraction <= 1:
            raise ValueError(f"Expected 0 < min_decoded_fraction <= 1. Received: "
                             f"min_decoded_fraction={self.min_decoded_fraction!r}")
        if self.flow_engine not in flow_lib.FLOW_ENGINES:
            raise ValueError(f"Expected flow_engine in {flow_lib.FLOW_ENGINES}. Received: "
                             f"flow_engine={self.flow_engine!r}")
        if self.flow_batch_size < 1:
            raise ValueError(f"Expected flow_batch_size >= 1. Received: "
                             f"flow_batch_size={self.flow_batch_size!r}")

    def as_params(self) -> dict:
        """JSON-ready settings for the manifest (flow_batch_size only with the JAX engine).

        The frame size is written as manifest.json has always held it, "frame_size": [width,
        height] (`tan_keras.frame_settings.FrameSettings.from_dict` reads it).
        """
        params = {"positions": self.positions,
                  "frame_size": [self.frame_width, self.frame_height],
                  "flow_bound": self.flow_bound, "flow_format": self.flow_format,
                  "jpeg_quality": self.jpeg_quality, "on_damaged": self.on_damaged,
                  "min_decoded_fraction": self.min_decoded_fraction,
                  "flow_engine": self.flow_engine}
        if self.flow_engine == "jax":
            params["flow_batch_size"] = self.flow_batch_size
        return params


@dataclasses.dataclass(frozen=True)
class VideoTask:
    """path: the file to decode; filename: its id (relative path); label and label_text: its class."""
    path: str
    filename: str
    label: int
    label_text: str


@dataclasses.dataclass
class VideoPositions:
    """rgb: [P, H, W, 3] uint8; flow: [P, H, W, 2] uint8 quantised; frame_indices: [P] int64.

    num_frames: frames that decode; container_frames: frames the container reports (0: none);
    damaged: too few of those decode (kept because settings.on_damaged is 'build').
    """
    rgb: np.ndarray
    flow: np.ndarray
    frame_indices: np.ndarray
    num_frames: int
    fps: float
    container_frames: int = 0
    damaged: bool = False


@dataclasses.dataclass
class VideoResult:
    """The outcome for one video: `record` bytes, or `reason` when it failed. Plain data (picklable).

    damaged: built from fewer than settings.min_decoded_fraction of the `container_frames` its
    container reports (only with on_damaged='build'; with 'fail' such a video has a `reason`).
    """
    filename: str
    label: int
    record: bytes | None = None
    num_positions: int = 0
    num_frames: int = 0
    record_bytes: int = 0
    reason: str | None = None
    seconds: float = 0.0
    container_frames: int = 0
    damaged: bool = False

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclasses.dataclass
class DecodedVideo:
    """A video's kept positions before flow: rgb [P, H, W, 3] uint8, prev_gray and next_gray
    [P, H, W] uint8 (frames k and k + 1 of each position), frame_indices [P] int64, and what
    `VideoPositions` says about the video. Plain data (picklable)."""
    rgb: np.ndarray
    prev_gray: np.ndarray
    next_gray: np.ndarray
    frame_indices: np.ndarray
    num_frames: int
    fps: float
    container_frames: int = 0
    damaged: bool = False


def decode_positions(path: str, settings: PrepSettings) -> DecodedVideo:
    """Decodes `path`: each kept position's RGB frame and its pair of grayscale frames.

    Raises `video.VideoDecodeError` (naming the file) for unreadable, empty or 1-frame videos,
    and its subclass `video.DamagedVideoError` for a damaged video when settings.on_damaged is
    'fail' (see the module docstring).
    """
    with video_lib.LocalCopy(path) as local:
        counts = video_lib.probe(local)
        num_frames = counts.decoded
        damaged = video_lib.is_damaged(num_frames, counts.container, settings.min_decoded_fraction)
        if damaged and settings.on_damaged == "fail":
            raise video_lib.DamagedVideoError(path, num_frames, counts.container,
                                              settings.min_decoded_fraction)
        if num_frames < 2:
            raise video_lib.VideoDecodeError(
                f"{path}: decoded {num_frames} frame(s); flow needs at least 2 (corrupt, truncated "
                f"or empty video).")
        kept = positions_lib.position_indices(num_frames, settings.positions)
        needed = sorted(set(kept) | {k + 1 for k in kept})
        frames = video_lib.read_frames(local, needed, frame_height=settings.frame_height,
                                       frame_width=settings.frame_width)
    by_index = dict(zip(needed, frames))
    gray = {k: cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for k, f in by_index.items()}
    return DecodedVideo(rgb=np.stack([by_index[k] for k in kept]),
                        prev_gray=np.stack([gray[k] for k in kept]),
                        next_gray=np.stack([gray[k + 1] for k in kept]),
                        frame_indices=np.asarray(kept, np.int64), num_frames=num_frames,
                        fps=counts.fps, container_frames=counts.container, damaged=damaged)


def compute_flow(decoded: DecodedVideo, settings: PrepSettings) -> np.ndarray:
    """[P, H, W, 2] uint8: the quantised flow of a decoded video's pairs, with settings.flow_engine."""
    if settings.flow_engine == "jax":
        flow = flow_lib.tvl1_jax(decoded.prev_gray, decoded.next_gray, settings.flow_batch_size)
    else:
        flow = [flow_lib.tvl1(a, b) for a, b in zip(decoded.prev_gray, decoded.next_gray)]
    return np.stack([flow_lib.quantize(f, settings.flow_bound) for f in flow])


def extract_positions(path: str, settings: PrepSettings) -> VideoPositions:
    """Decodes `path` and computes each kept position's RGB frame and flow k -> k + 1.

    Raises `video.VideoDecodeError` (naming the file) for unreadable, empty or 1-frame videos,
    and its subclass `video.DamagedVideoError` for a damaged video when settings.on_damaged is
    'fail' (see the module docstring).
    """
    decoded = decode_positions(path, settings)
    return _positions(decoded, compute_flow(decoded, settings))


def _positions(decoded: DecodedVideo, flow: np.ndarray) -> VideoPositions:
    return VideoPositions(rgb=decoded.rgb, flow=flow, frame_indices=decoded.frame_indices,
                          num_frames=decoded.num_frames, fps=decoded.fps,
                          container_frames=decoded.container_frames, damaged=decoded.damaged)


_BAD_INPUT = (video_lib.VideoDecodeError, cv2.error, ValueError, OSError)


def _failure(task: VideoTask, error: Exception, start: float) -> VideoResult:
    reason = str(error) if isinstance(error, video_lib.VideoDecodeError) else \
        f"{task.path}: {type(error).__name__}: {error}"
    return VideoResult(filename=task.filename, label=task.label, reason=reason,
                       seconds=time.perf_counter() - start)


def _encode(task: VideoTask, settings: PrepSettings, pos: VideoPositions, start: float
            ) -> VideoResult:
    record = records.encode_video_record(
        pos.rgb, pos.flow, pos.frame_indices, label=task.label, label_text=task.label_text,
        filename=task.filename, num_frames=pos.num_frames, fps=pos.fps,
        positions_requested=settings.positions, flow_bound=settings.flow_bound,
        flow_format=settings.flow_format, jpeg_quality=settings.jpeg_quality)
    return VideoResult(filename=task.filename, label=task.label, record=record,
                       num_positions=len(pos.frame_indices), num_frames=pos.num_frames,
                       record_bytes=len(record), seconds=time.perf_counter() - start,
                       container_frames=pos.container_frames, damaged=pos.damaged)


def process_video(task: VideoTask, settings: PrepSettings) -> VideoResult:
    """A video -> its serialized record, or a failure with the reason (never raises for bad input)."""
    start = time.perf_counter()
    try:
        return _encode(task, settings, extract_positions(task.path, settings), start)
    except _BAD_INPUT as e:
        return _failure(task, e, start)


def decode_video(task: VideoTask, settings: PrepSettings) -> DecodedVideo | VideoResult:
    """`decode_positions`, or a failed `VideoResult` with the reason (never raises for bad input)."""
    start = time.perf_counter()
    try:
        return decode_positions(task.path, settings)
    except _BAD_INPUT as e:
        return _failure(task, e, start)


def encode_video(task: VideoTask, settings: PrepSettings, decoded: DecodedVideo,
                 flow: np.ndarray) -> VideoResult:
    """A decoded video and its [P, H, W, 2] uint8 flow -> its record (`process_video`'s result)."""
    start = time.perf_counter()
    try:
        return _encode(task, settings, _positions(decoded, flow), start)
    except _BAD_INPUT as e:
        return _failure(task, e, start)
