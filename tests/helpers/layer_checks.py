"""Our small layer-test helper, in the spirit of Keras' private `run_layer_test` (STYLE.md item 4).

`check_layer` builds a layer, then checks: output shapes, weight count, the config round-trip,
the `.keras` save/load round-trip, one training step, and (optionally) one numeric case.
Backend-agnostic: no TensorFlow import.
"""

from pathlib import Path

import keras
import numpy as np


def _flat(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _numpy(outputs):
    return [keras.ops.convert_to_numpy(x) for x in _flat(outputs)]


def _functional_model(layer, inputs, call_kwargs):
    is_list = isinstance(inputs, (list, tuple))
    arrays = list(inputs) if is_list else [inputs]
    symbolic = [keras.Input(a.shape[1:], dtype=str(a.dtype)) for a in arrays]
    outputs = layer(symbolic if is_list else symbolic[0], **call_kwargs)
    return keras.Model(symbolic, _flat(outputs))


def check_layer(make_layer, inputs, expected_shapes, expected_num_weights: int, tmp_path: Path,
                call_kwargs: dict | None = None, numeric_case=None, atol: float = 1e-5):
    """Runs the six checks and returns the layer's outputs (NumPy) on `inputs`.

    Args:
      make_layer: () -> a new, unbuilt layer.
      inputs: a NumPy array, or a list of them (with a batch axis).
      expected_shapes: list of output shapes (one per output).
      expected_num_weights: len(layer.weights) once built.
      tmp_path: a folder for the `.keras` file.
      call_kwargs: extra keyword arguments of the call.
      numeric_case: optional `(make_known_layer, expected_outputs)`: a layer with known
        weights (e.g. a constant initializer) and the outputs computed by hand for `inputs`.
    """
    call_kwargs = call_kwargs or {}
    layer = make_layer()
    outputs = _numpy(layer(inputs, **call_kwargs))

    # 1. Output shapes.
    assert [o.shape for o in outputs] == [tuple(s) for s in expected_shapes]
    # 2. Weight count.
    assert len(layer.weights) == expected_num_weights, [w.path for w in layer.weights]
    # 3. Config round-trip: same config, same outputs with the same weights.
    clone = layer.__class__.from_config(layer.get_config())
    clone(inputs, **call_kwargs)
    clone.set_weights(layer.get_weights())
    assert clone.get_config() == layer.get_config()
    for got, want in zip(_numpy(clone(inputs, **call_kwargs)), outputs):
        np.testing.assert_allclose(got, want, atol=atol)
    # 4. .keras save/load round-trip inside a functional model.
    model = _functional_model(make_layer(), inputs, call_kwargs)
    path = tmp_path / f"{layer.__class__.__name__}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    model_inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for got, want in zip(_numpy(loaded(model_inputs)), _numpy(model(model_inputs))):
        np.testing.assert_allclose(got, want, atol=atol)
    # 5. One training step changes the weights and gives a finite loss.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=["mse"] * len(outputs))
    before = [np.array(w) for w in model.get_weights()]
    rng = np.random.default_rng(0)
    targets = [rng.normal(size=o.shape).astype("float32") for o in outputs]
    loss = model.train_on_batch(model_inputs, targets)
    loss = loss[0] if isinstance(loss, (list, tuple)) else loss
    assert np.isfinite(loss)
    after = model.get_weights()
    assert any(not np.allclose(b, a) for b, a in zip(before, after)), "no weight changed"
    # 6. The hand-computed numeric case.
    if numeric_case is not None:
        make_known_layer, expected_outputs = numeric_case
        known = _numpy(make_known_layer()(inputs, **call_kwargs))
        assert len(known) == len(expected_outputs)
        for got, want in zip(known, expected_outputs):
            np.testing.assert_allclose(got, want, atol=atol)
    return outputs
