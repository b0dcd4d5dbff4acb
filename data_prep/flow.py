"""TV-L1 optical flow and its uint8 quantisation (the TSN/denseflow convention).

Flow from frame k to frame k + 1 is computed on grayscale frames with OpenCV's
`DualTVL1OpticalFlow` at its default parameters, clipped to +-bound and mapped linearly to uint8:

    q = rint((clip(f, -bound, bound) + bound) * 255 / (2 * bound))

so a still pixel (f = 0) sits at 127.5 -> 128 (NumPy's rint rounds half to even).
"""

import cv2
import numpy as np

DEFAULT_FLOW_BOUND = 20.0


def use_one_opencv_thread() -> None:
    """Pins OpenCV to one thread in this process (one per worker: the workers are the parallelism)."""
    cv2.setNumThreads(1)


def tvl1(prev_gray: np.ndarray, next_gray: np.ndarray) -> np.ndarray:
    """TV-L1 optical flow with OpenCV's default parameters.

    Args:
      prev_gray: [H, W] uint8, frame k in grayscale.
      next_gray: [H, W] uint8, frame k + 1 in grayscale.

    Returns:
      [H, W, 2] float32 flow in pixels: channel 0 is horizontal (x), channel 1 vertical (y).
    """
    for name, image in (("prev_gray", prev_gray), ("next_gray", next_gray)):
        if image.ndim != 2 or image.dtype != np.uint8:
            raise ValueError(f"Expected {name} of shape [H, W] and dtype uint8. "
                             f"Received: {name}.shape={image.shape}, dtype={image.dtype}")
    if prev_gray.shape != next_gray.shape:
        raise ValueError(f"Expected two frames of one size. Received: prev_gray.shape="
                         f"{prev_gray.shape}, next_gray.shape={next_gray.shape}")
    algorithm = cv2.optflow.DualTVL1OpticalFlow_create()
    return algorithm.calc(prev_gray, next_gray, None).astype(np.float32, copy=False)


def _check_bound(bound: float) -> float:
    if not bound > 0:
        raise ValueError(f"Expected a flow bound > 0. Received: bound={bound!r}")
    return float(bound)


def quantize(flow: np.ndarray, bound: float = DEFAULT_FLOW_BOUND) -> np.ndarray:
    """flow: [..., 2] float pixels -> [..., 2] uint8, clipped to +-bound; 0 maps to 128."""
    bound = _check_bound(bound)
    clipped = np.clip(np.asarray(flow, np.float32), -bound, bound)
    return np.rint((clipped + bound) * (255.0 / (2.0 * bound))).astype(np.uint8)


def dequantize(quantized: np.ndarray, bound: float = DEFAULT_FLOW_BOUND) -> np.ndarray:
    """The inverse of `quantize`: [..., 2] uint8 -> [..., 2] float32 pixels in [-bound, bound].

    Exact up to the quantisation step 2 * bound / 255 (0.157 px at bound 20).
    """
    bound = _check_bound(bound)
    return np.asarray(quantized, np.float32) * np.float32(2.0 * bound / 255.0) - np.float32(bound)
