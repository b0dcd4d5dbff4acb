"""The video with the model's current label drawn on it: `AnnotatedVideoWriter`.

Each frame is written as it is read, at the source's size: memory does not grow with the video.
The label on frame f is the top fused class of the last window that ended at or before f (what a
live display can show), with its score, and under it an attention bar: one cell a snippet of
that window, as bright as the mean of its alpha and beta. Frames before the first window say
'waiting for the first window'.

The codec: for .mp4, H.264 ('avc1', plays in browsers) when this OpenCV can write it, else
MPEG-4 Part 2 ('mp4v'); for .avi, Motion JPEG ('MJPG'). OpenCV's pip wheels have no H.264
encoder, so there an .mp4 is MPEG-4 Part 2, which browsers do not play: re-encode it with
`ffmpeg -i in.mp4 -c:v libx264 -pix_fmt yuv420p out.mp4` to show it on a web page.
"""

from pathlib import Path

import numpy as np

CODECS = {".mp4": ("avc1", "mp4v"), ".avi": ("MJPG",)}


def open_writer(path, fps: float, size_wh: tuple[int, int]):
    """A `cv2.VideoWriter` of the first codec of `CODECS` that opens; (writer, fourcc).

    Raises:
      ValueError: a suffix other than .mp4 or .avi, or no codec opens.
    """
    import cv2

    path = Path(path)
    if path.suffix.lower() not in CODECS:
        raise ValueError(f"Expected an annotated video ending in {sorted(CODECS)}. Received: "
                         f"{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # a codec that fails
    try:
        for fourcc in CODECS[path.suffix.lower()]:
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size_wh)
            if writer.isOpened():
                return writer, fourcc
            writer.release()
    finally:
        cv2.utils.logging.setLogLevel(level)
    raise ValueError(f"{path}: OpenCV opens no writer for {CODECS[path.suffix.lower()]} here")


class AnnotatedVideoWriter:
    """Writes each frame with the current label; `update` sets the label from a window.

    Args:
      path: the .mp4 or .avi file.
      classes: the class names.
      fps: the source's frame rate.

    Use: `on_frame(index, frame_bgr)` as `predict_windows`'s on_frame, `update(result)` with each
    `WindowResult`, `close()` at the end (what was written stays playable).
    """

    def __init__(self, path, classes, fps: float):
        self.path, self.classes, self.fps = Path(path), list(classes), float(fps)
        self._writer = None
        self.fourcc = None
        self._label = "waiting for the first window"
        self._attention = None
        self.frames_written = 0

    def update(self, result) -> None:
        """Shows `result` (a `WindowResult`) from the next frame on."""
        name, score = result.top(self.classes, 1)[0]
        self._label = f"{name} {100 * score:.0f}%  ({result.start_s:.1f}-{result.end_s:.1f} s)"
        self._attention = result.attention()

    def on_frame(self, index: int, frame_bgr: np.ndarray) -> None:
        import cv2

        if self._writer is None:
            height, width = frame_bgr.shape[:2]
            self._writer, self.fourcc = open_writer(self.path, self.fps, (width, height))
        frame = frame_bgr.copy()
        height, width = frame.shape[:2]
        scale = max(0.8, width / 640)  # legible on a 320-pixel-wide video
        cv2.rectangle(frame, (0, 0), (width, int(28 * scale)), (0, 0, 0), -1)
        cv2.putText(frame, self._label, (6, int(20 * scale)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.55 * scale, (255, 255, 255), 1, cv2.LINE_AA)
        if self._attention is not None:
            cells = len(self._attention)
            top, bottom = height - int(14 * scale), height - 2
            for t, weight in enumerate(self._attention):
                left, right = t * width // cells, (t + 1) * width // cells - 2
                level = int(255 * min(1.0, float(weight) * cells / 2))  # 2 x uniform: full
                cv2.rectangle(frame, (left, top), (right, bottom), (0, level, 255 - level), -1)
        self._writer.write(frame)
        self.frames_written += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
