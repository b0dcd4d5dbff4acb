"""SoftAttentionLSTM: the shared layer checks with a case computed by hand, a NumPy transcription
of its equations (LSTM and GRU), the scoring hook with the paper's location softmax, and its
argument errors."""

import keras
import numpy as np
import pytest

from tan_keras.layers import SoftAttentionLSTM
from tests.helpers.layer_checks import check_layer

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

LN3 = np.log(3.0)
HALF = np.arctanh(0.5)  # tanh(HALF) = 0.5


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _assign(layer, **values):
    for name, value in values.items():
        getattr(layer, name).assign(np.asarray(value, "float32"))


# --- a case computed by hand ----------------------------------------------------------------
# One clip, T = 2 maps of 1 x 2 locations with D = 1 channel; U = 1, A = 1.
# Weights: w_x = w_h = 1, b = 0, v = 2 ln 3, so e_i = 2 ln 3 tanh(X_i + h_{t-1}).
# h_0 = tanh(0 * mean + atanh(0.5)) = 0.5 and c_0 = tanh(0) = 0.
# LSTM cell: kernel [0, 0, 1, 0] (x_t feeds only the candidate g), no recurrence, no bias, so
# i = f = o = 1/2 and g = tanh(x_t): c_t = c_{t-1} / 2 + tanh(x_t) / 2, h_t = tanh(c_t) / 2.
# Step 1: X_1 = [-h_0, atanh(0.5) - h_0] gives e = 2 ln 3 [0, 1/2] = [0, ln 3]:
#   l_1 = [1/4, 3/4]; x_1 = -h_0 / 4 + 3 (atanh(0.5) - h_0) / 4 = 3 atanh(0.5) / 4 - 1/2.
# Step 2: X_2 = [-h_1, atanh(0.5) - h_1] gives l_2 = [1/4, 3/4] again only if the score reads
# h_1 (with h_0 in its place it would not); x_2 = 3 atanh(0.5) / 4 - h_1.
H0 = 0.5
X1 = 3 * HALF / 4 - H0
C1 = np.tanh(X1) / 2
H1 = np.tanh(C1) / 2
X2 = 3 * HALF / 4 - H1
C2 = C1 / 2 + np.tanh(X2) / 2
H2 = np.tanh(C2) / 2
MAPS = np.array([[[[[-H0], [HALF - H0]]], [[[-H1], [HALF - H1]]]]], "float32")  # [1, 2, 1, 2, 1]


def _known_layer():
    layer = SoftAttentionLSTM(1, attention_units=1)
    layer.build(MAPS.shape)
    _assign(layer, w_x=[[1.0]], w_h=[[1.0]], b=[0.0], v=[2 * LN3],
            w_init_h=[[0.0]], b_init_h=[HALF], w_init_c=[[0.0]], b_init_c=[0.0])
    _assign(layer.cell, kernel=[[0.0, 0.0, 1.0, 0.0]], recurrent_kernel=[[0.0] * 4],
            bias=[0.0] * 4)
    return layer


def test_layer_checks_with_a_hand_computed_case(tmp_path):
    hidden = np.array([[[H1], [H2]]], "float32")  # [1, T, U]
    weights = np.array([[[[0.25, 0.75]], [[0.25, 0.75]]]], "float32")  # [1, T, 1, 2]
    # Cell: kernel, recurrent kernel, bias; attention: w_x, w_h, b, v; initial state: 4.
    check_layer(lambda: SoftAttentionLSTM(3, attention_units=2), MAPS,
                expected_shapes=[(1, 2, 3), (1, 2, 1, 2)], expected_num_weights=11,
                tmp_path=tmp_path, call_kwargs={"return_attention_scores": True},
                numeric_case=(_known_layer, [hidden, weights]), atol=1e-6)


# --- the equations in NumPy, on random weights ----------------------------------------------

def numpy_lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    """Keras' LSTMCell (gates i, f, c, o): (h, c) [B, U]."""
    units = h.shape[-1]
    z = x @ kernel + h @ recurrent_kernel + bias
    i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def numpy_gru_step(x, h, kernel, recurrent_kernel, bias):
    """Keras' GRUCell, reset_after=True (gates z, r, candidate): h [B, U]."""
    units = h.shape[-1]
    xs, rs = x @ kernel + bias[0], h @ recurrent_kernel + bias[1]
    part = lambda m, k: m[:, k * units:(k + 1) * units]
    z = _sigmoid(part(xs, 0) + part(rs, 0))
    r = _sigmoid(part(xs, 1) + part(rs, 1))
    candidate = np.tanh(part(xs, 2) + r * part(rs, 2))
    return z * h + (1 - z) * candidate


