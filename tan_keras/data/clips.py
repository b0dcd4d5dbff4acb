"""From one parsed record to float network input: a training clip, or a video's 10 test views.

Both return float32 streams in 0..255, before any backbone normalisation:
  rgb:  [..., T, S, S, 3]
  flow: [..., T, S, S, 3] (flow x, flow y, sqrt((x^2 + y^2) / 2))

This is the host-side twin of the in-model preprocessing (`tan_keras.layers.ClipPreprocessing`
and `TestViews`, fed by `tan_keras.data.frames`). It stays, as a second implementation of the
crop, flip and views, for three reasons:
  - it feeds models that take float crops and have no preprocessing layer in front (a user's own
    model, a `keras.applications` network, the float models of `tan_keras.models` as they are);
  - it runs inside tf.data whatever the Keras backend: the layers compute with the model's
    backend, and a JAX computation cannot run in a tf.data graph;
  - it decodes only each clip's crop window (`tf.io.decode_and_crop_jpeg`), the cheaper path
    when the host, not the accelerator, does the float work.
Every protocol fact (positions, scales, locations, the test crop, the views and their order)
comes from `tan_keras.protocol` through `sampling` and `crops`; only the TF image operations are
this module's. `tests/tan_keras/data/test_frames.py` holds both paths equal on the same records.
"""

from typing import NamedTuple

import tensorflow as tf

from tan_keras import protocol
from tan_keras.data import crops, decoding, frame_transforms, sampling


def finish_streams(rgb: tf.Tensor, flow_planes: tf.Tensor, mirrored: bool) -> dict:
    """rgb: [T, S, S, 3], flow_planes: [2T, S, S, 1] float32 resized -> the streams dict.

    Interleaves the x and y planes, mirrors both streams when `mirrored` (a Python bool; flow
    x -> 255 - x), then builds the flow image's third channel from the final x and y:
    {'rgb': [T, S, S, 3], 'flow': [T, S, S, 3]}.
    """
    flow = frame_transforms.join_flow_planes(flow_planes)
    if mirrored:
        rgb, flow = frame_transforms.flip_horizontally(rgb, flow)
    return {"rgb": rgb, "flow": frame_transforms.flow_image(flow)}


def fused_finisher(normalize_fn=None):
    """`finish_streams` then `normalize_fn` on both streams, compiled with XLA: (rgb, flow_planes,
    flip [] bool) -> the streams dict.

    Run as separate TF kernels, the flip, the flow image (slices, products, sqrt, concat) and
    the normalisation each read and write every value; XLA fuses them into one loop per stream,
    which cut the training pipeline from about 11.7 to 10.1 CPU ms per clip (T = 5, S = 224,
    `experiments.benchmarks.input_pipeline`). The flip is a `tf.cond` between two such loops, one
    with the mirror and one without: a select between the frames and their mirror image in one loop
    read both for every value (finish step 1.4 vs 0.9 CPU ms per clip). The shapes are static
    per pipeline, so it compiles once. normalize_fn: None (values stay in 0..255) or a function
    of float frames.
    """
    def streams(rgb, flow_planes, mirrored):
        out = finish_streams(rgb, flow_planes, mirrored)
        if normalize_fn is None:
            return out
        return {name: normalize_fn(frames) for name, frames in out.items()}

    @tf.function(jit_compile=True)
    def finish(rgb, flow_planes, flip):
        return tf.cond(flip, lambda: streams(rgb, flow_planes, True),
                       lambda: streams(rgb, flow_planes, False))

    return finish


def all_views(rgb: tf.Tensor, flow_planes: tf.Tensor) -> dict:
    """rgb: [5, T, S, S, 3], flow_planes: [5, 2T, S, S, 1] float32 crops -> the 10 views.

    In the protocol's view order (`protocol.view_crop`, `protocol.view_mirrored`): views 0-4 are
    the crops, views 5-9 the same mirrored (flow x -> 255 - x). Flow's third channel comes from
    the final x and y: {'rgb': [10, T, S, S, 3], 'flow': [10, T, S, S, 3]}.
    """
    flow = frame_transforms.join_flow_planes(flow_planes, axis=1)
    mirrored_rgb, mirrored_flow = frame_transforms.flip_horizontally(rgb, flow)
    rgb = tf.concat([rgb, mirrored_rgb], axis=0)
    flow = tf.concat([flow, mirrored_flow], axis=0)
    return {"rgb": rgb, "flow": frame_transforms.flow_image(flow)}


