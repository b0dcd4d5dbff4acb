"""Crop windows [y, x, h, w] in stored-frame pixels, in TF: TSN's training jitter and the 5 test
crops.

The scales, the locations and their order, the offsets and the test crop's side are
`tan_keras.protocol`'s; this module draws the random training crop and stacks the windows into
tensors.
"""

import itertools

import tensorflow as tf

from tan_keras import protocol
from tan_keras.protocol import TRAIN_SCALES  # noqa: F401 (re-exported: datasets.py reads it)


def crop_sizes(short_side: tf.Tensor, scales=protocol.TRAIN_SCALES) -> tf.Tensor:
    """short_side: [] int -> [len(scales)] int32, floor(short_side * scale) (TSN's int())."""
    short = tf.cast(short_side, tf.int32)
    return tf.stack([protocol.scaled_side(short, scale) for scale in scales])


def size_pairs(num_scales: int, max_aspect_distortion: int) -> list:
    """(width index, height index) pairs with |i - j| <= max_aspect_distortion (TSN's max_distort)."""
    return [(i, j) for i, j in itertools.product(range(num_scales), repeat=2)
            if abs(i - j) <= max_aspect_distortion]


def location_offsets(height, width, crop_height, crop_width) -> tf.Tensor:
    """-> [5, 2] int32 (y, x) offsets of the crop at the 5 `protocol.LOCATIONS`."""
    offsets = protocol.crop_offsets(height, width, crop_height, crop_width)
    return tf.stack([tf.stack(pair) for pair in offsets])


def train_crop_window(height: tf.Tensor, width: tf.Tensor, seed: tf.Tensor,
                      scales=protocol.TRAIN_SCALES, max_aspect_distortion: int = 1) -> tf.Tensor:
    """A random TSN multi-scale crop: -> [4] int32 (y, x, h, w).

    Width and height sides are drawn as one uniformly random pair from `size_pairs` (0 gives
    square crops), then one of the 5 locations uniformly.

    Args:
      height, width: [] int32, the stored frame's size.
      seed: [2] int, the stateless random seed of this clip.
    """
    sizes = crop_sizes(tf.minimum(height, width), scales)
    pairs = tf.constant(size_pairs(len(scales), max_aspect_distortion), tf.int32)
    seeds = tf.random.experimental.stateless_split(seed, 2)
    pair = pairs[tf.random.stateless_uniform([], seeds[0], 0, tf.shape(pairs)[0], tf.int32)]
    crop_width, crop_height = sizes[pair[0]], sizes[pair[1]]
    location = tf.random.stateless_uniform([], seeds[1], 0, len(protocol.LOCATIONS), tf.int32)
    offset = location_offsets(height, width, crop_height, crop_width)[location]
    return tf.stack([offset[0], offset[1], crop_height, crop_width])


def eval_crop_windows(height: tf.Tensor, width: tf.Tensor) -> tf.Tensor:
    """The 5 square test crops (`protocol.test_crop_windows`): -> [5, 4] int32 (y, x, h, w)."""
    height, width = tf.cast(height, tf.int32), tf.cast(width, tf.int32)
    windows = protocol.test_crop_windows(height, width, tf.minimum(height, width))
    return tf.stack([tf.stack(window) for window in windows])
