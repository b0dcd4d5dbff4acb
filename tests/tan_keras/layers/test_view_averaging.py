"""ViewAveraging: the protocol's mean of the views' softmaxes, by hand; its config carries the
class names and frame settings."""

import keras
import numpy as np
import pytest

from tan_keras.layers import ViewAveraging
from tan_keras.protocol import NUM_TEST_VIEWS

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_scores_are_averaged_over_each_videos_views():
    rng = np.random.default_rng(0)
    logits = {name: rng.normal(size=(2 * 3, 4)).astype("float32") for name in ("spatial",
                                                                               "temporal")}
    fused = _softmax(rng.normal(size=(6, 4))).astype("float32")
    alpha = rng.random((6, 5, 5)).astype("float32")
    out = ViewAveraging(num_views=3)({**logits, "fused": fused, "alpha": alpha, "beta": alpha})
    out = {name: keras.ops.convert_to_numpy(value) for name, value in out.items()}
    for name in ("spatial", "temporal"):
        want = _softmax(logits[name]).reshape(2, 3, 4).mean(axis=1)
        np.testing.assert_allclose(out[name], want, atol=1e-6)
    np.testing.assert_allclose(out["fused"], fused.reshape(2, 3, 4).mean(axis=1), atol=1e-6)
    np.testing.assert_allclose(out["alpha"], alpha.reshape(2, 3, 5, 5).mean(axis=1), atol=1e-6)


def test_config_keeps_classes_and_frame_settings():
    assert ViewAveraging().num_views == NUM_TEST_VIEWS == 10
    layer = ViewAveraging(10, classes=("a", "b"), frame_settings={"frame_size": [80, 60]})
    clone = ViewAveraging.from_config(layer.get_config())
    assert clone.classes == ["a", "b"] and clone.frame_settings == {"frame_size": [80, 60]}
    with pytest.raises(ValueError, match=r"Expected `num_views` to be a positive integer"):
        ViewAveraging(0)
