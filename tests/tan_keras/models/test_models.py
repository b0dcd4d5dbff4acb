"""TAN and the baselines: the shared model checks (shapes, config and .keras round trips, a
training step) for every model, cross-branch paths, fitting, the registry and helpers."""

import keras
import numpy as np
import pytest

from tan_keras.models import (attention_model, available_models, build_model, build_tan,
                              compile_for_training, copy_weights_except_classifiers,
                              stream_backbones, training_targets)
from tests.helpers.layer_checks import check_model

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

T, S, C = 3, 32, 2
SMALL = dict(backbone="tiny", num_snippets=T, image_size=S, rnn_units=8, attention_units=8,
             dropout=0.0)


def _clips(seed, batch=4):
    rng = np.random.default_rng(seed)
    return {stream: rng.normal(size=(batch, T, S, S, 3)).astype("float32")
            for stream in ("rgb", "flow")}


def _numpy(outputs):
    return {k: keras.ops.convert_to_numpy(v) for k, v in outputs.items()}


@pytest.fixture(scope="module")
def tan():
    return build_tan(C, **SMALL)


def test_tan_inputs_outputs_and_fusion(tan):
    clips = _clips(0)
    out = _numpy(tan(clips))
    assert sorted(tan.input) == ["flow", "rgb"]
    assert {k: v.shape for k, v in out.items()} == {"spatial": (4, C), "temporal": (4, C),
                                                   "fused": (4, C)}

    def softmax(z):
        return np.exp(z) / np.exp(z).sum(-1, keepdims=True)

    np.testing.assert_allclose(out["fused"], (softmax(out["spatial"]) + softmax(out["temporal"])) / 2,
                               atol=1e-6)


def test_spatial_scores_see_flow_only_through_alpha(tan):
    rgb = _clips(1)["rgb"]
    flow_a, flow_b = _clips(2)["flow"], _clips(3)["flow"]
    h_model = keras.Model(tan.input, tan.get_layer("spatial_rnn").output[0])  # h [B, T, U]
    alphas = attention_model(tan)
    kernel, bias = tan.get_layer("spatial_classifier").get_weights()
    logits, weights = [], []
    for flow in (flow_a, flow_b):
        clips = {"rgb": rgb, "flow": flow}
        h = keras.ops.convert_to_numpy(h_model(clips))
        alpha = keras.ops.convert_to_numpy(alphas(clips)["alpha"])
        spatial = _numpy(tan(clips))["spatial"]
        # The spatial logits are a function of h (flow-free) and alpha[:, :, T] only.
        o_s_last = np.einsum("bi,bid->bd", alpha[:, :, -1], h)
        np.testing.assert_allclose(spatial, o_s_last @ kernel + bias, atol=1e-5)
        logits.append(spatial)
        weights.append((h, alpha))
    (h_a, alpha_a), (h_b, alpha_b) = weights
    np.testing.assert_allclose(h_a, h_b, atol=1e-6)  # the spatial branch itself ignores flow
    assert not np.allclose(alpha_a[:, :, -1], alpha_b[:, :, -1], atol=1e-5)
    assert not np.allclose(logits[0], logits[1], atol=1e-5)


def test_two_stream_spatial_scores_ignore_flow():
    model = build_model("two_stream", C, drop_unused=True, **SMALL)
    rgb = _clips(4)["rgb"]
    out_a = _numpy(model({"rgb": rgb, "flow": _clips(5)["flow"]}))
    out_b = _numpy(model({"rgb": rgb, "flow": _clips(6)["flow"]}))
    np.testing.assert_array_equal(out_a["spatial"], out_b["spatial"])
    assert not np.allclose(out_a["temporal"], out_b["temporal"], atol=1e-5)


