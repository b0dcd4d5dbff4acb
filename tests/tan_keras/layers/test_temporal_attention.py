"""TemporalAttention against an independent NumPy version of equations 1-5."""

import keras
import numpy as np
import pytest
from keras import ops

from tan_keras.layers import TemporalAttention
from tests.helpers.layer_checks import check_layer

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

B, T, DS, DT, UNITS = 2, 3, 5, 4, 6


def _inputs(seed=0, batch=B, steps=T):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(batch, steps, d)).astype("float32") for d in (DS, DS, DT, DT)]


def numpy_temporal_attention(h, s, g, t, w, mask=None):
    """Equations 1-5 with explicit loops over i, j (k, l). w: dict of the layer's weights."""
    batch, steps = h.shape[:2]
    e = np.zeros((batch, steps, steps))
    f = np.zeros((batch, steps, steps))
    for b in range(batch):
        for i in range(steps):
            for j in range(steps):
                m_ij = h[b, i] @ w["w1"] + s[b, i] @ w["w2"] + g[b, j] @ w["w3"] + t[b, j] @ w["w4"]
                e[b, i, j] = w["v"] @ np.tanh(m_ij)
                n_kl = g[b, i] @ w["w5"] + t[b, i] @ w["w6"] + h[b, j] @ w["w7"] + s[b, j] @ w["w8"]
                f[b, i, j] = w["u"] @ np.tanh(n_kl)
    if mask is not None:
        e = np.where(mask[:, :, None], e, -np.inf)
        f = np.where(mask[:, :, None], f, -np.inf)
    alpha = np.exp(e - e.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    beta = np.exp(f - f.max(axis=1, keepdims=True))
    beta /= beta.sum(axis=1, keepdims=True)
    o_s = np.stack([sum(alpha[:, i, j, None] * h[:, i] for i in range(steps))
                    for j in range(steps)], axis=1)
    o_t = np.stack([sum(beta[:, k, l, None] * g[:, k] for k in range(steps))
                    for l in range(steps)], axis=1)
    return o_s, o_t, alpha, beta


def _weights(layer):
    return {w.name: keras.ops.convert_to_numpy(w) for w in layer.weights}


def test_layer_checks_with_hand_computed_uniform_case(tmp_path):
    # With zero weights every score is 0, so alpha = beta = 1/T and o_s[:, j] = mean_i h_i.
    h, s, g, t = _inputs()
    uniform_s = np.repeat(h.mean(axis=1, keepdims=True), T, axis=1)
    uniform_t = np.repeat(g.mean(axis=1, keepdims=True), T, axis=1)
    check_layer(lambda: TemporalAttention(UNITS), [h, s, g, t],
                expected_shapes=[(B, T, DS), (B, T, DT)], expected_num_weights=10,
                tmp_path=tmp_path,
                numeric_case=(lambda: TemporalAttention(UNITS, kernel_initializer="zeros"),
                              [uniform_s, uniform_t]))


def test_weights_named_after_the_paper_with_their_shapes():
    layer = TemporalAttention(UNITS)
    layer(_inputs())
    shapes = {w.name: tuple(w.shape) for w in layer.weights}
    assert shapes == {"w1": (DS, UNITS), "w2": (DS, UNITS), "w7": (DS, UNITS), "w8": (DS, UNITS),
                      "w3": (DT, UNITS), "w4": (DT, UNITS), "w5": (DT, UNITS), "w6": (DT, UNITS),
                      "v": (UNITS,), "u": (UNITS,)}


def test_matches_numpy_equations_both_directions():
    h, s, g, t = _inputs(seed=1)
    layer = TemporalAttention(UNITS)
    o_s, o_t, alpha, beta = (keras.ops.convert_to_numpy(x) for x in
                             layer([h, s, g, t], return_attention_scores=True))
    want = numpy_temporal_attention(h, s, g, t, _weights(layer))
    for got, expected in zip((o_s, o_t, alpha, beta), want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, atol=1e-6)
    # The spatial and temporal directions use different weights: alpha != beta.
    assert not np.allclose(alpha, beta, atol=1e-3)


def test_use_bias_adds_a_bias_to_the_global_states():
    h, s, g, t = _inputs(seed=2)
    layer = TemporalAttention(UNITS, use_bias=True, bias_initializer="ones")
    o_s, o_t, alpha, beta = layer([h, s, g, t], return_attention_scores=True)
    assert len(layer.weights) == 12
    weights = _weights(layer)
    # The NumPy version with the bias folded into w1 and w5 through a constant-one feature.
    ones = np.ones((B, T, 1), "float32")
    folded = dict(weights, w1=np.concatenate([weights["w1"], weights["m_bias"][None]], 0),
                  w7=np.concatenate([weights["w7"], np.zeros((1, UNITS), "float32")], 0),
                  w2=np.concatenate([weights["w2"], np.zeros((1, UNITS), "float32")], 0),
                  w8=np.concatenate([weights["w8"], np.zeros((1, UNITS), "float32")], 0),
                  w5=np.concatenate([weights["w5"], weights["n_bias"][None]], 0),
                  w3=np.concatenate([weights["w3"], np.zeros((1, UNITS), "float32")], 0),
                  w4=np.concatenate([weights["w4"], np.zeros((1, UNITS), "float32")], 0),
                  w6=np.concatenate([weights["w6"], np.zeros((1, UNITS), "float32")], 0))
    h1, s1 = np.concatenate([h, ones], -1), np.concatenate([s, ones], -1)
    g1, t1 = np.concatenate([g, ones], -1), np.concatenate([t, ones], -1)
    _, _, want_alpha, want_beta = numpy_temporal_attention(h1, s1, g1, t1, folded)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alpha), want_alpha, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(beta), want_beta, atol=1e-5)


