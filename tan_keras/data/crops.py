"""Crop windows [y, x, h, w] in stored-frame pixels: TSN's training jitter and the 5 test crops.

Locations, in this order everywhere: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right,
4 centre (offsets rounded down). Corners touch the frame's edges exactly.
"""

import itertools

import tensorflow as tf

TRAIN_SCALES = (1.0, 0.875, 0.75, 0.66)
# TSN tests on 224 crops of frames whose short side is 256: a crop side of 224 / 256 of the short side.
EVAL_CROP_FRACTION = 0.875
LOCATIONS = ("top_left", "top_right", "bottom_left", "bottom_right", "centre")


def crop_sizes(short_side: tf.Tensor, scales=TRAIN_SCALES) -> tf.Tensor:
    """short_side: [] int -> [len(scales)] int32, floor(short_side * scale) (TSN's int())."""
    short = tf.cast(short_side, tf.float64)
    return tf.cast(tf.floor(short * tf.constant(scales, tf.float64)), tf.int32)


def size_pairs(num_scales: int, max_aspect_distortion: int) -> list:
    """(width index, height index) pairs with |i - j| <= max_aspect_distortion (TSN's max_distort)."""
    return [(i, j) for i, j in itertools.product(range(num_scales), repeat=2)
            if abs(i - j) <= max_aspect_distortion]


def location_offsets(height, width, crop_height, crop_width) -> tf.Tensor:
    """-> [5, 2] int32 (y, x) offsets of the crop at the 5 `LOCATIONS`."""
    bottom, right = height - crop_height, width - crop_width
    zero = tf.zeros_like(bottom)
    return tf.stack([tf.stack([zero, zero]), tf.stack([zero, right]), tf.stack([bottom, zero]),
                     tf.stack([bottom, right]), tf.stack([bottom // 2, right // 2])])


def train_crop_window(height: tf.Tensor, width: tf.Tensor, seed: tf.Tensor,
                      scales=TRAIN_SCALES, max_aspect_distortion: int = 1) -> tf.Tensor:
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
    location = tf.random.stateless_uniform([], seeds[1], 0, len(LOCATIONS), tf.int32)
    offset = location_offsets(height, width, crop_height, crop_width)[location]
    return tf.stack([offset[0], offset[1], crop_height, crop_width])


def eval_crop_windows(height: tf.Tensor, width: tf.Tensor) -> tf.Tensor:
    """The 5 square test crops of side floor(EVAL_CROP_FRACTION * short side): -> [5, 4] (y, x, h, w)."""
    side = crop_sizes(tf.minimum(height, width), (EVAL_CROP_FRACTION,))[0]
    offsets = location_offsets(height, width, side, side)
    sides = tf.fill([len(LOCATIONS), 2], side)
    return tf.concat([offsets, sides], axis=1)
