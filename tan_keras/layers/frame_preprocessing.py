"""The steps that `ClipPreprocessing` and `TestViews` share: uint8 frames -> the network's input.

`FramePreprocessing` is their base class. It owns the common steps (the bilinear gather of each
output clip's window, the flip, the flow image, the normalisation) and leaves one protected hook,
`_clips`, which says which video, window and flip each output clip takes.
"""

import contextlib
import contextvars

import keras
from keras import ops

from tan_keras.backbones.preprocessing import PREPROCESSING_MODES, preprocess_input

# Whether FramePreprocessing runs as one XLA cluster on TensorFlow (`without_xla` turns it off).
_XLA_ON_TENSORFLOW = contextvars.ContextVar("xla_on_tensorflow", default=True)


@contextlib.contextmanager
def without_xla():
    """While active, `FramePreprocessing` layers called (or traced) on TensorFlow run their plain
    keras.ops steps instead of one XLA-compiled function: the same computation, unfused. For a
    converter that cannot read a compiled function, such as tf2onnx (the ONNX export)."""
    token = _XLA_ON_TENSORFLOW.set(False)
    try:
        yield
    finally:
        _XLA_ON_TENSORFLOW.reset(token)

FLOW_INPUTS = ("flow", "flow_x", "flow_y")


def axis_samples(start, length, size: int):
    """Half-pixel bilinear sampling of one axis of N windows, as TF's resize computes it.

    Args:
      start, length: [N] int32, each window's first pixel and length along the axis.
      size: S, the output side.

    Returns:
      (lower, upper) [N, S] int32 source indices (clamped to the window) and lerp [N, S]
      float32, the weight of `upper`.
    """
    length = ops.cast(length, "float32")
    scale = length / float(size)
    centres = ops.arange(size, dtype="float32") + 0.5
    coordinate = centres[None, :] * scale[:, None] - 0.5
    floor = ops.floor(coordinate)
    lower = ops.maximum(floor, 0.0)
    upper = ops.minimum(ops.ceil(coordinate), length[:, None] - 1.0)
    start = ops.cast(start, "int32")[:, None]
    return (ops.cast(lower, "int32") + start, ops.cast(upper, "int32") + start,
            coordinate - floor)


def bilinear_gather(frames, source, rows, cols):
    """Each output clip's window of its source video, resized (bilinear) by one gather a corner.

    Args:
      frames: [V, T, H, W, C] uint8, the videos.
      source: [N] int32, the video of each output clip.
      rows, cols: `axis_samples` of each clip's window, along H and along W.

    Returns:
      [N, T, S, S, C] float32.
    """
    num_snippets = frames.shape[1]
    shape = ops.shape(frames)
    height, width = shape[2], shape[3]
    flat = ops.reshape(frames, (-1, frames.shape[4]))
    snippets = ops.arange(num_snippets, dtype="int32")
    base = (source[:, None] * num_snippets + snippets[None, :]) * height  # [N, T]

    def gather(row, col):
        index = (base[:, :, None] + row[:, None, :]) * width  # [N, T, S]
        index = index[:, :, :, None] + col[:, None, None, :]  # [N, T, S, S]
        return ops.cast(ops.take(flat, index, axis=0), "float32")

    (row_lo, row_hi, row_lerp), (col_lo, col_hi, col_lerp) = rows, cols
    x_lerp = col_lerp[:, None, None, :, None]
    y_lerp = row_lerp[:, None, :, None, None]
    top_left, top_right = gather(row_lo, col_lo), gather(row_lo, col_hi)
    bottom_left, bottom_right = gather(row_hi, col_lo), gather(row_hi, col_hi)
    top = top_left + (top_right - top_left) * x_lerp
    bottom = bottom_left + (bottom_right - bottom_left) * x_lerp
    return top + (bottom - top) * y_lerp


def flow_image(flow, flip):
    """flow: [N, T, S, S, 2] float32 x, y of the (already mirrored) frames; flip: [N] bool ->
    [N, T, S, S, 3]: x (255 - x where flipped, as horizontal motion reverses), y, and
    sqrt((x^2 + y^2) / 2) from the final x and y."""
    flow_x = ops.where(flip[:, None, None, None, None], 255.0 - flow[..., 0:1], flow[..., 0:1])
    flow_y = flow[..., 1:2]
    magnitude = ops.sqrt((flow_x * flow_x + flow_y * flow_y) * 0.5)
    return ops.concatenate([flow_x, flow_y, magnitude], axis=-1)


def frame_streams(inputs) -> dict:
    """{'rgb': frames, 'flow': frames or (x planes, y planes)} of the inputs given."""
    streams = {}
    if "rgb" in inputs:
        streams["rgb"] = inputs["rgb"]
    if "flow" in inputs:
        streams["flow"] = inputs["flow"]
    elif "flow_x" in inputs and "flow_y" in inputs:
        streams["flow"] = (inputs["flow_x"], inputs["flow_y"])
    if not streams:
        raise ValueError("Expected inputs 'rgb', and 'flow' or 'flow_x' and 'flow_y'. "
                         f"Received: keys={sorted(inputs)}")
    return streams