def test_snippet_mask_gives_padded_snippets_zero_weight():
    h, s, g, t = _inputs(seed=3)
    mask = np.array([[True, True, False], [True, True, True]])
    layer = TemporalAttention(UNITS)
    o_s, o_t, alpha, beta = (keras.ops.convert_to_numpy(x) for x in
                             layer([h, s, g, t], return_attention_scores=True, mask=mask))
    np.testing.assert_array_equal(alpha[0, 2], 0.0)
    np.testing.assert_array_equal(beta[0, 2], 0.0)
    want = numpy_temporal_attention(h, s, g, t, _weights(layer), mask=mask)
    for got, expected in zip((o_s, o_t, alpha, beta), want):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    # Clip 0 with its padded snippet gives what the clip cut to 2 snippets gives.
    short = numpy_temporal_attention(h[:1, :2], s[:1, :2], g[:1, :2], t[:1, :2], _weights(layer))
    np.testing.assert_allclose(o_s[:1, :2], short[0], atol=1e-5)
    # A list of per-input masks is combined.
    listed = layer([h, s, g, t], mask=[mask, None, mask, None])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(listed[0]), o_s, atol=1e-6)


def test_mixed_bfloat16_keeps_softmax_in_float32():
    h, s, g, t = _inputs(seed=4)
    reference = TemporalAttention(UNITS)
    want = [keras.ops.convert_to_numpy(x) for x in
            reference([h, s, g, t], return_attention_scores=True)]
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        layer = TemporalAttention(UNITS)
        layer([h, s, g, t])
        layer.set_weights(reference.get_weights())
        o_s, o_t, alpha, beta = layer([h, s, g, t], return_attention_scores=True)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert layer.variables[0].dtype == "float32"
    assert keras.backend.standardize_dtype(o_s.dtype) == "bfloat16"
    assert keras.backend.standardize_dtype(alpha.dtype) == "float32"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alpha).sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alpha), want[2], atol=3e-2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ops.cast(o_s, "float32")), want[0],
                               atol=6e-2)


@pytest.mark.parametrize("units", [0, -3, 2.5, True])
def test_rejects_bad_units(units):
    with pytest.raises(ValueError, match=r"Expected `units` to be a positive integer. Received: units="):
        TemporalAttention(units)


def test_rejects_wrong_inputs():
    h, s, g, t = _inputs()
    with pytest.raises(ValueError, match=r"Expected `inputs` to be a list of 4 tensors"):
        TemporalAttention(UNITS)([h, s, g])
    with pytest.raises(ValueError, match=r"Expected h and s to have the same last dimension"):
        TemporalAttention(UNITS)([h, g, g, t])
    with pytest.raises(ValueError, match=r"same number of snippets T"):
        TemporalAttention(UNITS)([h, s, g[:, :2], t[:, :2]])


@keras.saving.register_keras_serializable(package="tan_keras_tests")
class DotProductTemporalAttention(TemporalAttention):
    """Scaled dot-product scores: e_ij = h_i . (g_j q_s) / sqrt(Ds); f_kl = g_k . (h_l q_t) / sqrt(Dt)."""

    def build(self, input_shape):
        h_shape, g_shape = self._validate_input_shapes(input_shape)
        self.q_s = self.add_weight(shape=(g_shape[-1], h_shape[-1]), name="q_s")
        self.q_t = self.add_weight(shape=(h_shape[-1], g_shape[-1]), name="q_t")

    def _calculate_scores(self, key_output, key_state, query_output, query_state, direction):
        projection = self.q_s if direction == "spatial" else self.q_t
        query = ops.matmul(query_output, projection)  # [B, Tq, Dk]
        scale = float(key_output.shape[-1]) ** -0.5
        return ops.einsum("bid,bjd->bij", key_output, query) * scale


def test_dot_product_subclass_trains_and_round_trips(tmp_path):
    h, s, g, t = _inputs(seed=5)
    outputs = check_layer(lambda: DotProductTemporalAttention(UNITS), [h, s, g, t],
                          expected_shapes=[(B, T, DS), (B, T, DT), (B, T, T), (B, T, T)],
                          expected_num_weights=2, tmp_path=tmp_path,
                          call_kwargs={"return_attention_scores": True})
    # Its numbers follow the dot-product equations (checked in NumPy).
    layer = DotProductTemporalAttention(UNITS)
    _, _, alpha, beta = layer([h, s, g, t], return_attention_scores=True)
    w = _weights(layer)
    e = np.einsum("bid,bjd->bij", h, g @ w["q_s"]) / np.sqrt(DS)
    want_alpha = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alpha), want_alpha, atol=1e-5)
    f = np.einsum("bkd,bld->bkl", g, h @ w["q_t"]) / np.sqrt(DT)
    want_beta = np.exp(f) / np.exp(f).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(beta), want_beta, atol=1e-5)
    np.testing.assert_allclose(outputs[2].sum(axis=1), 1.0, atol=1e-6)
