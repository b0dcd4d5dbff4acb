"""A test-view model that reads one view, the centre crop, instead of the 10: `with_views`.

The 10 views (4 corners, the centre, and their mirrors) cost 10 forward passes a video; over a
long video or a live source one view is often enough. The centre view is test view 4
(`tan_keras.protocol.LOCATIONS`, unmirrored), cropped, resized and normalised as `TestViews`
makes it, so its scores are the scores of that one view of the 10-view model.

Only a model with its Keras graph can be rebuilt this way (a run or a .keras file); the other
exports have their 10 views inside.
"""

from keras import ops

from tan_keras import protocol
from tan_keras.errors import IncompatibleInputError
from tan_keras.layers import TestViews
from tan_keras.layers.view_averaging import ViewAveraging

VIEW_CHOICES = (1, protocol.NUM_TEST_VIEWS)
CENTRE_VIEW = protocol.LOCATIONS.index("centre")


class CentreView(TestViews):
    """`TestViews` with only the centre crop, unmirrored: [B, T, H, W, C] uint8 ->
    [B, T, S, S, 3] float32, one clip a video."""

    __test__ = False
    clips_per_video = 1

    def _clips(self, videos, inputs):
        shape = ops.shape(videos)
        height, width = ops.cast(shape[2], "int32"), ops.cast(shape[3], "int32")
        crops = protocol.test_crop_windows(height, width, ops.minimum(height, width))
        window = ops.stack(crops[CENTRE_VIEW])  # [4]
        num_videos = shape[0]
        source = ops.arange(num_videos, dtype="int32")
        windows = ops.tile(window[None], (num_videos, 1))
        return source, windows, ops.zeros((num_videos,), "bool")


def single_view_model(keras_model):
    """The test-view model `keras_model` (`models.preprocessed.evaluation_model`) reading the
    centre view only: the same inputs and outputs, sharing its weights."""
    import keras

    views = keras_model.get_layer("test_views")
    averaging = keras_model.get_layer("view_averaging")
    scored = [layer for layer in keras_model.layers if isinstance(layer, keras.Model)]
    if len(scored) != 1:
        raise IncompatibleInputError(f"Expected one network inside the test-view model "
                                     f"{keras_model.name}. Received: {len(scored)}")
    inputs = {name: keras.Input(tuple(tensor.shape[1:]), dtype=tensor.dtype, name=name)
              for name, tensor in keras_model.input.items()}
    centre = CentreView(views.image_size, views.backbone, name="centre_view")(inputs)
    averaged = ViewAveraging(1, averaging.classes, averaging.frame_settings,
                             name="view_averaging")(scored[0](centre))
    return keras.Model(inputs, averaged, name=f"{keras_model.name}_centre_view")


def with_views(video_model, views: int):
    """`video_model.predict` with `views` test views: 10 (the model as it is) or 1 (the centre
    view; a run or a .keras file only).

    Raises:
      IncompatibleInputError: `views` is not 1 or 10, or 1 for a model without its Keras graph.
    """
    if views not in VIEW_CHOICES:
        raise IncompatibleInputError(f"Expected views in {VIEW_CHOICES}. Received: {views!r}")
    if views == protocol.NUM_TEST_VIEWS:
        return video_model.predict
    if video_model.keras_model is None:
        raise IncompatibleInputError(
            "Expected a train_tan run or a .keras file for one view: a SavedModel, TFLite or "
            "ONNX export has its 10 views inside. Received: an export without its Keras graph; "
            "use --views=10 with it")
    import numpy as np

    model = single_view_model(video_model.keras_model)

    def predict(inputs):
        return {name: np.asarray(value) for name, value in model.predict_on_batch(inputs).items()}

    return predict
