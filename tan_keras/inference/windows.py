"""A model over a long video or a live source, window by window: `predict_windows`.

Each window goes through what one clip goes through in `predict.predict_video` (the frames and
flow of its T positions as the records hold them, then the model's views), and gives the
spatial, temporal and fused scores and, for TAN, each snippet's attention, with the window's
start and end time. The source side (decoding, the positions a window reads, TV-L1 flow) is
`data_prep.decoding.stream.WindowStream`, imported when `predict_windows` is called.

    from tan_keras.inference import load_video_model, predict_windows

    video_model = load_video_model("exports/ucf101_tan.keras")
    for window in predict_windows(video_model, "long.mp4", window_s=4.0, stride_s=2.0):
        print(window.start_s, window.end_s, window.top(video_model.classes, 1))
"""

import dataclasses
import time
from typing import Callable, Iterator

import numpy as np

from tan_keras.inference.predict import STREAMS, top_classes
from tan_keras.inference.single_view import with_views


@dataclasses.dataclass
class WindowResult:
    """The model's output on one window.

    Attributes:
      index: j, the window's number from 0.
      start_s, end_s: the window's first frame's time and its end (seconds from the start).
      start_frame, end_frame: its frames [start_frame, end_frame).
      snippet_frames: [T] the frames the model read (frame k and the flow from k to k + 1).
      snippet_times: [T] their times in seconds.
      spatial, temporal, fused: [C] probabilities (averaged over the views).
      alpha, beta: [T] each snippet's attention weight at the last step (alpha[:, -1], the step
        the classifiers read), or None for a model without attention.
      delay_s: seconds from the window's last frame being read to its scores.
    """
    index: int
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    snippet_frames: list
    snippet_times: list
    spatial: np.ndarray
    temporal: np.ndarray
    fused: np.ndarray
    alpha: np.ndarray | None
    beta: np.ndarray | None
    delay_s: float

    def top(self, classes, k: int = 5, stream: str = "fused") -> list[tuple[str, float]]:
        """The k most probable classes of `stream`, [(name, probability)]."""
        return top_classes(getattr(self, stream), classes, k)

    def attention(self) -> np.ndarray | None:
        """[T] the mean of alpha and beta at each snippet, or None without attention."""
        return None if self.alpha is None else (self.alpha + self.beta) / 2.0


def result_of(window: dict, outputs: dict, done_at: float | None = None) -> WindowResult:
    """A `WindowResult` of one of `WindowStream`'s windows and the model's outputs on it
    ({'spatial', 'temporal', 'fused': [C], 'alpha', 'beta': [T, T] or absent})."""
    fps = float(window["fps"])
    done_at = time.monotonic() if done_at is None else done_at
    attention = {name: (np.asarray(outputs[name])[:, -1] if name in outputs else None)
                 for name in ("alpha", "beta")}
    return WindowResult(
        index=int(window["index"]), start_s=window["start_frame"] / fps,
        end_s=window["end_frame"] / fps, start_frame=int(window["start_frame"]),
        end_frame=int(window["end_frame"]),
        snippet_frames=[int(k) for k in window["frame_indices"]],
        snippet_times=[k / fps for k in window["frame_indices"]],
        **{name: np.asarray(outputs[name]) for name in STREAMS}, **attention,
        delay_s=max(0.0, done_at - window["completed_at"]))


def predict_windows(video_model, source, *, window_s: float, stride_s: float | None = None,
                    views: int = 10, flow_engine: str = "opencv",
                    jax_batch_size: int | None = None, fps: float | None = None,
                    on_frame: Callable | None = None, problems: list | None = None,
                    warm_up: bool = True) -> Iterator[WindowResult]:
    """The windows' results of a video file, a camera or a stream, as each window completes.

    Args:
      video_model: a `loading.VideoModel` (a run or an export).
      source: a video file, a camera index (0 or '0'), a URL OpenCV opens ('rtsp://...'), or
        a capture object (`read`, `get`, `release`, as `cv2.VideoCapture`).
      window_s: the window in seconds (W = round(window_s x fps) frames).
      stride_s: seconds from one window's start to the next (None: window_s / 2).
      views: 10, the model's test views, or 1, the centre crop only (a run or a .keras file:
        `single_view.with_views`).
      flow_engine: 'opencv' or 'jax' (`data_prep.flow.tvl1.FLOW_ENGINES`).
      jax_batch_size: pairs a compiled JAX call (None: 1 on a CPU, 64 on an accelerator).
      fps: frames per second of the source (None: what the capture reports).
      on_frame: on_frame(index, frame_bgr) for every frame, after the windows ending there.
      problems: a list that receives one line for each reason the source stopped early or
        frames it left unscored (`WindowStream.problems`), once the source ends.
      warm_up: run the model, and the JAX flow engine, once on blank frames before reading the
        source, so that their compiles do not delay the first windows of a live source.

    Yields:
      A `WindowResult` per whole window, in order.

    Raises:
      data_prep.decoding.video.VideoDecodeError: the source does not open.
      ValueError: a window shorter than 2 frames.
    """
    from data_prep.decoding.stream import WindowStream, warm_up_flow
    from tan_keras.frame_settings import FrameSettings

    predict = with_views(video_model, views)
    frames = FrameSettings.from_dict(video_model.frame_settings)
    num_snippets = int(video_model.frame_settings["num_snippets"])
    if warm_up:  # compile before the source opens, so that a live source does not wait
        shape = (1, num_snippets, frames.height, frames.width)
        predict({"rgb": np.zeros(shape + (3,), np.uint8),
                 "flow": np.full(shape + (2,), 128, np.uint8)})
        warm_up_flow(flow_engine, frames, jax_batch_size)
    stream = WindowStream(source, frames, num_snippets, window_s,
                          window_s / 2.0 if stride_s is None else stride_s, fps=fps,
                          flow_engine=flow_engine, jax_batch_size=jax_batch_size,
                          on_frame=on_frame)
    try:
        for window in stream:
            outputs = predict({"rgb": window["rgb"][None], "flow": window["flow"][None]})
            yield result_of(window, {name: np.asarray(value)[0]
                                     for name, value in outputs.items()})
    finally:
        if problems is not None:
            problems.extend(stream.problems)
