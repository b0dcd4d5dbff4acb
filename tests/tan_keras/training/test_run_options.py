"""RunOptions' eager train step: what Model.compile gets, and the one combination refused."""

import keras
import pytest

from tan_keras.errors import IncompatibleInputError
from tan_keras.training import RunOptions
from tan_keras.training.runtime import compile_options


def test_run_eagerly_and_jit_compile_are_refused_together():
    with pytest.raises(IncompatibleInputError, match="Received: run_eagerly=True, jit_compile=True"):
        RunOptions(run_eagerly=True, jit_compile=True)


def test_compile_options_follow_the_run_options_and_the_backend():
    assert compile_options(RunOptions(run_eagerly=True)) == {"jit_compile": False,
                                                             "run_eagerly": True}
    jax = keras.backend.backend() == "jax"
    assert compile_options(RunOptions()) == {"jit_compile": jax, "run_eagerly": False}
    assert compile_options(RunOptions(jit_compile=True)) == {"jit_compile": True,
                                                             "run_eagerly": False}


def test_an_eager_step_trains_like_the_traced_one():
    """One SGD step of a small model, eager and traced from the same start: the same weights."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    start = model.get_weights()
    x = keras.random.normal((8, 4), seed=1)
    y = keras.ops.convert_to_tensor([0, 1, 2, 0, 1, 2, 0, 1])
    trained = []
    for run in (RunOptions(run_eagerly=True), RunOptions()):
        model.set_weights(start)
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      **compile_options(run))
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        trained.append(model.get_weights())
    for eager, traced in zip(*trained):
        assert eager == pytest.approx(traced, abs=1e-6)