def test_attention_model_gives_alpha_and_beta_normalised_over_the_first_axis(tan):
    out = _numpy(attention_model(tan)(_clips(7)))
    assert out["alpha"].shape == out["beta"].shape == (4, T, T)
    np.testing.assert_allclose(out["alpha"].sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(out["beta"].sum(axis=1), 1.0, atol=1e-5)


def test_tan_fits_a_tiny_separable_problem():
    if keras.backend.backend() == "jax":  # tests/experiments/test_stages_on_jax.py trains on JAX
        pytest.skip("training on JAX is tested end to end by the stages on JAX")
    # Class 0: bright RGB, flow +1; class 1: dark RGB, flow -1 (plus noise).
    rng = np.random.default_rng(8)
    labels = np.array([0, 1] * 4)
    sign = np.where(labels == 0, 1.0, -1.0)[:, None, None, None, None]
    noise = lambda: 0.3 * rng.normal(size=(8, T, S, S, 3))
    clips = {"rgb": (sign + noise()).astype("float32"), "flow": (sign + noise()).astype("float32")}
    keras.utils.set_random_seed(0)
    model = compile_for_training(build_tan(C, **SMALL), keras.optimizers.Adam(1e-2))
    targets = training_targets(labels)
    first = model.train_on_batch(clips, targets, return_dict=True)
    for _ in range(25):
        logs = model.train_on_batch(clips, targets, return_dict=True)
    assert logs["loss"] < 0.25 * first["loss"], (first, logs)
    # Batch statistics (training=True): 25 steps are too few for batch norm's moving averages.
    predicted = _numpy(model(clips, training=True))
    for output in ("spatial", "temporal", "fused"):
        np.testing.assert_array_equal(predicted[output].argmax(-1), labels)


def test_tan_loss_is_the_sum_of_the_branch_losses():
    model = compile_for_training(build_tan(C, **SMALL), "sgd")
    logs = model.test_on_batch(_clips(9), training_targets(np.array([0, 1, 1, 0])),
                               return_dict=True)
    assert "fused_loss" not in logs
    np.testing.assert_allclose(logs["loss"], logs["spatial_loss"] + logs["temporal_loss"],
                               rtol=1e-5)


@pytest.mark.parametrize("name", available_models())
def test_model_checks(name, tmp_path):
    # Shapes, the config and .keras round trips, one training step on the paper's objective.
    # On JAX (tests/test_jax_backend.py) for TAN only: every other model is built from layers
    # that tests/tan_keras/layers checks on JAX, and each model's compile costs the rerun ~4-20 s.
    if keras.backend.backend() == "jax" and name != "tan":
        pytest.skip("on JAX the model checks run for TAN; the layers are each checked on JAX")
    model = build_model(name, C, drop_unused=True, **SMALL)
    labels = np.array([0, 1, 1, 0])
    outputs = check_model(model, _clips(11), training_targets(labels), tmp_path,
                          expected_shapes={"spatial": (4, C), "temporal": (4, C), "fused": (4, C)},
                          compile_model=lambda m: compile_for_training(m, "sgd"), atol=1e-6)
    np.testing.assert_allclose(outputs["fused"].sum(-1), 1.0, atol=1e-5)
    logs = model.test_on_batch(_clips(11), training_targets(labels), return_dict=True)
    learned_fusion = name in ("fc_fusion", "branch_selection", "bs_l2")
    assert ("fused_loss" in logs) == learned_fusion


def test_bs_l2_adds_the_gate_penalty():
    clips, targets = _clips(12), training_targets(np.array([0, 1, 1, 0]))
    logs = {}
    for gate_l2 in (0.0, 10.0):
        keras.utils.set_random_seed(1)
        model = compile_for_training(build_model("bs_l2", C, gate_l2=gate_l2,
                                                         drop_unused=True, **SMALL), "sgd")
        logs[gate_l2] = model.test_on_batch(clips, targets, return_dict=True)
    branch_losses = lambda l: l["spatial_loss"] + l["temporal_loss"] + l["fused_loss"]
    assert branch_losses(logs[0.0]) == pytest.approx(branch_losses(logs[10.0]), rel=1e-5)
    penalty = logs[10.0]["loss"] - logs[0.0]["loss"]
    # ||gate||^2 of a 2-way softmax lies in [1/2, 1]; the penalty is 10 times its batch mean
    # (Keras divides the activity regulariser's sum by the batch size).
    assert 10.0 * 0.5 - 1e-3 <= penalty <= 10.0 * 1.0 + 1e-3


def test_stream_backbones_and_transfer_to_new_classes(tan):
    backbones = stream_backbones(tan)
    assert backbones["rgb"].name == "rgb_backbone" and backbones["flow"].name == "flow_backbone"
    target = build_tan(5, **SMALL)
    copied = copy_weights_except_classifiers(tan, target)
    assert {"rgb_backbone", "flow_backbone", "spatial_rnn", "temporal_rnn",
            "temporal_attention"} <= set(copied)
    assert "spatial_classifier" not in copied
    for got, want in zip(stream_backbones(target)["flow"].get_weights(),
                         backbones["flow"].get_weights()):
        np.testing.assert_array_equal(got, want)
    assert target.get_layer("spatial_classifier").get_weights()[0].shape[-1] == 5


def test_registry_and_argument_errors():
    with pytest.raises(ValueError, match=r"Expected model name in \[.*'tan'.*\]. Received: name='tsn'"):
        build_model("tsn", C)
    with pytest.raises(ValueError, match=r"Expected model arguments among .* Received: \['units'\]"):
        build_model("tan", C, units=3)
    with pytest.raises(ValueError, match=r"Expected arguments of model 'two_stream' among .* "
                                         r"Received: \['attention_units'\], which only other "
                                         r"models take \(pass drop_unused=True"):
        build_model("two_stream", C, **SMALL)
    with pytest.raises(ValueError, match=r"Expected `num_classes` to be a positive integer"):
        build_tan(0, **SMALL)
    with pytest.raises(ValueError, match=r"Expected a TAN model with one TemporalAttention layer \(such as "
                                         r"'temporal_attention'\)\. Received: model='two_stream' with 0"):
        attention_model(build_model("two_stream", C, drop_unused=True, **SMALL))


def test_the_model_owns_its_configuration(tan):
    # get_config is the builder's call: the sizes, not the layer graph; from_config rebuilds it.
    config = tan.get_config()
    assert config == {"model": "tan", "num_classes": C, **SMALL, "rnn": "lstm",
                      "attention_layer": None, "name": "tan", "trainable": True}
    clone = tan.__class__.from_config(config)
    assert [w.shape for w in clone.weights] == [w.shape for w in tan.weights]
    two_stream = build_model("two_stream", 7, drop_unused=True, **SMALL)
    assert two_stream.architecture["num_classes"] == 7
    assert "attention_units" not in two_stream.architecture