def fused_view_finisher(normalize_fn=None):
    """`all_views` then `normalize_fn` on both streams, compiled with XLA into one pass.

    The test pipeline's counterpart of `fused_finisher`: a video's 10 views are 60 MB of float32
    at T = 5, S = 224, and the mirror, the concatenations, the flow image and the normalisation
    as separate TF kernels each read and write all of it; fused, the views are written once.
    normalize_fn: None (values stay in 0..255) or a function of float frames.
    """
    @tf.function(jit_compile=True)
    def finish(rgb, flow):
        streams = all_views(rgb, flow)
        if normalize_fn is None:
            return streams
        return {name: normalize_fn(frames) for name, frames in streams.items()}

    return finish


class ClipFrames(NamedTuple):
    """A training clip between the steps of `train_clip`, before the finish step.

    rgb: [T, h, w, 3]; flow_planes: [2T, h, w, 1], the T x images then the T y images; uint8
    crops after `decode_train_clip`, float32 S x S after `resize_clip`. flip: [] bool.
    """
    rgb: tf.Tensor
    flow_planes: tf.Tensor
    flip: tf.Tensor


class ClipParameters(NamedTuple):
    """What a clip's seed decides: positions [T] int32, window [4] int32 (y, x, h, w) in
    stored-frame pixels, flip [] bool."""
    positions: tf.Tensor
    window: tf.Tensor
    flip: tf.Tensor


def clip_parameters(record: dict, seed: tf.Tensor, *, num_snippets: int,
                    scales=protocol.TRAIN_SCALES, max_aspect_distortion: int = 1) -> ClipParameters:
    """Steps 1-2 of `train_clip` and its flip: one random position per segment, the TSN crop
    window, and the mirror coin, each from its own part of the clip's seed.

    The in-model path (`tan_keras.data.train_frames`) draws the same parameters from the same
    seed, so both paths read the same positions, crops and flips.
    """
    position_seed, crop_seed, flip_seed = tf.unstack(
        tf.random.experimental.stateless_split(seed, 3))
    positions = sampling.train_positions(record["num_positions"], num_snippets, position_seed)
    window = crops.train_crop_window(record["height"], record["width"], crop_seed, scales,
                                     max_aspect_distortion)
    flip = tf.random.stateless_uniform([], flip_seed) < 0.5
    return ClipParameters(positions, window, flip)


def decode_train_clip(record: dict, seed: tf.Tensor, *, num_snippets: int, flow_format: str,
                      scales=protocol.TRAIN_SCALES, max_aspect_distortion: int = 1) -> ClipFrames:
    """Steps 1-3 of `train_clip`: the random positions, crop window and flip, and the decoding.

    Returns the uint8 crops (see `ClipFrames`); h, w: the crop window's size.
    """
    positions, window, flip = clip_parameters(record, seed, num_snippets=num_snippets,
                                              scales=scales,
                                              max_aspect_distortion=max_aspect_distortion)
    rgb, flow_planes = decoding.decode_snippets(record, positions, num_snippets, flow_format,
                                                window)
    return ClipFrames(rgb, flow_planes, flip)


def resize_clip(frames: ClipFrames, image_size: int) -> ClipFrames:
    """Step 4 of `train_clip`: both streams to S x S float32 (bilinear, static shapes)."""
    num_snippets = frames.rgb.shape[0]
    rgb = frame_transforms.resize(frames.rgb, image_size)
    flow_planes = frame_transforms.resize(frames.flow_planes, image_size)
    return ClipFrames(tf.ensure_shape(rgb, [num_snippets, image_size, image_size, 3]),
                      tf.ensure_shape(flow_planes, [2 * num_snippets, image_size, image_size, 1]),
                      frames.flip)


