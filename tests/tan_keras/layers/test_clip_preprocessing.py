"""ClipPreprocessing against an independent NumPy crop-and-resize, by hand, and through .keras.

The NumPy reference here is also `test_test_views.py`'s."""

import keras
import numpy as np
import pytest

from tan_keras.backbones import preprocess_input
from tan_keras.layers import ClipPreprocessing
from tests.helpers.layer_checks import check_keras_round_trip

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

B, T, H, W, S = 3, 2, 30, 40, 16
CROPS = np.array([[0, 0, 30, 40], [3, 5, 21, 26], [9, 14, 21, 21]], np.int32)
FLIPS = np.array([False, True, True])


def _resize_axis(length: int, size: int):
    """Half-pixel bilinear sampling of one axis, written out per output index: (lower, upper, w)."""
    samples = []
    for i in range(size):
        x = (i + 0.5) * length / size - 0.5
        lower = int(np.floor(x))
        samples.append((max(lower, 0), min(int(np.ceil(x)), length - 1), x - lower))
    return samples


def reference_crop_resize(frames: np.ndarray, window, size: int) -> np.ndarray:
    """frames [T, H, W, C] -> [T, S, S, C] float64, what tf.image.resize does to the crop."""
    y, x, h, w = window
    crop = frames[:, y:y + h, x:x + w].astype(np.float64)
    out = np.empty((crop.shape[0], size, size, crop.shape[-1]))
    for i, (top, bottom, wy) in enumerate(_resize_axis(h, size)):
        for j, (left, right, wx) in enumerate(_resize_axis(w, size)):
            upper = crop[:, top, left] * (1 - wx) + crop[:, top, right] * wx
            lower = crop[:, bottom, left] * (1 - wx) + crop[:, bottom, right] * wx
            out[:, i, j] = upper * (1 - wy) + lower * wy
    return out


def reference_streams(rgb, flow, window, flip, size):
    """The float pipeline's steps in NumPy: crop + resize, flip (flow x -> 255 - x), flow image."""
    rgb = reference_crop_resize(rgb, window, size)
    flow = reference_crop_resize(flow, window, size)
    if flip:
        rgb, flow = rgb[:, :, ::-1], flow[:, :, ::-1]
        flow = np.concatenate([255.0 - flow[..., :1], flow[..., 1:]], axis=-1)
    magnitude = np.sqrt((flow[..., 0] ** 2 + flow[..., 1] ** 2) / 2)
    return rgb, np.concatenate([flow, magnitude[..., None]], axis=-1)


def _clips(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (B, T, H, W, 3), dtype=np.uint8),
            rng.integers(0, 256, (B, T, H, W, 2), dtype=np.uint8))


def _numpy(streams):
    return {name: keras.ops.convert_to_numpy(value) for name, value in streams.items()}


def test_training_clips_match_numpy_crop_resize_flip_and_flow_image():
    rgb, flow = _clips()
    out = _numpy(ClipPreprocessing(S, backbone=None)(
        {"rgb": rgb, "flow": flow, "crop": CROPS, "flip": FLIPS}))
    assert out["rgb"].shape == out["flow"].shape == (B, T, S, S, 3)
    for b in range(B):
        want_rgb, want_flow = reference_streams(rgb[b], flow[b], CROPS[b], FLIPS[b], S)
        np.testing.assert_allclose(out["rgb"][b], want_rgb, atol=2e-4)
        np.testing.assert_allclose(out["flow"][b], want_flow, atol=2e-4)


def test_flow_as_two_planes_gives_the_same_streams_and_normalisation_is_the_backbones():
    rgb, flow = _clips(1)
    common = {"rgb": rgb, "crop": CROPS, "flip": FLIPS}
    layer = ClipPreprocessing(S, backbone="resnet50")
    joined = _numpy(layer({**common, "flow": flow}))
    planes = _numpy(layer({**common, "flow_x": flow[..., 0], "flow_y": flow[..., 1]}))
    for name in ("rgb", "flow"):
        np.testing.assert_array_equal(joined[name], planes[name])
    raw = _numpy(ClipPreprocessing(S, backbone=None)({**common, "flow": flow}))
    np.testing.assert_allclose(joined["rgb"], preprocess_input("resnet50")(raw["rgb"]), atol=1e-4)


def test_a_hand_computed_case():
    # One 1x2 frame [0, 100] resized to 1x4: samples at x = -0.25, 0.25, 0.75, 1.25, clamped.
    rgb = np.zeros((1, 1, 1, 2, 3), np.uint8)
    rgb[..., 1, :] = 100
    out = ClipPreprocessing(4, backbone=None)({"rgb": rgb, "crop": np.array([[0, 0, 1, 2]]),
                                               "flip": np.array([False])})
    row = keras.ops.convert_to_numpy(out["rgb"])[0, 0, 0, :, 0]
    np.testing.assert_allclose(row, [0.0, 25.0, 75.0, 100.0], atol=1e-5)


def test_config_and_keras_round_trip(tmp_path):
    layer = ClipPreprocessing(S, backbone="googlenet", name="clips")
    clone = ClipPreprocessing.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config() and not layer.weights
    assert "views" not in layer.get_config()
    inputs = {"rgb": keras.Input((T, H, W, 3), dtype="uint8", name="rgb"),
              "flow_x": keras.Input((T, H, W), dtype="uint8", name="flow_x"),
              "flow_y": keras.Input((T, H, W), dtype="uint8", name="flow_y"),
              "crop": keras.Input((4,), dtype="int32", name="crop"),
              "flip": keras.Input((), dtype="int32", name="flip")}
    outputs = layer(inputs)
    assert {name: tuple(value.shape) for name, value in outputs.items()} == {
        "rgb": (None, T, S, S, 3), "flow": (None, T, S, S, 3)}
    model = keras.Model(inputs, outputs)
    rgb, flow = _clips(3)
    batch = {"rgb": rgb, "flow_x": flow[..., 0], "flow_y": flow[..., 1], "crop": CROPS,
             "flip": FLIPS.astype("int32")}
    loaded = check_keras_round_trip(model, batch, tmp_path / "clips.keras", atol=1e-6)
    assert type(loaded.get_layer("clips")) is ClipPreprocessing


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"Expected `image_size` to be a positive integer"):
        ClipPreprocessing(0)
    with pytest.raises(ValueError, match=r"Expected `backbone` in .* or None. Received: "
                                         r"backbone='vgg'"):
        ClipPreprocessing(S, backbone="vgg")
    with pytest.raises(ValueError, match=r"Expected inputs 'rgb', and 'flow' or 'flow_x'"):
        ClipPreprocessing(S)({"crop": CROPS, "flip": FLIPS})
    with pytest.raises(ValueError, match=r"Expected no `views`: the 10 test views are the layer "
                                         r"`tan_keras.layers.TestViews\(image_size, backbone\)`. "
                                         r"Received: views=True"):
        ClipPreprocessing(S, views=True)
