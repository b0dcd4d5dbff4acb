"""A long video or a live source as a stream of windows, each prepared as `model_input.video_clip`
prepares a whole clip.

A window is W consecutive frames; window j starts at frame j x stride. Of its W frames the model
reads the T positions that `video_clip` would read of a W-frame video
(`model_input.window_offsets`: the records' K positions, then the test protocol's T of them), so
a window that covers exactly one clip gets that clip's scores. At each position k the RGB frame
and the TV-L1 flow from k to k + 1 go through the records' encoding (`model_input.stored_snippet`).

The source is read once, frame by frame (`cv2.VideoCapture.read`): only the previous frame and
the positions of the windows still open are held, so memory does not grow with the video's
length, and flow is computed only at the positions some window reads. With the JAX engine the
pairs a window needs are computed together, in one batched call, when the window completes.

A source is a video file, a camera index (`0`) or a URL OpenCV opens (`rtsp://...`). A file
that ends early (truncated), a stream that drops or a capture that raises ends the stream: the
windows completed before it are kept, and the reason is reported once (`WindowStream.problems`).
The frames after the last whole window are not scored; that is reported too.
"""

import dataclasses
import os
import time
from typing import Callable, Iterator

import cv2
import numpy as np

from data_prep.decoding import model_input
from data_prep.decoding import video as video_lib
from data_prep.flow import tvl1 as flow_lib
from tan_keras.frame_settings import FrameSettings

DEFAULT_LIVE_FPS = 25.0  # a live source whose capture reports no frame rate


def is_live(source) -> bool:
    """A camera index (an int, or digits such as '0') or a URL ('rtsp://...'): not a file."""
    text = str(source)
    return isinstance(source, int) or text.isdigit() or "://" in text


def open_capture(source) -> cv2.VideoCapture:
    """A `cv2.VideoCapture` of a file, a camera index or a URL.

    Raises:
      video.VideoDecodeError: naming the source, when OpenCV cannot open it.
    """
    if not is_live(source) and not os.path.isfile(str(source)):
        raise video_lib.VideoDecodeError(f"{source}: no such file.")
    capture = cv2.VideoCapture(int(source) if str(source).isdigit() else str(source))
    if not capture.isOpened():
        what = "a camera or stream" if is_live(source) else "a video"
        raise video_lib.VideoDecodeError(f"{source}: OpenCV cannot open it as {what}.")
    return capture


def source_fps(source) -> float:
    """The frame rate a source's capture reports, or `DEFAULT_LIVE_FPS` when it reports none
    (opens the source and releases it)."""
    capture = open_capture(source)
    try:
        return _fps_of(capture, None)
    finally:
        capture.release()


def _fps_of(capture, fps: float | None) -> float:
    found = capture.get(cv2.CAP_PROP_FPS)
    return float(fps or (found if np.isfinite(found) and found > 0 else DEFAULT_LIVE_FPS))


def flows(pairs: list, engine: str, jax_batch_size: int | None = None) -> list[np.ndarray]:
    """TV-L1 flow [H, W, 2] float32 of (gray k, gray k + 1) [H, W] uint8 pairs with `engine`:
    OpenCV one pair at a time, or JAX all of them in batches of `jax_batch_size` (None:
    `tvl1.auto_jax_batch_size`)."""
    if engine == "opencv":
        return [flow_lib.tvl1(prev, nxt) for prev, nxt in pairs]
    batch = jax_batch_size or flow_lib.auto_jax_batch_size()
    prev, nxt = (np.stack([pair[i] for pair in pairs]) for i in (0, 1))
    return list(flow_lib.tvl1_jax(prev, nxt, batch))


def warm_up_flow(engine: str, settings: FrameSettings, jax_batch_size: int | None = None):
    """Compiles the JAX engine's programs for the frame size on a blank pair, before a source is
    read (nothing to do for OpenCV)."""
    if engine == "jax":
        blank = np.zeros((settings.height, settings.width), np.uint8)
        flows([(blank, blank)], engine, jax_batch_size)