def train_clip(record: dict, seed: tf.Tensor, *, num_snippets: int, image_size: int,
               flow_format: str, scales=protocol.TRAIN_SCALES, max_aspect_distortion: int = 1,
               finish=None):
    """One random training clip: T segment positions, one crop and one flip for the whole clip.

    Steps:
      1. positions: one uniformly random stored position per segment ([T]).
      2. crop window: TSN multi-scale corner/centre crop of the stored frame.
      3. decode only those T RGB and 2T flow images, cropped while decoding ([T, h, w, C] uint8).
      4. resize to S x S (bilinear).
      5. `finish`: mirror with probability 1/2 (flow x -> 255 - x), then flow's third channel
         from the final x and y (and, with `fused_finisher`, the normalisation).
    Steps 1-3 are `decode_train_clip`, step 4 `resize_clip`.

    Args:
      record: `parsing.parse_record`'s output.
      seed: [2] int64, the clip's stateless random seed (same seed, same clip).
      flow_format: 'jpeg' or 'png', the records' flow image format.
      finish: the last step, (rgb [T, S, S, 3], flow planes [2T, S, S, 1], flip [] bool) -> the
        streams dict; default `fused_finisher()`. `fused_finisher(normalize_fn)` also normalises.

    Returns:
      ({'rgb': [T, S, S, 3], 'flow': [T, S, S, 3]} float32 0..255 (with the default `finish`),
       label [] int32).
    """
    frames = decode_train_clip(record, seed, num_snippets=num_snippets, flow_format=flow_format,
                               scales=scales, max_aspect_distortion=max_aspect_distortion)
    return (finish or fused_finisher())(*resize_clip(frames, image_size)), record["label"]


def _test_crops(frames: tf.Tensor, windows: tf.Tensor, image_size: int) -> tf.Tensor:
    """frames: [N, H, W, C]; windows: [5, 4] squares -> [5, N, S, S, C] float32."""
    side = windows[0, 2]
    crops_ = tf.stack([frames[:, w[0]:w[0] + side, w[1]:w[1] + side] for w in tf.unstack(windows)])
    num_frames, channels = frames.shape[0], frames.shape[-1]
    resized = frame_transforms.resize(tf.reshape(crops_, [-1, side, side, channels]), image_size)
    return tf.reshape(resized, [protocol.NUM_TEST_CROPS, num_frames, image_size, image_size,
                                channels])


def eval_views(record: dict, *, num_snippets: int, image_size: int, flow_format: str,
               finish=None):
    """The 10 test views of a video: T evenly spaced positions, 5 crops, each also mirrored.

    View v in 0..4 is the crop at `protocol.LOCATIONS[v]` (top-left, top-right, bottom-left,
    bottom-right, centre), square, side `protocol.test_crop_side` of the short side, resized to
    S; view v + 5 is view v mirrored, with flow x -> 255 - x. flow_format: 'jpeg' or 'png'.
    finish: (rgb [5, T, S, S, 3], flow planes [5, 2T, S, S, 1]) -> the streams dict; default
      `fused_view_finisher()`. `fused_view_finisher(normalize_fn)` also normalises.

    Returns:
      ({'rgb': [10, T, S, S, 3], 'flow': [10, T, S, S, 3]} float32 0..255 (with the default
       `finish`), label [] int32, video_id [] string).
    """
    positions = sampling.eval_positions(record["num_positions"], num_snippets)
    rgb, flow = decoding.decode_snippets(record, positions, num_snippets, flow_format)  # whole
    windows = crops.eval_crop_windows(record["height"], record["width"])
    rgb, flow = _test_crops(rgb, windows, image_size), _test_crops(flow, windows, image_size)
    num_crops = protocol.NUM_TEST_CROPS
    rgb = tf.ensure_shape(rgb, [num_crops, num_snippets, image_size, image_size, 3])
    flow = tf.ensure_shape(flow, [num_crops, 2 * num_snippets, image_size, image_size, 1])
    return (finish or fused_view_finisher())(rgb, flow), record["label"], record["video_id"]
