"""Per-frame CNN backbones: frames [B, S, S, 3] -> pooled features [B, D].

`build_backbone(name, image_size, weights, name=...)` is the one entry point the models use.
`preprocess_input(name)` gives the matching input normalisation for the tf.data pipeline, and
`feature_dim(name)` gives D.

| backbone     | D    | min S | weights                                              |
| ------------ | ---- | ----- | ---------------------------------------------------- |
| tiny         | 64   | 16    | None                                                 |
| googlenet    | 1024 | 1     | None, TF-Slim `inception_v1.ckpt`, Keras `.weights.h5` |
| inception_v3 | 2048 | 75    | None, 'imagenet', weights file                       |
| resnet50     | 2048 | 32    | None, 'imagenet', weights file                       |
| mobilenet_v2 | 1280 | 32    | None, 'imagenet', weights file                       |
"""

import os

import keras

from tan_keras.backbones.applications import APPLICATIONS, keras_application
from tan_keras.backbones.googlenet import FEATURE_DIM as GOOGLENET_FEATURE_DIM
from tan_keras.backbones.googlenet import googlenet
from tan_keras.backbones.preprocessing import preprocess_input
from tan_keras.backbones.tiny import tiny
from tan_keras.choices import GOOGLENET_CHECKPOINT_URL

_TINY_FEATURE_DIM = 64  # 4 * the default width 16.

_FEATURE_DIMS = {
    "tiny": _TINY_FEATURE_DIM,
    "googlenet": GOOGLENET_FEATURE_DIM,
    **{backbone: spec.feature_dim for backbone, spec in APPLICATIONS.items()},
}


__all__ = ["available_backbones", "build_backbone", "feature_dim", "preprocess_input"]


def available_backbones() -> list[str]:
    return sorted(_FEATURE_DIMS)


def _check_backbone(backbone: str) -> None:
    if backbone not in _FEATURE_DIMS:
        raise ValueError(f"Expected backbone in {available_backbones()}. "
                         f"Received: backbone={backbone!r}")


def feature_dim(backbone: str) -> int:
    """D, the size of the pooled features `build_backbone(backbone, ...)` returns."""
    _check_backbone(backbone)
    return _FEATURE_DIMS[backbone]


def _build_googlenet(image_size: int, weights, name: str) -> keras.Model:
    """googlenet with weights None, a TF-Slim checkpoint, or a Keras `.weights.h5` file."""
    model = googlenet(image_size, name=name)
    if weights is None:
        return model
    if weights == "imagenet":
        raise ValueError(
            f"Expected weights=None or a path for googlenet: Keras has no ImageNet file for it. "
            f"Download {GOOGLENET_CHECKPOINT_URL}, unpack it and pass "
            f"weights='/path/to/inception_v1.ckpt'. Received: weights='imagenet'")
    path = os.fspath(weights)
    if path.endswith(".weights.h5"):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Expected an existing weights file for googlenet. "
                                    f"Received: weights={path!r} (no such file)")
        model.load_weights(path)
        return model
    from tan_keras.backbones.slim_checkpoint import load_slim_inception_v1  # Imports TensorFlow.

    load_slim_inception_v1(model, path, strict=True)
    return model


def build_backbone(backbone: str, image_size: int, weights: str | os.PathLike | None = None,
                   name: str | None = None) -> keras.Model:
    """Builds a backbone by name.

    Args:
      backbone: one of `available_backbones()`.
      image_size: S, the side of the square input frames.
      weights: None (random init), or:
        googlenet: the TF-Slim checkpoint `.../inception_v1.ckpt` (from
          http://download.tensorflow.org/models/inception_v1_2016_08_28.tar.gz), or a
          `.weights.h5` file saved from a googlenet model;
        inception_v3, resnet50, mobilenet_v2: 'imagenet' (Keras' cache, downloaded when
          online) or a weights file path;
        tiny: None only.
      name: the model's name; defaults to `backbone`.

    Returns:
      A `keras.Model` mapping [B, S, S, 3] float frames, normalised by
      `preprocess_input(backbone)`, to [B, feature_dim(backbone)] features.
    """
    _check_backbone(backbone)
    name = name or backbone
    if backbone == "tiny":
        if weights is not None:
            raise ValueError(f"The tiny backbone has no pretrained weights. Received: weights={weights!r}")
        return tiny(image_size, name=name)
    if backbone == "googlenet":
        return _build_googlenet(image_size, weights, name)
    return keras_application(backbone, image_size, weights=weights, name=name)
