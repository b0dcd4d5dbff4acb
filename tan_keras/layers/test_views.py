"""The paper's 10 test views of each video, made inside the model from uint8 frames."""

import keras
from keras import ops

from tan_keras import protocol
from tan_keras.layers.frame_preprocessing import FramePreprocessing


@keras.saving.register_keras_serializable(package="tan_keras")
class TestViews(FramePreprocessing):
    """Makes each video's 10 test views from uint8 frames: 5 crops and their mirrors.

    The test protocol (`tan_keras.protocol`) reads T evenly spaced positions of each video; the
    input pipeline (`tan_keras.data.eval_frames`) hands over their uint8 frames at the stored size
    H x W, and this layer makes the views in the compiled step:

    1. The 5 test crops of the H x W frame (`protocol.test_crop_windows`): the 4 corners and the
       centre, squares of side floor(`protocol.TEST_CROP_FRACTION` x the short side) (224 of
       256), in `protocol.LOCATIONS` order.
    2. View v is crop v % 5 (`protocol.view_crop`), mirrored for v >= 5
       (`protocol.view_mirrored`; flow x -> 255 - x): the paper's 10 views, each a T-snippet
       sequence. The views of a video are consecutive in the output batch.
    3. Each view is cropped, resized to S x S, flipped, given the flow image's third channel and
       normalised as in `ClipPreprocessing` (the steps of `FramePreprocessing`).
                                                               # [B * 10, T, S, S, 3] float32

    A `tan_keras.layers.ViewAveraging` layer after the model averages the views' scores per
    video (`tan_keras.models.preprocessed.evaluation_model` puts both around a model). Written
    with `keras.ops` only (TensorFlow and JAX); it has no weights.

    Args:
      image_size: S, the side of the square views the network reads.
      backbone: whose normalisation to apply (a `tan_keras.backbones` name), or None for
        values in 0..255.

    Call arguments:
      inputs: a dict with 'rgb': [B, T, H, W, 3] uint8 and/or 'flow': [B, T, H, W, 2] uint8 flow
        x and y, or the two planes 'flow_x', 'flow_y': [B, T, H, W] uint8.

    Returns:
      {'rgb': [B * 10, T, S, S, 3], 'flow': [B * 10, T, S, S, 3]} float32 (the streams given);
      row 10 b + v is view v of video b.

    Example:

    >>> views = TestViews(image_size=224, backbone="googlenet")({"rgb": rgb, "flow": flow})
    >>> views["rgb"].shape    # rgb: [2, 5, 256, 340, 3], flow: [2, 5, 256, 340, 2] uint8
    (20, 5, 224, 224, 3)
    """

    __test__ = False  # not a pytest test class, in a test module that imports it
    clips_per_video = protocol.NUM_TEST_VIEWS

    def _clips(self, videos, inputs):
        shape = ops.shape(videos)
        height, width = ops.cast(shape[2], "int32"), ops.cast(shape[3], "int32")
        crops = protocol.test_crop_windows(height, width, ops.minimum(height, width))
        crops = ops.stack([ops.stack(window) for window in crops])  # [5, 4]
        views = ops.arange(protocol.NUM_TEST_VIEWS, dtype="int32")
        windows = ops.take(crops, protocol.view_crop(views), axis=0)  # [10, 4]
        flip = protocol.view_mirrored(views) > 0
        num_videos = shape[0]
        source = ops.repeat(ops.arange(num_videos, dtype="int32"), protocol.NUM_TEST_VIEWS)
        return source, ops.tile(windows, (num_videos, 1)), ops.tile(flip, (num_videos,))