def numpy_soft_attention(maps, w, cell, rnn):
    """Steps 0-4 of the docstring: maps [B, T, H, W, D] -> h [B, T, U], l [B, T, H, W]."""
    batch, steps, height, width, channels = maps.shape
    flat = maps.reshape(batch, steps, height * width, channels)
    mean = flat.mean(axis=(1, 2))
    h = np.tanh(mean @ w["w_init_h"] + w["b_init_h"])
    c = np.tanh(mean @ w["w_init_c"] + w["b_init_c"]) if rnn == "lstm" else None
    outputs, weights = [], []
    for t in range(steps):
        e = np.tanh(flat[:, t] @ w["w_x"] + (h @ w["w_h"] + w["b"])[:, None]) @ w["v"]
        l = np.exp(e - e.max(-1, keepdims=True))
        l /= l.sum(-1, keepdims=True)
        x = np.einsum("bk,bkd->bd", l, flat[:, t])
        if rnn == "lstm":
            h, c = numpy_lstm_step(x, h, c, *cell)
        else:
            h = numpy_gru_step(x, h, *cell)
        outputs.append(h)
        weights.append(l.reshape(batch, height, width))
    return np.stack(outputs, 1), np.stack(weights, 1)


def _randomised(layer, rng):
    """Random values for every weight (the zero biases too), returned by name."""
    values = {}
    for variable in layer.weights:
        value = rng.normal(scale=0.7, size=variable.shape).astype("float32")
        variable.assign(value)
        values[variable.path.split("/")[-1]] = value
    return values


@pytest.mark.parametrize("rnn", ["lstm", "gru"])
def test_matches_a_numpy_transcription_of_its_equations(rnn):
    if rnn == "gru" and keras.backend.backend() == "jax":  # the LSTM case runs on JAX
        pytest.skip("the GRU case on TensorFlow only: the same keras.ops, another Keras cell")
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(2, 3, 2, 2, 3)).astype("float32")  # B, T, H, W, D
    layer = SoftAttentionLSTM(4, attention_units=5, rnn=rnn)
    layer.build(maps.shape)
    values = _randomised(layer, rng)
    cell = [values[name] for name in ("kernel", "recurrent_kernel", "bias")]
    hidden, weights = (keras.ops.convert_to_numpy(v) for v in
                       layer(maps, return_attention_scores=True))
    want_hidden, want_weights = numpy_soft_attention(maps, values, cell, rnn)
    np.testing.assert_allclose(weights, want_weights, atol=1e-5)
    np.testing.assert_allclose(hidden, want_hidden, atol=1e-5)
    np.testing.assert_allclose(weights.sum(axis=(2, 3)), 1.0, atol=1e-6)
    # The weights change from step to step: they follow h_{t-1}, not only the maps.
    assert not np.allclose(weights[:, 0], weights[:, 1], atol=1e-3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(maps)), hidden, atol=1e-6)


# --- the hook -------------------------------------------------------------------------------

class LocationSoftmaxLSTM(SoftAttentionLSTM):
    """The form the paper prints: l_{t,i} = softmax over i of W_i . h_{t-1}."""

    def _build_scores(self, input_shape):
        self.w_loc = self.add_weight(shape=(self.units, input_shape[2] * input_shape[3]),
                                     name="w_loc", initializer="glorot_uniform")

    def _calculate_scores(self, maps, hidden):
        return keras.ops.matmul(hidden, self.w_loc)


def test_a_subclass_replaces_the_scores_only():
    rng = np.random.default_rng(1)
    maps = rng.normal(size=(2, 2, 1, 3, 2)).astype("float32")
    layer = LocationSoftmaxLSTM(4, attention_units=1)
    hidden, weights = (keras.ops.convert_to_numpy(v) for v in
                       layer(maps, return_attention_scores=True))
    names = [w.path.split("/")[-1] for w in layer.weights]
    assert "w_loc" in names and not {"w_x", "w_h", "v"} & set(names), names
    value = lambda name: keras.ops.convert_to_numpy(getattr(layer, name))
    h_0 = np.tanh(maps.mean(axis=(1, 2, 3)) @ value("w_init_h") + value("b_init_h"))
    e = h_0 @ value("w_loc")
    np.testing.assert_allclose(weights[:, 0, 0], np.exp(e) / np.exp(e).sum(-1, keepdims=True),
                               atol=1e-5)
    assert hidden.shape == (2, 2, 4)


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("units", [0, 2.0, True])
def test_rejects_bad_sizes(units):
    with pytest.raises(ValueError, match=r"Expected `units` to be a positive integer. "
                                         r"Received: units="):
        SoftAttentionLSTM(units, attention_units=2)
    with pytest.raises(ValueError, match=r"Expected `attention_units` to be a positive integer"):
        SoftAttentionLSTM(2, attention_units=units)


def test_rejects_a_bad_rnn_and_inputs_without_t_h_w():
    with pytest.raises(ValueError, match=r"Expected `rnn` in \('lstm', 'gru'\). "
                                         r"Received: rnn='rnn'"):
        SoftAttentionLSTM(2, attention_units=2, rnn="rnn")
    with pytest.raises(ValueError, match=r"Expected inputs \[B, T, H, W, D\] with T, H, W and D "
                                         r"known. Received: input_shape=\(None, None, 2, 2, 3\)"):
        SoftAttentionLSTM(2, attention_units=2)(keras.Input((None, 2, 2, 3)))
