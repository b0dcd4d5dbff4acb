"""The tests' independent reference decoder: plain OpenCV, nothing from the project."""

import cv2
import numpy as np


def decode_rgb(path, size_wh: tuple[int, int] | None = None) -> np.ndarray:
    """Every frame of `path` as RGB uint8 [N, H, W, 3], resized (bilinear) to size_wh=(W, H), in
    OpenCV's order, if given."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        if size_wh is not None:
            bgr = cv2.resize(bgr, size_wh, interpolation=cv2.INTER_LINEAR)
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return np.stack(frames)
