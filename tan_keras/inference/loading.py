"""A trained model ready for videos, from a train_tan run or an export: `load_video_model`.

As mmaction2's `init_recognizer`, one call gives what `tan-predict` and `experiments.export` both
take, whatever the model was saved as:

    load_video_model("ws", "ucf101_split1_tan_cnn")       a finished train_tan run of a workspace
    load_video_model("ws/train_tan/ucf101_split1_tan_cnn")  the same run, by its stage folder
    load_video_model("exports/ucf101_tan.keras")           an exported .keras file
    load_video_model("exports/ucf101_tan")                 an exported SavedModel folder
    load_video_model("exports/ucf101_tan.tflite")          a .tflite file, its .json beside it
    load_video_model("exports/ucf101_tan.onnx")            an .onnx file, run by onnxruntime

A run becomes its test-view model (`export.evaluation_model_of_run`); the exports are read back
as `export.export_model` wrote them.
"""

import json
import os
import zipfile
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.inference.export import (
    METADATA_SUFFIX, ONNX_INSTALL, ONNX_METADATA_KEY, evaluation_model_of_run, model_metadata)

TRAIN_FOLDER = "train_tan"


class VideoModel(NamedTuple):
    """A model that scores videos, with what a new video must look like to it.

    Attributes:
      predict: `inputs -> outputs`: {'rgb' [N, T, H, W, 3], 'flow' [N, T, H, W, 2]} uint8 numpy
        arrays to {'spatial', 'temporal', 'fused': [N, C] probabilities averaged over the 10
        views, and for TAN 'alpha', 'beta': [N, T, T]} numpy arrays.
      classes: the C class names.
      frame_settings: the settings of the frames it was trained on, as the model's metadata
        holds them (a JSON dict that `FrameSettings.from_dict` reads).
      keras_model: the Keras test-view model (`tan_keras.models.preprocessed.evaluation_model`)
        of a run or a .keras file, which `export.export_model` writes; None for a SavedModel, a
        TFLite or an ONNX file.
    """
    predict: Callable[[dict], dict]
    classes: list
    frame_settings: dict
    keras_model: object = None


def load_video_model(path, run_name: str | None = None, attention_layer=None) -> VideoModel:
    """A train_tan run or an exported model as a `VideoModel`.

    Args:
      path: a workspace (with `run_name`); a train_tan stage folder
        `<workspace>/train_tan/<run_name>`; or what `export.export_model` wrote: a .keras file, a
        SavedModel folder, a .tflite file with `<file>.tflite.json` beside it, or an .onnx
        file (run by onnxruntime on the CPU: the `onnx` extra).
      run_name: the finished train_tan run of the workspace `path` (None: `path` is a stage
        folder or an export).
      attention_layer: for a run or a .keras file of a TAN with a custom attention layer: its
        class or import path 'package.module:ClassName'. None: the one the run's settings.json
        records, or the .keras file names (its module is imported, which registers the class).
        The other formats need no Python class.

    Returns:
      The `VideoModel`; its `keras_model` is set for a run and a .keras file.

    Raises:
      MissingInputError: the run is not finished (`tan_keras.training.find_train_run`'s message),
        or `path` is none of the above.

    Example:

        video_model = load_video_model("ws", "ucf101_split1_tan_cnn")
        settings = video_model.frame_settings
        clip = video_clip("clip.avi", FrameSettings.from_dict(settings), settings["num_snippets"])
        outputs = video_model.predict({"rgb": clip["rgb"][None], "flow": clip["flow"][None]})
        video_model.classes[outputs["fused"][0].argmax()]  # the top class
    """
    path = Path(path)
    if run_name is None and path.is_dir() and path.parent.name == TRAIN_FOLDER:
        path, run_name = path.parent.parent, path.name
    if run_name is not None:
        return _run(path, run_name, attention_layer)
    if path.suffix == ".keras" and path.is_file():
        return _keras_file(path, attention_layer)
    if path.is_dir() and os.path.isfile(path / "saved_model.pb"):
        return _saved_model(path)
    if path.suffix == ".tflite" and path.is_file():
        return _tflite(path)
    if path.suffix == ".onnx" and path.is_file():
        return _onnx(path)
    raise MissingInputError(
        "Expected a train_tan run (a workspace with run_name, or a stage folder "
        f"<workspace>/{TRAIN_FOLDER}/<run_name>) or an exported model (a .keras file, a "
        f"SavedModel folder, a .tflite file, an .onnx file). Received: path={str(path)!r}")


