"""Preprocessing inside the model: uint8 frames at the stored size -> the network's float input."""

import keras
from keras import ops

from tan_keras.backbones.preprocessing import PREPROCESSING_MODES, preprocess_input

NUM_TEST_CROPS = 5  # top-left, top-right, bottom-left, bottom-right, centre
NUM_TEST_VIEWS = 2 * NUM_TEST_CROPS  # the crops, then the same mirrored
TEST_CROP_FRACTION = 0.875  # the test crop's side over the frame's short side (TSN: 224 / 256)


@keras.saving.register_keras_serializable(package="tan_keras")
class ClipPreprocessing(keras.layers.Layer):
    """Crops, resizes, flips and normalises uint8 clips inside the model; or makes the 10 views.

    The input pipeline hands over uint8 frames at the size they are stored at (H x W, e.g.
    340 x 256) and, in training, each clip's augmentation parameters; everything float happens
    here, in the compiled step. For each clip:

    1. Crop and resize: the window [y, x, h, w] of every frame of the clip, RGB and flow alike,
       is resized to S x S by bilinear interpolation with half-pixel centres, edges clamped to
       the window (what `tf.image.resize(crop, [S, S])` computes), by gathering each output
       pixel's 4 neighbours (all channels of both streams in one gather).
                                                               # [B, T, S, S, C] float32
    2. Flip (where `flip` is true): the frames are mirrored left-right and flow x becomes
       255 - x, since horizontal motion reverses.
    3. The flow image's third channel, sqrt((x^2 + y^2) / 2), from the final x and y.
                                                               # flow [B, T, S, S, 3]
    4. The backbone's normalisation (`tan_keras.backbones.preprocess_input`) on both streams.

    With `views=True` (inference), step 1 takes each video's 5 test crops (the 4 corners and the
    centre, squares of side floor(0.875 x the short side)), and step 2 adds their mirrors: the
    paper's 10 views, view v + 5 the mirror of view v, each a T-snippet sequence. The views of a
    video are consecutive in the output batch: [B * 10, T, S, S, 3].

    Written with `keras.ops` only (TensorFlow and JAX backends); it has no weights.

    Args:
      image_size: S, the side of the square frames the network reads.
      backbone: whose normalisation to apply (a `tan_keras.backbones` name), or None for
        values in 0..255.
      views: False (training: one crop and flip per clip, given as inputs) or True (the 10 test
        views of each video, made here).

    Call arguments:
      inputs: a dict with any of
        'rgb': [B, T, H, W, 3] uint8 RGB frames; 'flow': [B, T, H, W, 2] uint8 flow x and y
        (128 = still), or the same as two planes 'flow_x' and 'flow_y' [B, T, H, W] (what the
        input pipeline hands over: no interleaving on the host); and, when `views=False`,
        'crop': [B, 4] int32, the window (y, x, h, w) in stored-frame pixels;
        'flip': [B] int32 or bool, nonzero: mirror the clip.

    Returns:
      {'rgb': [N, T, S, S, 3], 'flow': [N, T, S, S, 3]} float32 (the streams given), N = B, or
      B * 10 with `views=True`.

    Example:

    >>> layer = ClipPreprocessing(image_size=224, backbone="googlenet")
    >>> streams = layer({"rgb": rgb, "flow": flow, "crop": crop, "flip": flip})
    >>> streams["rgb"].shape    # rgb: [8, 5, 256, 340, 3] uint8, crop [8, 4], flip [8]
    (8, 5, 224, 224, 3)
    """

    def __init__(self, image_size: int, backbone: str | None = "googlenet", views: bool = False,
                 **kwargs):
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
        self.views = bool(views)
        self._normalize = preprocess_input(backbone) if backbone is not None else None

    # --- sampling ----------------------------------------------------------------------------

    def _axis_samples(self, start, length):
        """start, length: [N] int32 along one axis -> (lower, upper) [N, S] int32 source
        indices and lerp [N, S] float32, as TF's half-pixel bilinear resize computes them."""
        length = ops.cast(length, "float32")
        scale = length / float(self.image_size)
        centres = ops.arange(self.image_size, dtype="float32") + 0.5
        coordinate = centres[None, :] * scale[:, None] - 0.5
        floor = ops.floor(coordinate)
        lower = ops.maximum(floor, 0.0)
        upper = ops.minimum(ops.ceil(coordinate), length[:, None] - 1.0)
        start = ops.cast(start, "int32")[:, None]
        return (ops.cast(lower, "int32") + start, ops.cast(upper, "int32") + start,
                coordinate - floor)

    @staticmethod
    def _bilinear(frames, source, rows, cols):
        """frames: [V, T, H, W, C] uint8; source: [N] int32, the video of each output clip;
        rows, cols: the `_axis_samples` of each clip's window -> [N, T, S, S, C] float32."""
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

    def _test_windows(self, height, width):
        """The 5 test crops of a H x W frame: [5, 4] int32 (y, x, h, w)."""
        height, width = ops.cast(height, "int32"), ops.cast(width, "int32")
        side = ops.cast(ops.floor(ops.cast(ops.minimum(height, width), "float32")
                                  * TEST_CROP_FRACTION), "int32")
        bottom, right = height - side, width - side
        zero = ops.zeros_like(bottom)
        y = ops.stack([zero, zero, bottom, bottom, bottom // 2])
        x = ops.stack([zero, right, zero, right, right // 2])
        sides = ops.full((NUM_TEST_CROPS,), side, dtype="int32")
        return ops.stack([y, x, sides, sides], axis=1)

    def _clips(self, reference, inputs):
        """(source video [N], window [N, 4], flip [N] bool) of every output clip."""
        if not self.views:
            batch = ops.shape(reference)[0]
            return (ops.arange(batch, dtype="int32"), ops.cast(inputs["crop"], "int32"),
                    ops.cast(inputs["flip"], "bool"))
        shape = ops.shape(reference)
        windows = self._test_windows(shape[2], shape[3])  # [5, 4]
        source = ops.repeat(ops.arange(shape[0], dtype="int32"), NUM_TEST_VIEWS)
        windows = ops.tile(ops.concatenate([windows, windows], axis=0), (shape[0], 1))
        flip = ops.tile(ops.arange(NUM_TEST_VIEWS) >= NUM_TEST_CROPS, (shape[0],))
        return source, windows, flip

    # --- the layer ---------------------------------------------------------------------------

    @staticmethod
    def _streams(inputs) -> dict:
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

    def call(self, inputs):
        if keras.backend.backend() == "tensorflow":
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
        streams = self._streams(inputs)
        first = next(iter(streams.values()))
        source, windows, flip = self._clips(first[0] if isinstance(first, tuple) else first,
                                            inputs)
        rows = self._axis_samples(windows[:, 0], windows[:, 2])
        lower, upper, lerp = self._axis_samples(windows[:, 1], windows[:, 3])
        mirrored = flip[:, None]
        cols = (ops.where(mirrored, ops.flip(lower, axis=1), lower),
                ops.where(mirrored, ops.flip(upper, axis=1), upper),
                ops.where(mirrored, ops.flip(lerp, axis=1), lerp))
        # One gather for all channels: the cost of a gather is per pixel, whatever its width.
        channels = {"rgb": streams["rgb"]} if "rgb" in streams else {}
        if "flow" in streams:
            flow = streams["flow"]
            channels["flow"] = ops.stack(flow, axis=-1) if isinstance(flow, tuple) else flow
        frames = self._bilinear(ops.concatenate(list(channels.values()), axis=-1), source, rows,
                                cols)
        outputs, start = {}, 0
        for name, stream in channels.items():
            width = stream.shape[-1]
            values = frames[..., start:start + width]
            start += width
            if name == "flow":
                flow_x = ops.where(flip[:, None, None, None, None], 255.0 - values[..., 0:1],
                                   values[..., 0:1])
                flow_y = values[..., 1:2]
                magnitude = ops.sqrt((flow_x * flow_x + flow_y * flow_y) * 0.5)
                values = ops.concatenate([flow_x, flow_y, magnitude], axis=-1)
            outputs[name] = self._normalize(values) if self._normalize else values
        return outputs

    def compute_output_shape(self, input_shape):
        names = [key for key in ("rgb", "flow", "flow_x") if key in input_shape]
        first = input_shape[names[0]]
        batch = first[0]
        if self.views:
            batch = None if batch is None else batch * NUM_TEST_VIEWS
        shape = (batch, first[1], self.image_size, self.image_size, 3)
        streams = {"rgb"} & set(input_shape) | ({"flow"} if {"flow", "flow_x"} & set(input_shape)
                                                else set())
        return {name: shape for name in ("rgb", "flow") if name in streams}

    def get_config(self):
        config = super().get_config()
        config.update({"image_size": self.image_size, "backbone": self.backbone,
                       "views": self.views})
        return config
