"""Per-frame CNN backbones: frames [B, S, S, 3] -> pooled features [B, D].

`build_backbone(name, image_size, weights, name=...)` is the one entry point the models use.
`preprocess_input(name)` gives the matching input normalisation for the tf.data pipeline.
"""

from tan_keras.backbones.tiny import tiny

_BUILDERS = {"tiny": tiny}


def build_backbone(backbone: str, image_size: int, weights: str | None = None,
                   name: str | None = None):
    """Builds a backbone by name.

    Args:
      backbone: one of `available_backbones()`.
      image_size: S, the side of the square input frames.
      weights: None (random init) or a backbone-specific source of weights.
      name: the model's name; defaults to `backbone`.

    Returns:
      A `keras.Model` mapping [B, S, S, 3] float frames to [B, D] features.
    """
    if backbone not in _BUILDERS:
        raise ValueError(f"Expected backbone in {sorted(_BUILDERS)}. Received: backbone={backbone!r}")
    if backbone == "tiny":
        if weights is not None:
            raise ValueError(f"The tiny backbone has no pretrained weights. Received: weights={weights!r}")
        return tiny(image_size, name=name or "tiny")
    return _BUILDERS[backbone](image_size=image_size, weights=weights, name=name or backbone)


def available_backbones() -> list[str]:
    return sorted(_BUILDERS)
