"""RecurrentWithStates against keras.layers.LSTM / GRU and a NumPy LSTM recurrence."""

import keras
import numpy as np
import pytest

from tan_keras.layers import RecurrentWithStates
from tests.helpers.layer_checks import check_layer

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

B, T, D, U = 2, 4, 3, 5


def _sequence(seed=0):
    return np.random.default_rng(seed).normal(size=(B, T, D)).astype("float32")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_lstm(x, kernel, recurrent_kernel, bias):
    """Outputs h and cell states c [B, T, U] of an LSTM (gates in Keras order i, f, c, o)."""
    units = recurrent_kernel.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    outputs, cells = [], []
    for step in range(x.shape[1]):
        z = x[:, step] @ kernel + h @ recurrent_kernel + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outputs.append(h)
        cells.append(c)
    return np.stack(outputs, axis=1), np.stack(cells, axis=1)


def test_layer_checks(tmp_path):
    x = _sequence()
    check_layer(lambda: RecurrentWithStates(U), x, expected_shapes=[(B, T, U), (B, T, U)],
                expected_num_weights=3, tmp_path=tmp_path)


def test_lstm_outputs_equal_keras_lstm_and_cell_states_equal_numpy():
    x = _sequence(seed=1)
    layer = RecurrentWithStates(U, rnn="lstm")
    h, s = (keras.ops.convert_to_numpy(v) for v in layer(x))
    reference = keras.layers.LSTM(U, return_sequences=True)
    reference.build(x.shape)
    reference.set_weights(layer.get_weights())
    np.testing.assert_allclose(h, keras.ops.convert_to_numpy(reference(x)), atol=1e-5)
    kernel, recurrent_kernel, bias = layer.get_weights()
    want_h, want_c = numpy_lstm(x, kernel, recurrent_kernel, bias)
    np.testing.assert_allclose(h, want_h, atol=1e-5)
    np.testing.assert_allclose(s, want_c, atol=1e-5)
    assert not np.allclose(h, s, atol=1e-3)  # s is the cell state, not the output


def test_gru_state_is_its_output_and_matches_keras_gru():
    x = _sequence(seed=2)
    layer = RecurrentWithStates(U, rnn="gru")
    h, s = (keras.ops.convert_to_numpy(v) for v in layer(x))
    np.testing.assert_array_equal(h, s)
    reference = keras.layers.GRU(U, return_sequences=True)
    reference.build(x.shape)
    reference.set_weights(layer.get_weights())
    np.testing.assert_allclose(h, keras.ops.convert_to_numpy(reference(x)), atol=1e-5)


def test_unrolled_equals_looped():
    x = _sequence(seed=3)
    looped = RecurrentWithStates(U)
    want = [keras.ops.convert_to_numpy(v) for v in looped(x)]
    unrolled = RecurrentWithStates(U, unroll=True)
    unrolled(x)
    unrolled.set_weights(looped.get_weights())
    for got, expected in zip(unrolled(x), want):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got), expected, atol=1e-6)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"Expected `rnn` in \('lstm', 'gru'\). Received: rnn='rnn'"):
        RecurrentWithStates(U, rnn="rnn")
    with pytest.raises(ValueError, match=r"Expected `units` to be a positive integer. Received: units=0"):
        RecurrentWithStates(0)
    with pytest.raises(ValueError, match=r"Expected inputs \[B, T, D\]"):
        RecurrentWithStates(U)(np.zeros((B, D), "float32"))