def _of_keras_model(model) -> VideoModel:
    def predict(inputs):
        return {name: np.asarray(value) for name, value in model.predict_on_batch(inputs).items()}

    return VideoModel(predict, **model_metadata(model), keras_model=model)


def _run(workspace: Path, run_name: str, attention_layer=None) -> VideoModel:
    from tan_keras.training.workspace import find_train_run

    find_train_run(workspace, run_name=run_name)
    return _of_keras_model(evaluation_model_of_run(workspace, run_name, attention_layer))


def _keras_file(path: Path, attention_layer=None) -> VideoModel:
    import keras

    import tan_keras.layers  # noqa: F401  (registers the layers the file names)
    import tan_keras.models  # noqa: F401  (registers TwoStreamNetwork)
    from tan_keras.layers.attention_path import attention_class

    named = [attention_layer] if attention_layer is not None else _attention_layers_in(path)
    for layer in named:  # importing its module registers it; it must be a TemporalAttention
        attention_class(layer, where=str(path))
    return _of_keras_model(keras.models.load_model(path))


def _attention_layers_in(path: Path) -> list[str]:
    """The import paths ('module:ClassName') of the Keras objects a .keras file names that are
    not registered here: a custom attention layer whose module is not imported yet."""
    import keras

    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    found, stack = set(), [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name, module = item.get("registered_name"), item.get("module")
            if (name and module and item.get("class_name") and ">" in name
                    and keras.saving.get_registered_object(name) is None):
                found.add(f"{module}:{item['class_name']}")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return sorted(found)


def _saved_model(path: Path) -> VideoModel:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    metadata = json.loads(loaded.metadata().numpy().decode())

    def predict(inputs):
        outputs = loaded.serve(tf.constant(inputs["rgb"]), tf.constant(inputs["flow"]))
        return {name: np.asarray(value) for name, value in outputs.items()}

    return VideoModel(predict, metadata["classes"], metadata["frame_settings"])


def _tflite(path: Path) -> VideoModel:
    sidecar = path.with_name(path.name + METADATA_SUFFIX)
    if not sidecar.is_file():
        raise MissingInputError(
            f"Expected the classes and frame settings of {path} beside it, in {sidecar} (as "
            f"export_model writes them). Received: no such file")
    metadata = json.loads(sidecar.read_text())
    runner = tflite_interpreter(path).get_signature_runner("serve")

    def predict(inputs):
        outputs = runner(rgb=np.asarray(inputs["rgb"]), flow=np.asarray(inputs["flow"]))
        return {name: np.asarray(value) for name, value in outputs.items()}

    return VideoModel(predict, metadata["classes"], metadata["frame_settings"])


def tflite_interpreter(path):
    """An interpreter of the .tflite file at `path`, allocated: LiteRT's
    (`ai_edge_litert.interpreter.Interpreter`) where `ai-edge-litert` is installed, else
    TensorFlow's `tf.lite.Interpreter` (deprecated in favour of LiteRT; its deprecation warning
    is silenced here, since there is nothing better to use where LiteRT is missing).

    The exports use TensorFlow select ops (`export.py`), which LiteRT's package runs only with
    TensorFlow's Flex delegate: a file that LiteRT cannot allocate is run by TensorFlow's
    interpreter instead.
    """
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = None
    if Interpreter is not None:
        try:
            interpreter = Interpreter(model_path=str(path))
            interpreter.allocate_tensors()
            return interpreter
        except (RuntimeError, ValueError):  # select ops without the Flex delegate
            pass
    import warnings

    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
        interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    return interpreter


def _onnx(path: Path) -> VideoModel:
    try:
        import onnxruntime
    except ImportError as error:
        raise IncompatibleInputError(
            f"Expected onnxruntime installed to run {path}: {ONNX_INSTALL}. Received: no "
            "module onnxruntime") from error
    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's errors (a damaged or foreign file)
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise IncompatibleInputError(f"Expected an ONNX model that onnxruntime loads. Received: "
                                     f"{path}: {first_line}") from error
    found = session.get_modelmeta().custom_metadata_map.get(ONNX_METADATA_KEY)
    if found is None:
        raise MissingInputError(
            f"Expected the classes and frame settings of {path} in its metadata_props entry "
            f"{ONNX_METADATA_KEY!r} (as export_model writes them). Received: no such entry")
    metadata = json.loads(found)
    names = [output.name for output in session.get_outputs()]

    def predict(inputs):
        feed = {name: np.asarray(inputs[name], np.uint8) for name in ("rgb", "flow")}
        return dict(zip(names, session.run(names, feed)))

    return VideoModel(predict, metadata["classes"], metadata["frame_settings"])
