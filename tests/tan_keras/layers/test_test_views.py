"""TestViews against the NumPy crop-and-resize; its config and .keras round trips; models saved
with the former `ClipPreprocessing(views=True)` still load, as TestViews."""

import json
import zipfile

import keras
import numpy as np
import pytest

from tan_keras.layers import ClipPreprocessing, TestViews
from tests.helpers.layer_checks import check_keras_round_trip
from tests.tan_keras.layers.test_clip_preprocessing import B, H, S, T, W, _clips, reference_streams

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py


def _numpy(streams):
    return {name: keras.ops.convert_to_numpy(value) for name, value in streams.items()}


def _frame_inputs():
    return {"rgb": keras.Input((T, H, W, 3), dtype="uint8", name="rgb"),
            "flow": keras.Input((T, H, W, 2), dtype="uint8", name="flow")}


def test_the_ten_views_are_the_corner_and_centre_crops_then_their_mirrors():
    rgb, flow = _clips(2)
    out = _numpy(TestViews(S, backbone=None)({"rgb": rgb, "flow": flow}))
    assert out["rgb"].shape == out["flow"].shape == (B * 10, T, S, S, 3)
    # 30 x 40 frames: side floor(0.875 * 30) = 26; bottom 30 - 26 = 4, right 40 - 26 = 14.
    windows = [(0, 0), (0, 14), (4, 0), (4, 14), (2, 7)]
    for b in range(B):
        for v in range(10):
            y, x = windows[v % 5]
            want_rgb, want_flow = reference_streams(rgb[b], flow[b], (y, x, 26, 26), v >= 5, S)
            np.testing.assert_allclose(out["rgb"][10 * b + v], want_rgb, atol=2e-4)
            np.testing.assert_allclose(out["flow"][10 * b + v], want_flow, atol=2e-4)


def test_flow_planes_and_a_single_stream_give_the_same_views():
    rgb, flow = _clips(4)
    layer = TestViews(S, backbone="googlenet")
    joined = _numpy(layer({"rgb": rgb, "flow": flow}))
    planes = _numpy(layer({"rgb": rgb, "flow_x": flow[..., 0], "flow_y": flow[..., 1]}))
    alone = _numpy(layer({"flow": flow}))
    assert sorted(alone) == ["flow"]
    for name in ("rgb", "flow"):
        np.testing.assert_array_equal(joined[name], planes[name])
    np.testing.assert_allclose(alone["flow"], joined["flow"], atol=1e-6)


def test_output_shapes_config_and_keras_round_trip(tmp_path):
    layer = TestViews(S, backbone="googlenet", name="test_views")
    clone = TestViews.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config() and not layer.weights
    assert layer.compute_output_shape({"rgb": (4, T, H, W, 3), "flow_x": (4, T, H, W),
                                       "flow_y": (4, T, H, W)}) == {
        "rgb": (40, T, S, S, 3), "flow": (40, T, S, S, 3)}
    inputs = _frame_inputs()
    outputs = layer(inputs)
    assert {name: tuple(value.shape) for name, value in outputs.items()} == {
        "rgb": (None, T, S, S, 3), "flow": (None, T, S, S, 3)}
    model = keras.Model(inputs, outputs)
    rgb, flow = _clips(3)
    loaded = check_keras_round_trip(model, {"rgb": rgb, "flow": flow}, tmp_path / "views.keras",
                                    atol=1e-6)
    assert type(loaded.get_layer("test_views")) is TestViews


def _as_former_clip_preprocessing(path, layer_name):
    """Rewrites a .keras file's TestViews layer as the former ClipPreprocessing(views=True) wrote
    it: same module path and registered name as ClipPreprocessing, and 'views': True."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(files["config.json"])
    [layer] = [entry for entry in config["config"]["layers"] if entry["name"] == layer_name]
    layer.update(module="tan_keras.layers.clip_preprocessing", class_name="ClipPreprocessing",
                 registered_name="tan_keras>ClipPreprocessing")
    layer["config"]["views"] = True
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def test_a_model_saved_with_clip_preprocessing_views_true_loads_as_test_views(tmp_path):
    old_config = {**TestViews(S, backbone=None, name="old").get_config(), "views": True}
    restored = ClipPreprocessing.from_config(old_config)
    assert type(restored) is TestViews and restored.name == "old"
    assert "views" not in restored.get_config()
    training = ClipPreprocessing.from_config({**old_config, "views": False})
    assert type(training) is ClipPreprocessing

    inputs = _frame_inputs()
    model = keras.Model(inputs, TestViews(S, backbone=None, name="test_views")(inputs))
    path = tmp_path / "former.keras"
    model.save(path)
    _as_former_clip_preprocessing(path, "test_views")
    loaded = keras.saving.load_model(path)
    assert type(loaded.get_layer("test_views")) is TestViews
    rgb, flow = _clips(5)
    got = _numpy(loaded({"rgb": rgb, "flow": flow}))
    want = _numpy(model({"rgb": rgb, "flow": flow}))
    for name in ("rgb", "flow"):
        np.testing.assert_array_equal(got[name], want[name])


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"Expected `image_size` to be a positive integer"):
        TestViews(0)
    with pytest.raises(ValueError, match=r"Expected inputs 'rgb', and 'flow' or 'flow_x'"):
        TestViews(S)({"flow_x": np.zeros((1, T, H, W), np.uint8)})
