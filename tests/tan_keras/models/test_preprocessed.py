"""Models on uint8 frames: the training wrapper shares and trains the float model's weights, the
test-view model equals the float model on the 10 views averaged, and a TemporalAttention
subclass with a weight of its own goes into TAN, trains and round-trips through .keras."""

import keras
import numpy as np
import pytest

from tan_keras import layers  # layers.TestViews: not imported by name, or pytest collects it
from tan_keras.models import (attention_model, build_fc_fusion, build_tan, build_two_stream,
                              compile_for_training, has_learned_fusion, training_targets)
from tan_keras.models.preprocessed import evaluation_model, training_model
from user_attention import ScaledAttention
from tests.helpers.layer_checks import check_model

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

T, H, W, S, C = 3, 30, 40, 32, 3
SMALL = dict(backbone="tiny", num_snippets=T, image_size=S, rnn_units=8, dropout=0.0)


def _frames(batch, seed=0):
    rng = np.random.default_rng(seed)
    return {"rgb": rng.integers(0, 256, (batch, T, H, W, 3), dtype=np.uint8),
            "flow": rng.integers(0, 256, (batch, T, H, W, 2), dtype=np.uint8)}


def _numpy(outputs):
    return {name: keras.ops.convert_to_numpy(value) for name, value in outputs.items()}


def test_the_training_wrapper_trains_the_float_models_weights(tmp_path):
    if keras.backend.backend() == "jax":  # tests/experiments/test_stages_on_jax.py runs it
        pytest.skip("on JAX the stages train and evaluate through this model end to end")
    core = build_tan(C, attention_units=8, **SMALL)
    frames = _frames(4)
    inputs = {"rgb": frames["rgb"], "flow_x": frames["flow"][..., 0],
              "flow_y": frames["flow"][..., 1], "crop": np.array([[0, 0, 30, 30]] * 4, np.int32),
              "flip": np.array([0, 1, 0, 1], "int32")}
    on_frames = training_model(core, "tiny", frame_height=H, frame_width=W)
    assert len(on_frames.weights) == len(core.weights)
    # The wrapped model's objective is TAN's: no loss on the fixed-average 'fused' output.
    assert not has_learned_fusion(on_frames)
    assert has_learned_fusion(training_model(build_fc_fusion(C, **SMALL), "tiny",
                                             frame_height=H, frame_width=W))
    before = [np.array(w) for w in core.get_weights()]
    # Shapes, the config and .keras round trips, and one training step on uint8 frames.
    check_model(on_frames, inputs, training_targets(np.array([0, 1, 2, 0])), tmp_path,
                expected_shapes={name: (4, C) for name in ("spatial", "temporal", "fused")},
                compile_model=lambda m: compile_for_training(m, keras.optimizers.Adam(0.01)))
    assert any(not np.allclose(b, a) for b, a in zip(before, core.get_weights()))


def test_frame_sizes_are_named_and_keep_their_orientation():
    core = build_two_stream(C, **SMALL)
    on_frames = training_model(core, "tiny", frame_height=24, frame_width=40)
    views = evaluation_model(core, "tiny", frame_height=24, frame_width=40)
    shapes = {t.name: tuple(t.shape) for t in on_frames.inputs + views.inputs}
    assert shapes["rgb"] == (None, T, 24, 40, 3) and shapes["flow_x"] == (None, T, 24, 40)
    assert shapes["flow"] == (None, T, 24, 40, 2)
    with pytest.raises(TypeError):
        training_model(core, "tiny", (24, 40))  # keyword-only: no unnamed (H, W) pair
    with pytest.raises(ValueError, match=r"Expected frame_height and frame_width both, or "
                                         r"neither.*frame_height=24, frame_width=None"):
        evaluation_model(core, "tiny", frame_height=24)


@pytest.mark.parametrize("build", [lambda: build_tan(C, attention_units=8, **SMALL),
                                   lambda: build_two_stream(C, **SMALL)])
def test_the_evaluation_model_averages_the_float_models_views(build, tmp_path):
    if keras.backend.backend() == "jax":  # tests/experiments/test_stages_on_jax.py runs it
        pytest.skip("on JAX the stages train and evaluate through this model end to end")
    core = build()
    views_model = evaluation_model(core, "tiny", frame_height=H, frame_width=W,
                                   classes=("a", "b", "c"), frame_settings={"num_snippets": T})
    frames = _frames(2, seed=1)
    # Shapes, the config and .keras round trips (a test-time model: no training step).
    got = check_model(views_model, frames, None, tmp_path)
    views = layers.TestViews(S, "tiny")(frames)
    scores = _numpy(core(views))
    for name in ("spatial", "temporal"):
        e = np.exp(scores[name] - scores[name].max(-1, keepdims=True))
        want = (e / e.sum(-1, keepdims=True)).reshape(2, 10, C).mean(axis=1)
        np.testing.assert_allclose(got[name], want, atol=1e-5)
    np.testing.assert_allclose(got["fused"], scores["fused"].reshape(2, 10, C).mean(1), atol=1e-5)
    if "alpha" in got:
        alpha = keras.ops.convert_to_numpy(attention_model(core)(views)["alpha"])
        np.testing.assert_allclose(got["alpha"], alpha.reshape(2, 10, T, T).mean(1), atol=1e-5)
    path = tmp_path / "views.keras"
    views_model.save(path)
    assert keras.saving.load_model(path).get_layer("view_averaging").classes == ["a", "b", "c"]


def test_a_temporal_attention_subclass_plugs_into_tan_trains_and_round_trips(tmp_path):
    layer = ScaledAttention(8, name="temporal_attention")
    model = build_tan(C, attention_layer=layer, **SMALL)
    assert model.get_layer("temporal_attention") is layer
    rng = np.random.default_rng(2)
    clips = {name: rng.normal(size=(4, T, S, S, 3)).astype("float32") for name in ("rgb", "flow")}
    # Shapes, the config and .keras round trips (the subclass comes back), one training step.
    check_model(model, clips, training_targets(np.array([0, 1, 2, 1])), tmp_path,
                expected_shapes={name: (4, C) for name in ("spatial", "temporal", "fused")},
                compile_model=lambda m: compile_for_training(m, keras.optimizers.Adam(0.05)))
    assert float(keras.ops.convert_to_numpy(layer.scale)) != 1.0  # its own weight trained
    alpha = keras.ops.convert_to_numpy(attention_model(model)(clips)["alpha"])
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, atol=1e-5)
    loaded = keras.saving.load_model(tmp_path / f"{model.name}.keras")  # saved by check_model
    assert isinstance(loaded.get_layer("temporal_attention"), ScaledAttention)
    with pytest.raises(ValueError, match=r"Expected `attention_layer` to be a TemporalAttention"):
        build_tan(C, attention_layer=keras.layers.Dense(3), **SMALL)
