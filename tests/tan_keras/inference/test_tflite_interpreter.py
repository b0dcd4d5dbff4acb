"""tan_keras.inference.loading.tflite_interpreter: LiteRT's interpreter where `ai_edge_litert`
is installed, TensorFlow's where it is not or where LiteRT cannot run the file."""

import sys
import types
import warnings

import numpy as np
import pytest

from tan_keras.inference.loading import tflite_interpreter


@pytest.fixture(scope="module")
def doubling_tflite(tmp_path_factory):
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([2], tf.float32, name="x")])
    def double(x):
        return {"y": 2.0 * x}

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [double.get_concrete_function()], double)
    path = tmp_path_factory.mktemp("tflite") / "double.tflite"
    path.write_bytes(converter.convert())
    return path


def _fake_litert(monkeypatch, interpreter_class):
    package = types.ModuleType("ai_edge_litert")
    module = types.ModuleType("ai_edge_litert.interpreter")
    module.Interpreter = interpreter_class
    package.interpreter = module
    monkeypatch.setitem(sys.modules, "ai_edge_litert", package)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", module)


def test_litert_is_used_where_installed(monkeypatch, doubling_tflite):
    made = []

    class LiteRT:
        def __init__(self, model_path):
            made.append(model_path)

        def allocate_tensors(self):
            pass

    _fake_litert(monkeypatch, LiteRT)
    assert isinstance(tflite_interpreter(doubling_tflite), LiteRT)
    assert made == [str(doubling_tflite)]


def test_tensorflow_runs_it_without_litert_or_where_litert_fails(monkeypatch, doubling_tflite):
    class Refusing:
        def __init__(self, model_path):
            raise RuntimeError("Select TensorFlow op(s) ... not supported by this interpreter")

    for refuse in (True, False):
        if refuse:
            _fake_litert(monkeypatch, Refusing)
        else:
            monkeypatch.setitem(sys.modules, "ai_edge_litert", None)  # import fails
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # TensorFlow's deprecation warning does not escape
            interpreter = tflite_interpreter(doubling_tflite)
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"],
                               np.array([1.5, -2.0], np.float32))
        interpreter.invoke()
        np.testing.assert_array_equal(
            interpreter.get_tensor(interpreter.get_output_details()[0]["index"]), [3.0, -4.0])
