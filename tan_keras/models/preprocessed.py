"""Models that take uint8 frames: a float model (TAN or a baseline) behind the in-model
preprocessing (`ClipPreprocessing` in training, `TestViews` in the test protocol).

The float models of this package take normalised crops [B, T, S, S, 3]; these wrappers put the
crop, the resize, the flip, the flow image and the normalisation in front of them, in the same
compiled step, and share their weights (the float model is a layer of the wrapper, so saving
and loading the float model's weights is unchanged).

- `training_model`: one clip per example, with the crop window and flip the input pipeline drew
  (`tan_keras.data.train_frames`); the outputs are the float model's.
- `evaluation_model`: the paper's test protocol for whole videos: the 10 views are made in the
  graph and the scores averaged over them; with TAN, alpha and beta too. Its inputs are what a
  served model takes: uint8 `rgb [N, T, H, W, 3]` and `flow [N, T, H, W, 2]` (or the two flow
  planes `flow_x`, `flow_y` [N, T, H, W], as `tan_keras.data.eval_frames` gives them).

A frame size is given by name, `frame_height=H, frame_width=W` (keyword-only), never as a pair.
"""

import keras

from tan_keras.layers import ClipPreprocessing, TestViews, ViewAveraging
from tan_keras.protocol import NUM_TEST_VIEWS
from tan_keras.models.inspection import temporal_attention_layer, with_attention_outputs

FRAME_INPUTS = ("rgb", "flow_x", "flow_y")


def frame_inputs(num_snippets: int, *, frame_height: int | None = None,
                 frame_width: int | None = None, flow_planes: bool = True,
                 streams=("rgb", "flow")) -> dict:
    """uint8 inputs: 'rgb' [B, T, H, W, 3], and 'flow_x', 'flow_y' [B, T, H, W] (or 'flow'
    [B, T, H, W, 2] with flow_planes=False), where H = frame_height and W = frame_width (both
    None: any size)."""
    if (frame_height is None) != (frame_width is None):
        raise ValueError(f"Expected frame_height and frame_width both, or neither (any size). "
                         f"Received: frame_height={frame_height!r}, frame_width={frame_width!r}")
    height, width = frame_height, frame_width
    inputs = {}
    if "rgb" in streams:
        inputs["rgb"] = keras.Input((num_snippets, height, width, 3), dtype="uint8", name="rgb")
    if "flow" in streams and flow_planes:
        for name in ("flow_x", "flow_y"):
            inputs[name] = keras.Input((num_snippets, height, width), dtype="uint8", name=name)
    elif "flow" in streams:
        inputs["flow"] = keras.Input((num_snippets, height, width, 2), dtype="uint8",
                                     name="flow")
    return inputs


def clip_parameter_inputs() -> dict:
    """The inputs of each clip's augmentation, as `tan_keras.data.train_frames` hands them over:
    'crop' [B, 4] int32 (y, x, h, w) and 'flip' [B] int32 (1: mirror; int32 rather than bool,
    since tf.distribute cannot reduce a bool batch)."""
    return {"crop": keras.Input((4,), dtype="int32", name="crop"),
            "flip": keras.Input((), dtype="int32", name="flip")}


def _num_snippets(model: keras.Model) -> int:
    return model.inputs[0].shape[1]


def _image_size(model: keras.Model) -> int:
    return model.inputs[0].shape[2]


def training_model(model: keras.Model, backbone: str, *, frame_height: int | None = None,
                   frame_width: int | None = None, name: str | None = None) -> keras.Model:
    """`model` (float inputs {'rgb', 'flow'} [B, T, S, S, 3]) fed by uint8 clips.

    Args:
      model: TAN or a baseline from this package.
      backbone: whose normalisation `ClipPreprocessing` applies (the model's backbone).
      frame_height, frame_width: H and W of the stored frames (e.g.
        `RecordsSource.frames.height`, `.width`), or both None for any size.
      name: the model's name (default '<model>_on_frames').

    Returns:
      A model with inputs {'rgb' [B, T, H, W, 3], 'flow_x', 'flow_y' [B, T, H, W] uint8, 'crop'
      [B, 4] int32, 'flip' [B] int32 (1: mirror)} and the outputs of `model`; it shares
      `model`'s weights.
    """
    num_snippets, image_size = _num_snippets(model), _image_size(model)
    inputs = {**frame_inputs(num_snippets, frame_height=frame_height, frame_width=frame_width),
              **clip_parameter_inputs()}
    streams = ClipPreprocessing(image_size, backbone, name="clip_preprocessing")(inputs)
    return keras.Model(inputs, model(streams), name=name or f"{model.name}_on_frames")


def evaluation_model(model: keras.Model, backbone: str, *, frame_height: int | None = None,
                     frame_width: int | None = None, classes=(), frame_settings=None,
                     flow_planes: bool = False, name: str | None = None) -> keras.Model:
    """`model` under the paper's test protocol, on uint8 videos.

    Steps: the 10 views of each video (`TestViews`) -> `model` on the
    B * 10 views -> the scores averaged over each video's views (`ViewAveraging`).

    Args:
      model: TAN or a baseline from this package (float inputs).
      backbone: the model's backbone (for the normalisation).
      frame_height, frame_width: H and W of the frames, or both None for any size.
      classes, frame_settings: carried by the `ViewAveraging` layer (class names; the frames'
        settings), for predict and the exports.
      flow_planes: take flow as 'flow_x', 'flow_y' [N, T, H, W] (as `eval_frames` gives it)
        instead of 'flow' [N, T, H, W, 2].

    Returns:
      A model with inputs {'rgb' [N, T, H, W, 3], 'flow' [N, T, H, W, 2]} uint8 (or the flow
      planes) and outputs {'spatial', 'temporal', 'fused'} [N, C] probabilities averaged over
      the 10 views, and for TAN {'alpha', 'beta'} [N, T, T] averaged over the views.
    """
    num_snippets, image_size = _num_snippets(model), _image_size(model)
    try:
        temporal_attention_layer(model)
        scored = with_attention_outputs(model)
    except ValueError:
        scored = model
    inputs = frame_inputs(num_snippets, frame_height=frame_height, frame_width=frame_width,
                          flow_planes=flow_planes)
    views = TestViews(image_size, backbone, name="test_views")(inputs)
    averaged = ViewAveraging(NUM_TEST_VIEWS, classes, frame_settings,
                             name="view_averaging")(scored(views))
    return keras.Model(inputs, averaged, name=name or f"{model.name}_test_views")