class FramePreprocessing(keras.layers.Layer):
    """Base class: uint8 frames at the stored size -> cropped, resized, flipped, normalised streams.

    For each output clip (a window of one input video, maybe mirrored; `_clips` says which):

    1. Crop and resize: the window [y, x, h, w] of every frame of the clip, RGB and flow alike,
       is resized to S x S by bilinear interpolation with half-pixel centres, edges clamped to
       the window (what `tf.image.resize(crop, [S, S])` computes), by gathering each output
       pixel's 4 neighbours (all channels of both streams in one gather).
                                                               # [N, T, S, S, C] float32
    2. Flip (where the clip is mirrored): the frames are mirrored left-right and flow x becomes
       255 - x, since horizontal motion reverses.
    3. The flow image's third channel, sqrt((x^2 + y^2) / 2), from the final x and y.
                                                               # flow [N, T, S, S, 3]
    4. The backbone's normalisation (`tan_keras.backbones.preprocess_input`) on both streams.

    A subclass overrides `_clips` and sets `clips_per_video` (the output clips of one input
    video, for the output shape). Written with `keras.ops` only; it has no weights.

    Args:
      image_size: S, the side of the square frames the network reads.
      backbone: whose normalisation to apply (a `tan_keras.backbones` name), or None for
        values in 0..255.
    """

    clips_per_video = 1

    def __init__(self, image_size: int, backbone: str | None = "googlenet", **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < 1:
            raise ValueError("Expected `image_size` to be a positive integer. "
                             f"Received: image_size={image_size!r}")
        if backbone is not None and backbone not in PREPROCESSING_MODES:
            raise ValueError(f"Expected `backbone` in {sorted(PREPROCESSING_MODES)} or None. "
                             f"Received: backbone={backbone!r}")
        self.image_size = image_size
        self.backbone = backbone
        self._normalize = preprocess_input(backbone) if backbone is not None else None

    def _clips(self, videos, inputs):
        """The protected hook: which output clips to make.

        Args:
          videos: [B, T, H, W, C] the frames of one input stream (for the batch and frame size).
          inputs: the layer's inputs dict.

        Returns:
          (source [N] int32, the input video of each output clip; windows [N, 4] int32
          (y, x, h, w); flip [N] bool).
        """
        raise TypeError(f"Expected a subclass that defines `_clips` (ClipPreprocessing, TestViews "
                        f"or your own). Received: {type(self).__name__}, which does not.")

    def call(self, inputs):
        if keras.backend.backend() == "tensorflow" and _XLA_ON_TENSORFLOW.get():
            return self._compiled_call()(inputs)
        return self._preprocess(inputs)

    def _compiled_call(self):
        """TensorFlow only: the same computation as one XLA cluster. Outside XLA, TensorFlow runs
        every gather and every elementwise step as its own kernel over the whole batch, which on
        a CPU cost 3x the time (JAX compiles everything anyway)."""
        if getattr(self, "_xla_preprocess", None) is None:
            import tensorflow as tf

            self._xla_preprocess = tf.function(self._preprocess, jit_compile=True,
                                               reduce_retracing=True)
        return self._xla_preprocess

    def _preprocess(self, inputs):
        streams = frame_streams(inputs)
        first = next(iter(streams.values()))
        source, windows, flip = self._clips(first[0] if isinstance(first, tuple) else first,
                                            inputs)
        rows = axis_samples(windows[:, 0], windows[:, 2], self.image_size)
        lower, upper, lerp = axis_samples(windows[:, 1], windows[:, 3], self.image_size)
        mirrored = flip[:, None]
        cols = (ops.where(mirrored, ops.flip(lower, axis=1), lower),
                ops.where(mirrored, ops.flip(upper, axis=1), upper),
                ops.where(mirrored, ops.flip(lerp, axis=1), lerp))
        # One gather for all channels: the cost of a gather is per pixel, whatever its width.
        channels = {"rgb": streams["rgb"]} if "rgb" in streams else {}
        if "flow" in streams:
            flow = streams["flow"]
            channels["flow"] = ops.stack(flow, axis=-1) if isinstance(flow, tuple) else flow
        frames = bilinear_gather(ops.concatenate(list(channels.values()), axis=-1), source,
                                 rows, cols)
        outputs, start = {}, 0
        for name, stream in channels.items():
            width = stream.shape[-1]
            values = frames[..., start:start + width]
            start += width
            if name == "flow":
                values = flow_image(values, flip)
            outputs[name] = self._normalize(values) if self._normalize else values
        return outputs

    def compute_output_shape(self, input_shape):
        names = [key for key in ("rgb",) + FLOW_INPUTS if key in input_shape]
        first = input_shape[names[0]]
        batch = None if first[0] is None else first[0] * self.clips_per_video
        shape = (batch, first[1], self.image_size, self.image_size, 3)
        streams = ["rgb"] if "rgb" in input_shape else []
        streams += ["flow"] if set(FLOW_INPUTS) & set(input_shape) else []
        return {name: shape for name in streams}

    def get_config(self):
        config = super().get_config()
        config.update({"image_size": self.image_size, "backbone": self.backbone})
        return config
