"""GatedFusion: the shared layer checks, a case computed by hand, and its input errors."""

import numpy as np
import pytest

from tan_keras.layers import GatedFusion
from tests.helpers.layer_checks import check_layer

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

GATE = np.array([[0.25, 0.75], [1.0, 0.0]], "float32")
P_SPATIAL = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
P_TEMPORAL = np.array([[1.0, 0.0], [0.5, 0.5]], "float32")


def test_layer_checks_with_a_hand_computed_mix(tmp_path):
    # Row 0: 0.25 * [0.2, 0.8] + 0.75 * [1, 0] = [0.8, 0.2]; row 1 takes the spatial row.
    fused = np.array([[0.8, 0.2], [0.6, 0.4]], "float32")
    check_layer(GatedFusion, [GATE, P_SPATIAL, P_TEMPORAL], expected_shapes=[(2, 2)],
                expected_num_weights=0, tmp_path=tmp_path, numeric_case=(GatedFusion, [fused]))


def test_a_softmax_gate_keeps_probabilities_summing_to_one():
    rng = np.random.default_rng(0)
    gate = rng.dirichlet([1.0, 1.0], 5).astype("float32")
    p_s, p_t = (rng.dirichlet(np.ones(7), 5).astype("float32") for _ in range(2))
    fused = np.asarray(GatedFusion()([gate, p_s, p_t]))
    np.testing.assert_allclose(fused, gate[:, :1] * p_s + gate[:, 1:] * p_t, atol=1e-6)
    np.testing.assert_allclose(fused.sum(-1), 1.0, atol=1e-5)


def test_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match=r"Expected inputs \[gate, p_spatial, p_temporal\]"):
        GatedFusion()([GATE, P_SPATIAL])
    with pytest.raises(ValueError, match=r"Expected gate \[B, 2\]. Received: gate.shape=\(2, 3\)"):
        GatedFusion()([np.ones((2, 3), "float32") / 3, P_SPATIAL, P_TEMPORAL])
