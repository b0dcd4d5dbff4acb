"""A small CNN for tests, the quickstart and CPU experiments."""

import keras
from keras import layers

from tan_keras.choices import MIN_IMAGE_SIZE


def tiny(image_size: int = 64, width: int = 16, name: str = "tiny") -> keras.Model:
    """Builds a four-block CNN: frames [B, S, S, 3] float -> features [B, 4 * width].

    Each block is conv 3x3 -> batch norm -> ReLU -> 2x2 max pool, with widths
    width, 2 width, 4 width, 4 width; then global average pooling.

    Args:
      image_size: S, the side of the square input frames.
      width: channels of the first block.
      name: the model's name (two streams need two names).
    """
    if image_size < MIN_IMAGE_SIZE["tiny"]:
        raise ValueError(f"Expected image_size >= {MIN_IMAGE_SIZE['tiny']} for the tiny backbone. "
                         f"Received: {image_size}")
    inputs = keras.Input((image_size, image_size, 3), name=f"{name}_input")
    x = inputs
    for block, channels in enumerate((width, 2 * width, 4 * width, 4 * width)):
        x = layers.Conv2D(channels, 3, padding="same", use_bias=False, name=f"conv{block}")(x)
        x = layers.BatchNormalization(name=f"bn{block}")(x)
        x = layers.ReLU(name=f"relu{block}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
    outputs = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, outputs, name=name)
