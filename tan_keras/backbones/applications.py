"""Backbones from `keras.applications`, without their classifier, pooled to [B, D].

ImageNet weights come from Keras' own files. `weights='imagenet'` looks for the file in Keras'
cache (`$KERAS_HOME/models/`, by default `~/.keras/models/`) and downloads it there when it is
missing. Offline, put the file there by hand (the error names the exact file and URL), or pass
`weights='/path/to/file.h5'`.
"""

import dataclasses
import os
import socket

import keras

from tan_keras.choices import MIN_IMAGE_SIZE

_KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
_DOWNLOAD_TIMEOUT_S = 30.0


@dataclasses.dataclass(frozen=True)
class ApplicationSpec:
    """One `keras.applications` backbone.

    Attributes:
      constructor: the function's name in `keras.applications`.
      feature_dim: D, channels after global average pooling.
      notop_file_hash: Keras' hash of the no-top ImageNet file (None: Keras checks none).
    """
    constructor: str
    feature_dim: int
    notop_file_hash: str | None


APPLICATIONS = {
    "inception_v3": ApplicationSpec("InceptionV3", 2048, "bcbd6486424b2319ff4ef7d526e38f63"),
    "resnet50": ApplicationSpec("ResNet50", 2048, "4d473c1dd8becc155b73f8504c6f6626"),
    "mobilenet_v2": ApplicationSpec("MobileNetV2", 1280, None),
}

# MobileNetV2 has one ImageNet file per input size; other sizes use the 224 one.
_MOBILENET_V2_SIZES = (96, 128, 160, 192, 224)


def imagenet_weights_file(backbone: str, image_size: int) -> tuple[str, str]:
    """The file name Keras expects in its cache, and its download URL.

    Args:
      backbone: a key of `APPLICATIONS`.
      image_size: S (only MobileNetV2's file depends on it).

    Returns:
      (file name, URL), e.g. ('resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', 'https://...').
    """
    if backbone == "inception_v3":
        filename = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
        return filename, f"{_KERAS_WEIGHTS_URL}inception_v3/{filename}"
    if backbone == "resnet50":
        filename = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
        return filename, f"{_KERAS_WEIGHTS_URL}resnet/{filename}"
    if backbone == "mobilenet_v2":
        rows = image_size if image_size in _MOBILENET_V2_SIZES else 224
        filename = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{rows}_no_top.h5"
        return filename, f"{_KERAS_WEIGHTS_URL}mobilenet_v2/{filename}"
    raise ValueError(f"Expected backbone in {sorted(APPLICATIONS)}. Received: backbone={backbone!r}")


def keras_cache_dir() -> str:
    """Keras' cache root, as `keras.utils.get_file` picks it: $KERAS_HOME, else ~/.keras."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    return os.path.join(os.path.expanduser("~"), ".keras")


def _download(filename: str, url: str, file_hash: str | None, cache_dir: str) -> str:
    """Fetches `url` into `cache_dir/models/filename` (a no-op when cached); returns the path.

    A socket timeout keeps an unreachable host from hanging the caller.
    """
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(_DOWNLOAD_TIMEOUT_S)
    try:
        return keras.utils.get_file(filename, url, file_hash=file_hash, cache_subdir="models",
                                    cache_dir=cache_dir)
    finally:
        socket.setdefaulttimeout(previous_timeout)


def resolve_imagenet_weights(backbone: str, image_size: int) -> str:
    """Path of the ImageNet no-top weights: from Keras' cache, downloading when missing.

    Raises:
      FileNotFoundError: not cached and the download failed (offline); says where to put it.
    """
    filename, url = imagenet_weights_file(backbone, image_size)
    cache_dir = keras_cache_dir()
    try:
        return _download(filename, url, APPLICATIONS[backbone].notop_file_hash, cache_dir)
    except Exception as error:  # Keras wraps every fetch failure in a bare Exception.
        target = os.path.join(cache_dir, "models", filename)
        raise FileNotFoundError(
            f"Could not get the ImageNet weights of {backbone} ({type(error).__name__}: {error}). "
            f"Offline? Download {url} elsewhere and put it at {target} (Keras' cache; "
            f"$KERAS_HOME/models/ when KERAS_HOME is set), or pass weights='/path/to/{filename}'."
        ) from error


def keras_application(backbone: str, image_size: int, weights: str | os.PathLike | None = None,
                      name: str | None = None) -> keras.Model:
    """Builds a `keras.applications` backbone: frames [B, S, S, 3] float -> features [B, D].

    `include_top=False, pooling='avg'`. Inputs must be preprocessed with
    `preprocess_input(backbone)`.

    Args:
      backbone: one of `APPLICATIONS` ('inception_v3', 'resnet50', 'mobilenet_v2').
      image_size: S; at least `tan_keras.choices.MIN_IMAGE_SIZE[backbone]` (the smallest S
        Keras accepts).
      weights: None (random init), 'imagenet', or a path to a weights file of this architecture
        (Keras' ImageNet `.h5`, or a `.weights.h5` saved from such a model).
      name: the model's name; defaults to `backbone`.

    Returns:
      A `keras.Model`, D = `APPLICATIONS[backbone].feature_dim`.
    """
    if backbone not in APPLICATIONS:
        raise ValueError(f"Expected backbone in {sorted(APPLICATIONS)}. Received: backbone={backbone!r}")
    spec = APPLICATIONS[backbone]
    if not isinstance(image_size, int) or image_size < MIN_IMAGE_SIZE[backbone]:
        raise ValueError(f"Expected image_size >= {MIN_IMAGE_SIZE[backbone]} for {backbone}. "
                         f"Received: image_size={image_size!r}")
    if weights is None:
        weights_path = None
    elif weights == "imagenet":
        weights_path = resolve_imagenet_weights(backbone, image_size)
    else:
        weights_path = os.fspath(weights)
        if not os.path.isfile(weights_path):
            raise FileNotFoundError(f"Expected weights=None, 'imagenet' or an existing weights "
                                    f"file for {backbone}. Received: weights={weights_path!r} "
                                    f"(no such file)")
    name = name or backbone
    inputs = keras.Input((image_size, image_size, 3), name=f"{name}_input")
    constructor = getattr(keras.applications, spec.constructor)
    application = constructor(include_top=False, weights=None, input_tensor=inputs,
                              pooling="avg", name=name)
    # Re-wrap: built on `input_tensor`, the application takes a list of one input.
    model = keras.Model(inputs, application.output, name=name)
    if weights_path is not None:
        try:
            model.load_weights(weights_path)
        except Exception as error:  # h5py and Keras raise many types; name the file.
            raise ValueError(f"Could not load weights for {backbone} from {weights_path}: "
                             f"{type(error).__name__}: {error}") from error
    return model
