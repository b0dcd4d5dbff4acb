"""SpatialAttentionPooling: the shared layer checks, a case computed by hand, a NumPy
transcription of its four steps, and its input errors."""

import keras
import numpy as np
import pytest

from tan_keras.layers import SpatialAttentionPooling
from tests.helpers.layer_checks import check_layer

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

# Two clips, a 1 x 2 map of 2 channels (x) and a 1-channel guide (c).
X = np.array([[[[4.0, 8.0], [0.0, 4.0]]],
              [[[2.0, 0.0], [4.0, 2.0]]]], "float32")  # [B=2, H=1, W=2, C=2]
C = np.array([[[[0.0], [np.arctanh(0.5)]]],
              [[[0.0], [0.0]]]], "float32")  # [B, 1, 2, 1]: tanh(c) = [0, 0.5] and [0, 0]


def _known_layer():
    """w_x = 0, w_c = 1, v = 2 ln 3: e_k = 2 ln 3 * tanh(c_k)."""
    layer = SpatialAttentionPooling(1)
    layer.build([X.shape, C.shape])
    layer.set_weights([np.zeros((2, 1)), np.ones((1, 1)), np.array([2 * np.log(3.0)])])
    return layer


def test_layer_checks_with_a_hand_computed_case(tmp_path):
    # Clip 0: e = [0, ln 3], so gamma = [1/4, 3/4] and pooled = [4, 8]/4 + 3 [0, 4]/4 = [1, 5].
    # Clip 1: e = [0, 0], so gamma = [1/2, 1/2] and pooled = the mean, [3, 1].
    pooled = np.array([[1.0, 5.0], [3.0, 1.0]], "float32")
    gamma = np.array([[[0.25, 0.75]], [[0.5, 0.5]]], "float32")
    check_layer(lambda: SpatialAttentionPooling(4), [X, C], expected_shapes=[(2, 2), (2, 1, 2)],
                expected_num_weights=3, tmp_path=tmp_path,
                call_kwargs={"return_attention_scores": True},
                numeric_case=(_known_layer, [pooled, gamma]))


def test_matches_a_numpy_transcription_of_the_four_steps():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4, 5)).astype("float32")
    c = rng.normal(size=(2, 3, 4, 6)).astype("float32")
    layer = SpatialAttentionPooling(7)
    pooled, gamma = (keras.ops.convert_to_numpy(v) for v in
                     layer([x, c], return_attention_scores=True))
    w_x, w_c, v = layer.get_weights()
    e = np.tanh(x @ w_x + c @ w_c) @ v  # [B, H, W]
    want_gamma = np.exp(e) / np.exp(e).sum(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(gamma, want_gamma, atol=1e-5)
    np.testing.assert_allclose(pooled, np.einsum("bhw,bhwc->bc", want_gamma, x), atol=1e-5)
    no_scores = keras.ops.convert_to_numpy(layer([x, c]))
    np.testing.assert_allclose(no_scores, pooled, atol=1e-6)


@pytest.mark.parametrize("units", [0, -1, 2.0, True])
def test_rejects_bad_units(units):
    with pytest.raises(ValueError, match=r"Expected `units` to be a positive integer. "
                                         r"Received: units="):
        SpatialAttentionPooling(units)


def test_rejects_wrong_inputs():
    with pytest.raises(ValueError, match=r"Expected inputs \[x, c\], each \[B, H, W, C\]"):
        SpatialAttentionPooling(2)([X])
    with pytest.raises(ValueError, match=r"Expected x and c to have the same H x W. "
                                         r"Received: x.shape=\(2, 1, 2, 2\), c.shape=\(2, 1, 1, 1\)"):
        SpatialAttentionPooling(2)([X, C[:, :, :1]])
