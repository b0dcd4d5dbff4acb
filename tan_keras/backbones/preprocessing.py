"""Input normalisation per backbone: RGB frames in [0, 255] -> what the backbone was trained on.

The functions use plain arithmetic and slicing only, so one function serves NumPy arrays, tf
tensors inside `tf.data` (whatever the Keras backend) and JAX arrays alike.
"""

from typing import Callable

import numpy as np

# keras.applications' "caffe" mode: ImageNet channel means, in BGR order.
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)

# backbone -> mode. "tf": x / 127.5 - 1 (TF-Slim and Keras' Inception / MobileNet);
# "caffe": RGB -> BGR, then subtract CAFFE_BGR_MEAN (Keras' ResNet50).
PREPROCESSING_MODES = {
    "tiny": "tf",
    "googlenet": "tf",
    "inception_v3": "tf",
    "mobilenet_v2": "tf",
    "resnet50": "caffe",
}


def _numpy_dtype(x) -> np.dtype:
    """The NumPy dtype of a NumPy, tf or JAX array (tf.DType has `as_numpy_dtype`)."""
    return np.dtype(getattr(x.dtype, "as_numpy_dtype", x.dtype))


def _check_float(x, function_name: str) -> np.dtype:
    dtype = _numpy_dtype(x)
    if dtype.kind != "f" and dtype.name != "bfloat16":
        raise ValueError(f"Expected float frames in [0, 255] in {function_name} (cast uint8 "
                         f"frames first). Received: frames of dtype {dtype.name}")
    return dtype


def scale_to_unit_range(frames):
    """frames: [..., 3] float in [0, 255] -> [..., 3] in [-1, 1]: x / 127.5 - 1."""
    _check_float(frames, "scale_to_unit_range")
    return frames / 127.5 - 1.0


def caffe_bgr_mean_subtracted(frames):
    """frames: [..., 3] float RGB in [0, 255] -> [..., 3] BGR minus the ImageNet BGR mean."""
    dtype = _check_float(frames, "caffe_bgr_mean_subtracted")
    return frames[..., ::-1] - np.asarray(CAFFE_BGR_MEAN, dtype=dtype)


_MODE_FUNCTIONS = {"tf": scale_to_unit_range, "caffe": caffe_bgr_mean_subtracted}


def preprocess_input(backbone: str) -> Callable:
    """The normalisation that `backbone` expects, as a function of float RGB frames.

    Args:
      backbone: a backbone name, e.g. 'googlenet'.

    Returns:
      A function frames [..., 3] float RGB in [0, 255] -> [..., 3] of the same dtype:
      'googlenet', 'inception_v3', 'mobilenet_v2', 'tiny': x / 127.5 - 1;
      'resnet50': RGB -> BGR, minus (103.939, 116.779, 123.68).
    """
    if backbone not in PREPROCESSING_MODES:
        raise ValueError(f"Expected backbone in {sorted(PREPROCESSING_MODES)}. "
                         f"Received: backbone={backbone!r}")
    return _MODE_FUNCTIONS[PREPROCESSING_MODES[backbone]]
