"""Decoding the selected positions' images, cropped while decoding where the format allows.

RGB is always JPEG; flow is JPEG or PNG (flow/format, one format per records directory). A JPEG crop goes through
`tf.io.decode_and_crop_jpeg`, which skips the rows and columns outside the window; a PNG is decoded
whole and then sliced.
"""

import tensorflow as tf

# TensorFlow's default JPEG IDCT is libjpeg's fast integer one, up to 6 levels (mean about 1) off
# the accurate one that OpenCV, PIL and the records' own checks decode with. The accurate one
# costs no measurable time, and it lets a video decoded elsewhere (tan-predict) match the
# pipeline's frames exactly.
DCT_METHOD = "INTEGER_ACCURATE"


def _decode_jpeg(encoded, channels, window):
    if window is None:
        return tf.io.decode_jpeg(encoded, channels=channels, dct_method=DCT_METHOD)
    return tf.io.decode_and_crop_jpeg(encoded, window, channels=channels, dct_method=DCT_METHOD)


def _decode_png(encoded, window):
    image = tf.io.decode_png(encoded, channels=1)
    if window is None:
        return image
    return image[window[0]:window[0] + window[2], window[1]:window[1] + window[3]]


def _decode_gray(encoded, flow_format: str, window):
    """A flow image, [h, w, 1] uint8: JPEG or PNG (`window` as in `decode_snippets`)."""
    if flow_format == "png":
        return _decode_png(encoded, window)
    return _decode_jpeg(encoded, 1, window)


def decode_snippets(record: dict, positions: tf.Tensor, num_snippets: int, flow_format: str,
                    window: tf.Tensor | None = None):
    """Decodes T positions of a parsed record (`parsing.parse_record`).

    Args:
      record: the parsed record; only rgb, flow_x and flow_y ([P] string) are read.
      positions: [T] int32, indices into the stored positions.
      num_snippets: T (static).
      flow_format: 'jpeg' or 'png' (static: the records' format, checked per record by
        `parsing.record_problem`; a tf.cond per record would cost more than the decoding saves).
      window: None (whole frames) or [4] int32 (y, x, h, w), the same crop for every position.

    Returns:
      rgb: [T, h, w, 3] uint8 and flow: [2T, h, w, 1] uint8, the T x images then the T y images
      (`frame_transforms.join_flow_planes` interleaves them later; see there why); h, w: the
      window's size, or the stored frame's without a window.
    """
    rgb = tf.stack([_decode_jpeg(record["rgb"][positions[t]], 3, window)
                    for t in range(num_snippets)])
    flow = tf.stack([_decode_gray(record[key][positions[t]], flow_format, window)
                     for key in ("flow_x", "flow_y") for t in range(num_snippets)])
    return rgb, flow


def decode_frames(record: dict, positions: tf.Tensor, num_snippets: int, flow_format: str,
                  streams=("rgb", "flow")) -> dict:
    """Decodes T positions of a parsed record whole, for the in-model preprocessing.

    Args:
      record, positions, num_snippets, flow_format: as `decode_snippets`.
      streams: which of 'rgb' and 'flow' to decode.

    Returns:
      {'rgb': [T, H, W, 3] uint8, 'flow_x': [T, H, W] uint8, 'flow_y': [T, H, W] uint8} (the
      streams asked for). Flow stays two planes: stacking single-channel images along a leading
      axis is a block copy, while interleaving x and y on the host copies byte by byte; the model
      reads the planes as they are (`tan_keras.layers.ClipPreprocessing`).
    """
    frames = {}
    if "rgb" in streams:
        frames["rgb"] = tf.stack([_decode_jpeg(record["rgb"][positions[t]], 3, None)
                                  for t in range(num_snippets)])
    if "flow" in streams:
        for key in ("flow_x", "flow_y"):
            frames[key] = tf.stack([tf.squeeze(_decode_gray(record[key][positions[t]],  # no copy
                                                             flow_format, None), axis=-1)
                                    for t in range(num_snippets)])
    return frames
