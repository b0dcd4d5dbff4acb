"""The one layer- and model-test helper, in the spirit of Keras' private `run_layer_test`.

`check_layer` builds a layer, then checks: output shapes, weight count, the config round-trip,
the `.keras` save/load round-trip, one training step, and (optionally) one numeric case.
`check_model` does the same for a whole model: output shapes, the config and `.keras`
round-trips, and one training step that changes the weights. Both save through
`check_keras_round_trip`, which the tests of weightless layers with dict inputs call directly.
Backend-agnostic: no TensorFlow import.
"""

import copy
import warnings
from pathlib import Path

import keras
import numpy as np


def _flat(outputs):
    if isinstance(outputs, dict):
        return [outputs[name] for name in sorted(outputs)]
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _numpy(outputs):
    return [keras.ops.convert_to_numpy(x) for x in _flat(outputs)]


def _functional_model(layer, inputs, call_kwargs):
    is_list = isinstance(inputs, (list, tuple))
    arrays = list(inputs) if is_list else [inputs]
    symbolic = [keras.Input(a.shape[1:], dtype=str(a.dtype)) for a in arrays]
    outputs = layer(symbolic if is_list else symbolic[0], **call_kwargs)
    return keras.Model(symbolic, _flat(outputs))


def _assert_all_close(got, want, atol, what):
    assert len(got) == len(want), what
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, atol=atol, err_msg=what)


def _assert_one_training_step(model, inputs, targets):
    """One train_on_batch: a finite loss, and (when the model has trainable weights) at least
    one weight changed."""
    before = [np.array(w) for w in model.get_weights()]
    with warnings.catch_warnings():  # expected for a layer without weights
        warnings.filterwarnings("ignore", "The model does not have any trainable weights")
        loss = model.train_on_batch(inputs, targets)
    loss = loss[0] if isinstance(loss, (list, tuple)) else loss
    assert np.isfinite(loss), f"training loss is {loss}"
    if model.trainable_weights:
        after = model.get_weights()
        assert any(not np.allclose(b, a) for b, a in zip(before, after)), "no weight changed"


def check_keras_round_trip(model: keras.Model, inputs, path: Path, atol: float = 1e-5):
    """Saves `model` to the `.keras` file `path`, loads it, and checks that the loaded model gives
    the model's outputs on `inputs` (an array, a list or a dict of arrays, with a batch axis);
    returns the loaded model for further checks (e.g. the class of a layer)."""
    model.save(path)
    loaded = keras.saving.load_model(path)
    _assert_all_close(_numpy(loaded(inputs)), _numpy(model(inputs)), atol, ".keras round-trip")
    return loaded


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

    A layer without weights still takes the training step inside a model (the loss must be
    finite: the layer is differentiable on the backend), without the check that a weight moved.
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
    _assert_all_close(_numpy(clone(inputs, **call_kwargs)), outputs, atol, "config round-trip")
    # 4. .keras save/load round-trip inside a functional model.
    model = _functional_model(make_layer(), inputs, call_kwargs)
    model_inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    check_keras_round_trip(model, model_inputs, tmp_path / f"{layer.__class__.__name__}.keras",
                           atol)
    # 5. One training step changes the weights and gives a finite loss.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=["mse"] * len(outputs))
    rng = np.random.default_rng(0)
    targets = [rng.normal(size=o.shape).astype("float32") for o in outputs]
    _assert_one_training_step(model, model_inputs, targets)
    # 6. The hand-computed numeric case.
    if numeric_case is not None:
        make_known_layer, expected_outputs = numeric_case
        known = _numpy(make_known_layer()(inputs, **call_kwargs))
        _assert_all_close(known, expected_outputs, atol, "numeric case")
    return outputs


def check_model(model: keras.Model, inputs, targets, tmp_path: Path, expected_shapes=None,
                compile_model=None, keras_file: bool = True, atol: float = 1e-5):
    """Checks a built model and returns its outputs (NumPy; a dict for a model with named
    outputs).

    1. Output shapes (`expected_shapes`: a dict {output name: shape}, or a list).
    2. Config round-trip: `from_config(get_config())` gives the same config and, with the same
       weights, the same outputs.
    3. `.keras` round-trip (when `keras_file`): the loaded model gives the same outputs (the
       file stays at `tmp_path / f"{model.name}.keras"` for further checks).
    4. One training step (compiled by `compile_model(model)`, by default SGD and MSE on every
       output): a finite loss and at least one weight changed. Skipped when `targets` is None,
       for a model that is not trained (such as the test-view model).

    Args:
      model: a built functional model; it is compiled and trained one step by the check.
      inputs: what the model takes (an array, a list or a dict of arrays, with a batch axis).
      targets: what `train_on_batch` takes for this model's loss, or None (see 4).
      tmp_path: a folder for the `.keras` file.
      expected_shapes: optional, see 1.
      compile_model: (model) -> None; compiles the model for the training step.
      keras_file: False for a model that does not save to `.keras`.
    """
    outputs = model(inputs)
    got = _numpy(outputs)
    # 1. Output shapes.
    if expected_shapes is not None:
        if isinstance(expected_shapes, dict):
            assert isinstance(outputs, dict), f"expected dict outputs, got {type(outputs)}"
            assert {k: tuple(v.shape) for k, v in outputs.items()} == {
                k: tuple(v) for k, v in expected_shapes.items()}
        else:
            assert [o.shape for o in got] == [tuple(s) for s in expected_shapes]
    # 2. Config round-trip.
    config = model.get_config()
    clone = model.__class__.from_config(copy.deepcopy(config))  # from_config may consume it
    clone.set_weights(model.get_weights())
    assert clone.get_config() == config
    _assert_all_close(_numpy(clone(inputs)), got, atol, "config round-trip")
    # 3. .keras round-trip.
    if keras_file:
        check_keras_round_trip(model, inputs, tmp_path / f"{model.name}.keras", atol)
    # 4. One training step.
    if targets is not None:
        if compile_model is None:
            model.compile(optimizer=keras.optimizers.SGD(0.1), loss=["mse"] * len(got))
        else:
            compile_model(model)
        _assert_one_training_step(model, inputs, targets)
    if isinstance(outputs, dict):
        return dict(zip(sorted(outputs), got))
    return got
