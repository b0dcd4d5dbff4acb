"""Preprocessing of training clips inside the model: uint8 frames -> one crop and flip per clip."""

import keras
from keras import ops

from tan_keras.layers.frame_preprocessing import FramePreprocessing
from tan_keras.layers.test_views import TestViews


@keras.saving.register_keras_serializable(package="tan_keras")
class ClipPreprocessing(FramePreprocessing):
    """Crops, resizes, flips and normalises uint8 training clips inside the model.

    The input pipeline (`tan_keras.data.train_frames`) hands over uint8 frames at the size they
    are stored at (H x W, e.g. 256 x 340) and each clip's augmentation parameters, drawn on the
    host from the clip's seed: the crop window and the flip. Everything float happens here, in
    the compiled step. For each clip:

    1. Crop and resize: the window [y, x, h, w] of every frame of the clip, RGB and flow alike,
       resized to S x S (bilinear, half-pixel centres, as `tf.image.resize` does to the crop).
                                                               # [B, T, S, S, C] float32
    2. Flip where `flip` is nonzero: the frames are mirrored and flow x becomes 255 - x.
    3. The flow image's third channel, sqrt((x^2 + y^2) / 2), from the final x and y.
                                                               # flow [B, T, S, S, 3]
    4. The backbone's normalisation (`tan_keras.backbones.preprocess_input`) on both streams.

    The steps are `FramePreprocessing`'s, shared with `TestViews`, which makes each video's 10
    test views instead. Written with `keras.ops` only (TensorFlow and JAX); it has no weights.
    Models saved with the former `ClipPreprocessing(views=True)` load as `TestViews`.

    Args:
      image_size: S, the side of the square frames the network reads.
      backbone: whose normalisation to apply (a `tan_keras.backbones` name), or None for
        values in 0..255.

    Call arguments:
      inputs: a dict with
        'rgb': [B, T, H, W, 3] uint8 RGB frames, and/or 'flow': [B, T, H, W, 2] uint8 flow x and
        y (128 = still), or the same as two planes 'flow_x' and 'flow_y' [B, T, H, W] (what the
        input pipeline hands over: no interleaving on the host);
        'crop': [B, 4] int32, the window (y, x, h, w) in stored-frame pixels;
        'flip': [B] int32 or bool, nonzero: mirror the clip.

    Returns:
      {'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} float32 (the streams given).

    Example:

    >>> layer = ClipPreprocessing(image_size=224, backbone="googlenet")
    >>> streams = layer({"rgb": rgb, "flow": flow, "crop": crop, "flip": flip})
    >>> streams["rgb"].shape    # rgb: [8, 5, 256, 340, 3] uint8, crop [8, 4], flip [8]
    (8, 5, 224, 224, 3)
    """

    def __init__(self, image_size: int, backbone: str | None = "googlenet", **kwargs):
        if kwargs.pop("views", False):
            raise ValueError("Expected no `views`: the 10 test views are the layer "
                             "`tan_keras.layers.TestViews(image_size, backbone)`. "
                             "Received: views=True")
        super().__init__(image_size, backbone, **kwargs)

    @classmethod
    def from_config(cls, config):
        """A config of the former `ClipPreprocessing(views=True)` gives a `TestViews` layer."""
        config = dict(config)
        if config.pop("views", False):
            return TestViews.from_config(config)
        return super().from_config(config)

    def _clips(self, videos, inputs):
        batch = ops.shape(videos)[0]
        return (ops.arange(batch, dtype="int32"), ops.cast(inputs["crop"], "int32"),
                ops.cast(inputs["flip"], "bool"))
