"""build_soft_attention: each branch's logits are the mean over the T steps of its classifier on
h_t (checked in NumPy from the attention LSTM's h), the streams share nothing, and the attention
weights are an output of the layer's node. The shared model checks (shapes, config and .keras
round trips, a training step) run for it in test_models.py, on TensorFlow and JAX."""

import keras
import numpy as np

from tan_keras.models import build_model, has_learned_fusion

T, S, C, B = 3, 32, 2, 2
SMALL = dict(backbone="tiny", num_snippets=T, image_size=S, rnn_units=8, attention_units=4,
             dropout=0.0)


def _clips(seed):
    rng = np.random.default_rng(seed)
    return {stream: rng.normal(size=(B, T, S, S, 3)).astype("float32")
            for stream in ("rgb", "flow")}


def _softmax(z):
    return np.exp(z) / np.exp(z).sum(-1, keepdims=True)


def test_logits_are_the_step_mean_of_the_classifier_and_streams_share_nothing():
    model = build_model("soft_attention", C, **SMALL)
    assert not has_learned_fusion(model)  # the fixed average: no loss on 'fused'
    layer = model.get_layer("spatial_soft_attention")
    inner = keras.Model(model.input, {"h": layer.output[0], "l": layer.output[1]})
    kernel, bias = model.get_layer("spatial_classifier").get_weights()
    rgb = _clips(0)["rgb"]
    outputs = []
    for seed in (1, 2):
        clips = {"rgb": rgb, "flow": _clips(seed)["flow"]}
        out = {k: keras.ops.convert_to_numpy(v) for k, v in model(clips).items()}
        found = {k: keras.ops.convert_to_numpy(v) for k, v in inner(clips).items()}
        assert found["h"].shape == (B, T, 8) and found["l"].shape == (B, T, 2, 2)
        np.testing.assert_allclose(found["l"].sum(axis=(2, 3)), 1.0, atol=1e-6)
        np.testing.assert_allclose(out["spatial"], (found["h"] @ kernel + bias).mean(axis=1),
                                   atol=1e-5)
        np.testing.assert_allclose(
            out["fused"], (_softmax(out["spatial"]) + _softmax(out["temporal"])) / 2, atol=1e-6)
        outputs.append(out)
    np.testing.assert_array_equal(outputs[0]["spatial"], outputs[1]["spatial"])
    assert not np.allclose(outputs[0]["temporal"], outputs[1]["temporal"], atol=1e-5)
    assert model.architecture == {"model": "soft_attention", "num_classes": C, **SMALL,
                                  "rnn": "lstm"}
