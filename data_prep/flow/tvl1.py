"""TV-L1 optical flow and its uint8 quantisation (the TSN/denseflow convention).

Flow from frame k to frame k + 1 is computed on grayscale frames with OpenCV's
`DualTVL1OpticalFlow` at its default parameters, clipped to +-bound and mapped linearly to uint8:

    q = rint((clip(f, -bound, bound) + bound) * 255 / (2 * bound))

so a still pixel (f = 0) sits at 127.5 -> 128 (NumPy's rint rounds half to even).

Two engines compute the same flow (`FLOW_ENGINES`):
  - 'opencv': `tvl1`, OpenCV's CPU implementation, one pair at a time on one core;
  - 'jax': `tvl1_jax`, the same algorithm in JAX (`data_prep/flow/tvl1_jax.py`), many pairs of one
    size in one compiled call, on an accelerator when there is one. It reproduces OpenCV's flow
    to a few thousandths of a pixel on average. JAX is an extra (`pip install -e ".[jax]"`);
    this module loads it only when `tvl1_jax` is called.
"""

import importlib.util

import cv2
import numpy as np

from tan_keras.errors import IncompatibleInputError

DEFAULT_FLOW_BOUND = 20.0
FLOW_ENGINES = ("opencv", "jax")
DEFAULT_JAX_BATCH_SIZE = 64  # pairs a compiled call on an accelerator
JAX_INSTALL = 'pip install -e ".[jax]"'


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


def jax_installed() -> bool:
    """Whether JAX can be imported here (looked up without importing it)."""
    return importlib.util.find_spec("jax") is not None


def require_jax() -> None:
    """Raises an `IncompatibleInputError` naming the install command when JAX is missing."""
    if not jax_installed():
        raise IncompatibleInputError(
            f"flow_engine='jax' needs JAX, which is not installed here. Install it with "
            f"{JAX_INSTALL} (or jax[cuda12] for an NVIDIA GPU), or use flow_engine='opencv'.")


def parse_jax_batch_size(text: str) -> int | None:
    """'auto' -> None (see `auto_jax_batch_size`), else a positive integer."""
    if text == "auto":
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"Expected a positive integer or 'auto'. Received: {text!r}")
    return int(text)


def auto_jax_batch_size() -> int:
    """1 where JAX runs on the CPU, else DEFAULT_JAX_BATCH_SIZE (loads JAX).

    On a CPU one pair already fills the cores, and a batch only adds the wait for its slowest
    pair (at 340x256 on 2 cores: 2.4 pairs/s at batch 1, 1.0 at batch 16); an accelerator needs
    many pairs a call to be busy.
    """
    require_jax()
    import jax
    return 1 if jax.default_backend() == "cpu" else DEFAULT_JAX_BATCH_SIZE


def tvl1_jax(prev_gray: np.ndarray, next_gray: np.ndarray,
             batch_size: int = DEFAULT_JAX_BATCH_SIZE) -> np.ndarray:
    """TV-L1 flow of N pairs of one size with the JAX engine (OpenCV's algorithm and defaults).

    Pairs run in batches of `batch_size`, level by level, regrouped after each pyramid level so
    that pairs of similar cost share a batch (`tvl1_jax.tvl1_grouped`). A pair's flow does not
    depend on the other pairs given with it, only on `batch_size` (which fixes the compiled
    program; one compile per frame size and batch size).

    Args:
      prev_gray: [N, H, W] uint8, frames k in grayscale.
      next_gray: [N, H, W] uint8, frames k + 1.
      batch_size: pairs per compiled call.

    Returns:
      [N, H, W, 2] float32 flow in pixels: channel 0 is x, channel 1 is y.
    """
    require_jax()
    from data_prep.flow import tvl1_jax as kernel  # JAX loads only here.
    return kernel.tvl1_grouped(prev_gray, next_gray, batch_size)


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