@dataclasses.dataclass(frozen=True)
class WindowPlan:
    """Where the windows are and which of their frames the model reads.

    Attributes:
      window_frames: W >= 2, frames a window.
      stride_frames: frames from one window's start to the next (>= 1).
      offsets: the T frames k (0 <= k <= W - 2) read in each window, from its start.
      fps: frames per second, to give frames as seconds.
    """
    window_frames: int
    stride_frames: int
    offsets: tuple
    fps: float

    @classmethod
    def of(cls, window_s: float, stride_s: float, fps: float, positions: int,
           num_snippets: int) -> "WindowPlan":
        """The plan of `window_s`-second windows every `stride_s` seconds at `fps`.

        W = round(window_s x fps) and the stride round(stride_s x fps), at least 1; the offsets
        are `model_input.window_offsets(W, positions, num_snippets)`.
        """
        window = int(round(window_s * fps))
        if window < 2:
            raise ValueError(f"Expected a window of at least 2 frames (one flow pair). Received: "
                             f"window={window_s:g} s at {fps:g} fps = {window} frame(s)")
        stride = max(1, int(round(stride_s * fps)))
        offsets = model_input.window_offsets(window, positions, num_snippets)
        return cls(window, stride, tuple(offsets), float(fps))

    def start(self, index: int) -> int:
        return index * self.stride_frames

    def windows_reading(self, position: int) -> list[int]:
        """The indices of the windows that read frame `position`."""
        found = []
        for offset in set(self.offsets):
            start = position - offset
            if start >= 0 and start % self.stride_frames == 0:
                found.append(start // self.stride_frames)
        return sorted(found)


class WindowStream:
    """Iterates over the windows of a source as they complete.

    Args:
      source: a video file, a camera index or a URL (`open_capture`), or an object with
        `read() -> (ok, frame_bgr)`, `get(prop)` and `release()` (a `cv2.VideoCapture` or a
        stand-in of the same methods).
      settings: the records' frames (`FrameSettings`).
      num_snippets: T.
      window_s, stride_s: the window and the stride in seconds.
      fps: frames per second; None: the capture's (`DEFAULT_LIVE_FPS` when it reports none).
      flow_engine: 'opencv' (one pair at a time) or 'jax' (a window's pairs in one call).
      jax_batch_size: pairs a compiled JAX call (None: `tvl1.auto_jax_batch_size`).
      on_frame: called as on_frame(index, frame_bgr) for every frame read, after the windows
        that end at that frame were yielded (an annotated video's writer).
      name: the source as messages name it (default: str(source)).

    Yields:
      {'index': j, 'start_frame': j x stride, 'end_frame': start + W (exclusive),
       'frame_indices': [T] the frames read, 'rgb': [T, H, W, 3] uint8, 'flow': [T, H, W, 2] uint8,
       'fps': float, 'completed_at': `time.monotonic()` when its last frame was read}.

    After the iteration, `problems` lists one line for each reason it stopped early or frames it
    left unscored, and `frames_read` the frames read.
    """

    def __init__(self, source, settings: FrameSettings, num_snippets: int, window_s: float,
                 stride_s: float, *, fps: float | None = None, flow_engine: str = "opencv",
                 jax_batch_size: int | None = None,
                 on_frame: Callable[[int, np.ndarray], None] | None = None,
                 name: str | None = None):
        if flow_engine not in flow_lib.FLOW_ENGINES:
            raise ValueError(f"Expected flow_engine in {flow_lib.FLOW_ENGINES}. Received: "
                             f"flow_engine={flow_engine!r}")
        if flow_engine == "jax":
            flow_lib.require_jax()
        self.name = str(source) if name is None else name
        self._capture = source if hasattr(source, "read") else open_capture(source)
        self._live = is_live(source) if not hasattr(source, "read") else True
        self.fps = _fps_of(self._capture, fps)
        self.container_frames = 0 if self._live else int(
            max(0, self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        self.settings = settings
        self.plan = WindowPlan.of(window_s, stride_s, self.fps, settings.positions, num_snippets)
        self.flow_engine = flow_engine
        self._jax_batch_size = jax_batch_size
        self._on_frame = on_frame
        self.problems: list[str] = []
        self.frames_read = 0

    def _flows(self, pairs: list) -> list[np.ndarray]:
        return flows(pairs, self.flow_engine, self._jax_batch_size)

    def _read(self):
        """(ok, frame_bgr); a capture that raises ends the stream with one problem line."""
        try:
            return self._capture.read()
        except (cv2.error, OSError, RuntimeError) as error:
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            self.problems.append(f"{self.name}: reading frame {self.frames_read} failed "
                                 f"({first}); the stream stops there, the windows before it "
                                 "are kept")
            return False, None

    def __iter__(self) -> Iterator[dict]:
        plan, settings = self.plan, self.settings
        pending = {}  # position k -> (rgb k, gray k, gray k + 1): flow not computed yet
        ready = {}  # position k -> (rgb, flow) as the records store them
        previous = None  # frame index - 1, as RGB at the records' size
        next_window = 0
        try:
            while True:
                ok, frame_bgr = self._read()
                if not ok or frame_bgr is None:
                    break
                index = self.frames_read
                self.frames_read += 1
                frame = video_lib.to_rgb(frame_bgr, frame_height=settings.height,
                                         frame_width=settings.width)
                position = index - 1
                if previous is not None and plan.windows_reading(position):
                    pending[position] = (previous, *model_input.gray_pair(previous, frame))
                previous = frame
                while plan.start(next_window) + plan.window_frames - 1 == index:
                    yield self._window(next_window, pending, ready)
                    next_window += 1
                    for done in [k for k in ready if k < plan.start(next_window)]:
                        del ready[done]
                if self._on_frame is not None:
                    self._on_frame(index, frame_bgr)
        finally:
            self._capture.release()
        self._report_end(next_window)

    def _window(self, index: int, pending: dict, ready: dict) -> dict:
        completed_at = time.monotonic()
        positions = sorted(pending)
        flows = self._flows([pending[k][1:] for k in positions]) if positions else []
        for k, flow in zip(positions, flows):
            ready[k] = model_input.stored_snippet(pending.pop(k)[0], flow, self.settings)
        start = self.plan.start(index)
        frames = [start + offset for offset in self.plan.offsets]
        return {"index": index, "start_frame": start,
                "end_frame": start + self.plan.window_frames, "frame_indices": frames,
                "rgb": np.stack([ready[k][0] for k in frames]),
                "flow": np.stack([ready[k][1] for k in frames]),
                "fps": self.fps, "completed_at": completed_at}

    def _report_end(self, windows: int) -> None:
        plan, read = self.plan, self.frames_read
        if not self._live and self.container_frames and video_lib.is_damaged(
                read, self.container_frames):
            self.problems.append(
                f"{self.name}: the video ends after {read} of the {self.container_frames} frames "
                "its container reports (truncated or damaged); the windows before it are kept")
        covered = plan.start(windows - 1) + plan.window_frames if windows else 0
        if read and not windows:
            self.problems.append(
                f"{self.name}: {read} frames ({read / self.fps:.2f} s), fewer than one window of "
                f"{plan.window_frames} frames ({plan.window_frames / self.fps:.2f} s): nothing "
                "scored; give a shorter window")
        elif read > covered:
            self.problems.append(
                f"{self.name}: frames {covered}-{read - 1} ({covered / self.fps:.2f}-"
                f"{read / self.fps:.2f} s) fill no whole window: not scored")
