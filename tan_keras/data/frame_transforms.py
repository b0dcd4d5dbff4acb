"""Per-clip transforms on packed frames [..., H, W, 5] (RGB, flow x, flow y; see `decoding.CHANNELS`).

Packing keeps RGB and flow together, so one resize and one flip serve both streams.
"""

import tensorflow as tf


def resize(frames: tf.Tensor, image_size: int) -> tf.Tensor:
    """frames: [N, h, w, 5] uint8 -> [N, S, S, 5] float32 in 0..255, bilinear (no antialiasing)."""
    return tf.image.resize(tf.cast(frames, tf.float32), [image_size, image_size],
                           method="bilinear", antialias=False)


def flip_horizontally(frames: tf.Tensor) -> tf.Tensor:
    """frames: [..., H, W, 5] float32 0..255 -> mirrored left-right; flow x becomes 255 - x.

    Mirroring reverses horizontal motion, so the quantised flow x (128 = still) is inverted.
    """
    mirrored = tf.reverse(frames, axis=[-2])
    return tf.concat([mirrored[..., :3], 255.0 - mirrored[..., 3:4], mirrored[..., 4:5]], axis=-1)


def split_streams(frames: tf.Tensor) -> dict:
    """frames: [..., 5] float32 -> {'rgb': [..., 3], 'flow': [..., 3]}.

    The flow image's third channel is the quadratic mean sqrt((x^2 + y^2) / 2) of the (already
    cropped, resized and flipped) flow x and y.
    """
    flow_x, flow_y = frames[..., 3:4], frames[..., 4:5]
    magnitude = tf.sqrt((tf.square(flow_x) + tf.square(flow_y)) / 2.0)
    return {"rgb": frames[..., :3], "flow": tf.concat([flow_x, flow_y, magnitude], axis=-1)}
