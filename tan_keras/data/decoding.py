"""Decoding the selected positions' images, cropped while decoding where the format allows.

RGB is always JPEG; flow is JPEG or PNG (the record's flow/format). A JPEG crop goes through
`tf.io.decode_and_crop_jpeg`, which skips the rows and columns outside the window; a PNG is decoded
whole and then sliced.
"""

import tensorflow as tf

def _decode_jpeg(encoded, channels, window):
    if window is None:
        return tf.io.decode_jpeg(encoded, channels=channels)
    return tf.io.decode_and_crop_jpeg(encoded, window, channels=channels)


def _decode_png(encoded, window):
    image = tf.io.decode_png(encoded, channels=1)
    if window is None:
        return image
    return image[window[0]:window[0] + window[2], window[1]:window[1] + window[3]]


def _decode_flow(flow_x, flow_y, flow_format, num_snippets, window):
    """flow_x, flow_y: [T] string -> [T, h, w, 2] uint8, decoded as PNG or JPEG per flow_format."""
    def decode_all(decode):
        return tf.stack([tf.concat([decode(flow_x[t]), decode(flow_y[t])], axis=-1)
                         for t in range(num_snippets)])

    return tf.cond(tf.equal(flow_format, b"png"),
                   lambda: decode_all(lambda image: _decode_png(image, window)),
                   lambda: decode_all(lambda image: _decode_jpeg(image, 1, window)))


def decode_snippets(record: dict, positions: tf.Tensor, num_snippets: int,
                    window: tf.Tensor | None = None) -> tf.Tensor:
    """Decodes T positions of a parsed record (`parsing.parse_record`).

    Args:
      record: the parsed record; only rgb, flow_x, flow_y ([P] string) and flow_format are read.
      positions: [T] int32, indices into the stored positions.
      num_snippets: T (static).
      window: None (whole frames) or [4] int32 (y, x, h, w), the same crop for every position.

    Returns:
      rgb: [T, h, w, 3] uint8 and flow: [T, h, w, 2] uint8 (x, y); h, w: the window's size, or
      the stored frame's without a window.
    """
    rgb = tf.gather(record["rgb"], positions)
    rgb = tf.stack([_decode_jpeg(rgb[t], 3, window) for t in range(num_snippets)])
    flow = _decode_flow(tf.gather(record["flow_x"], positions),
                        tf.gather(record["flow_y"], positions), record["flow_format"],
                        num_snippets, window)
    return rgb, flow
