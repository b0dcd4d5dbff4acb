"""Which stored positions become the T snippets of a clip (TSN's segment sampling).

Both functions split the P stored positions into T equal segments, segment t covering positions
floor(t P / T) .. floor((t + 1) P / T) - 1. Training takes one uniformly random position in each
segment; evaluation takes the segment's middle, floor((t + 1/2) P / T) (TSN's test sampling).
When P < T a segment can be empty; it then holds just position floor(t P / T), so the positions
repeat in increasing order, each about T / P times (P = 2, T = 5: 0 0 0 1 1 in training).
"""

import tensorflow as tf


def _segment_bounds(num_positions: tf.Tensor, num_snippets: int):
    t = tf.range(num_snippets, dtype=tf.int32)
    start = (t * num_positions) // num_snippets
    stop = tf.maximum(((t + 1) * num_positions) // num_snippets, start + 1)
    return start, stop


def train_positions(num_positions: tf.Tensor, num_snippets: int, seed: tf.Tensor) -> tf.Tensor:
    """num_positions: [] int32 P >= 1; seed: [2] int -> [T] int32, one random position per segment."""
    start, stop = _segment_bounds(num_positions, num_snippets)
    u = tf.random.stateless_uniform([num_snippets], seed=seed, dtype=tf.float32)
    offset = tf.cast(tf.floor(u * tf.cast(stop - start, tf.float32)), tf.int32)
    return start + tf.minimum(offset, stop - start - 1)


def eval_positions(num_positions: tf.Tensor, num_snippets: int) -> tf.Tensor:
    """num_positions: [] int32 P >= 1 -> [T] int32, the segments' middles (evenly spaced)."""
    t = tf.range(num_snippets, dtype=tf.int32)
    return ((2 * t + 1) * num_positions) // (2 * num_snippets)
