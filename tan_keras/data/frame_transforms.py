"""Per-clip transforms shared by the training clips and the test views.

rgb: [..., H, W, 3] and flow: [..., H, W, 2] (x, y), uint8 or float32 in 0..255. RGB and flow go
through the same calls, so they always share the crop, the resize and the flip.
"""

import tensorflow as tf


def resize(frames: tf.Tensor, image_size: int) -> tf.Tensor:
    """frames: [N, h, w, C] -> [N, S, S, C] float32 in 0..255, bilinear (no antialiasing).

    uint8 frames are cast to float32 first: the same values (the kernel interpolates in float
    either way), but TF's float32 bilinear kernel is about 1.4x faster than its uint8 one here
    (0.9 vs 1.2 ms for [5, 256, 256, 3] -> 224, one thread), which pays for the cast.
    """
    frames = tf.cast(frames, tf.float32)
    return tf.image.resize(frames, [image_size, image_size], method="bilinear", antialias=False)


def join_flow_planes(planes: tf.Tensor, axis: int = 0) -> tf.Tensor:
    """planes: [..., 2T, S, S, 1], the T x planes then the T y planes along `axis` -> [..., T, S, S, 2].

    The decoder emits single-channel images; stacking them along a leading axis is a block copy,
    whereas `tf.concat` on the channel axis copies one byte at a time (about 1 CPU ms per clip
    at T = 5 on 340 x 256 frames). The interleave is left to the XLA finish step, which fuses it
    into the pass that writes the final streams.
    """
    num_snippets = planes.shape[axis] // 2
    flow_x, flow_y = tf.split(planes, [num_snippets, num_snippets], axis=axis)
    return tf.concat([flow_x, flow_y], axis=-1)


def flip_horizontally(rgb: tf.Tensor, flow: tf.Tensor):
    """Mirrors RGB and flow left-right; flow x becomes 255 - x (horizontal motion reverses).

    Works on uint8 (exact) and float32. Bilinear resizing commutes with both steps, so flipping
    the small uint8 crop before resizing equals flipping the resized float frames.
    """
    flow = tf.reverse(flow, axis=[-2])
    flow_x = tf.constant(255, flow.dtype) - flow[..., 0:1]
    return tf.reverse(rgb, axis=[-2]), tf.concat([flow_x, flow[..., 1:2]], axis=-1)


def flow_image(flow: tf.Tensor) -> tf.Tensor:
    """flow: [..., 2] float32 (x, y) -> [..., 3]: x, y, sqrt((x^2 + y^2) / 2).

    Called last, so the quadratic mean is computed from the cropped, resized and flipped x and y.
    """
    flow_x, flow_y = flow[..., 0:1], flow[..., 1:2]
    # Slices, not a reduction over the size-2 channel axis: about twice as fast on CPU.
    magnitude = tf.sqrt((flow_x * flow_x + flow_y * flow_y) * 0.5)
    return tf.concat([flow, magnitude], axis=-1)
