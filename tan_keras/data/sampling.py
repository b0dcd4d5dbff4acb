"""Which stored positions become the T snippets of a clip (TSN's segment sampling), in TF.

The segments and the test positions are `tan_keras.protocol`'s (`segment_bounds`,
`test_positions`); this module draws the random training position within each segment.
"""

import tensorflow as tf

from tan_keras import protocol


def train_positions(num_positions: tf.Tensor, num_snippets: int, seed: tf.Tensor) -> tf.Tensor:
    """num_positions: [] int32 P >= 1; seed: [2] int -> [T] int32, one random position per segment
    (`protocol.segment_bounds`), uniformly."""
    t = tf.range(num_snippets, dtype=tf.int32)
    start, length = protocol.segment_bounds(tf.cast(num_positions, tf.int32), num_snippets, t)
    u = tf.random.stateless_uniform([num_snippets], seed=seed, dtype=tf.float32)
    offset = tf.cast(tf.floor(u * tf.cast(length, tf.float32)), tf.int32)
    return start + tf.minimum(offset, length - 1)


def eval_positions(num_positions: tf.Tensor, num_snippets: int) -> tf.Tensor:
    """num_positions: [] int32 P >= 1 -> [T] int32, the segments' middles
    (`protocol.test_positions`, evenly spaced)."""
    t = tf.range(num_snippets, dtype=tf.int32)
    return protocol.test_positions(tf.cast(num_positions, tf.int32), num_snippets, t)
