"""A trained run as one model from uint8 video frames to scores, and its exports.

The exported model is `tan_keras.models.preprocessed.evaluation_model`: its inputs are the T
frames and flow images of a video as the records store them, uint8 `rgb [N, T, H, W, 3]` and
`flow [N, T, H, W, 2]`; the 10 views, the normalisation and the averaging over views happen
inside. Its outputs are the spatial, temporal and fused class probabilities [N, C] and, for TAN,
alpha and beta [N, T, T]. It carries the class names and the frames' settings (frame size,
positions a video, flow bound and format, JPEG quality, T), which `tan-predict` needs to prepare
a new video as the records did:

  keras        one .keras file; the settings are in its 'view_averaging' layer's config.
  saved_model  a TF SavedModel folder: the endpoint `serve(rgb, flow)` and `metadata()`, a JSON
               string of {"classes", "frame_settings"}.
  tflite       a .tflite file of the `serve` signature, and the metadata beside it in
               `<file>.json` (TFLite has no place for it that needs no extra package).
  onnx         one .onnx file (Keras' exporter, through tf2onnx; the `onnx` extra), with
               inputs 'rgb', 'flow' and the outputs by name; the metadata is the JSON string
               of its metadata_props entry 'tan_keras' (`ONNX_METADATA_KEY`).

`loading.load_video_model` reads each of them back, and a run, as one `VideoModel`.
"""

import contextlib
import json
import logging
import tempfile
import warnings
from pathlib import Path

from tan_keras.choices import EXPORT_FORMATS
from tan_keras.errors import IncompatibleInputError

AVERAGING_LAYER = "view_averaging"
METADATA_SUFFIX = ".json"
# The ONNX export's metadata_props key, whose value is the JSON of `model_metadata`.
ONNX_METADATA_KEY = "tan_keras"
ONNX_INSTALL = 'pip install "tan-keras[onnx]"'


def evaluation_model_of_run(workspace, run_name: str, attention_layer=None):
    """The finished train_tan run `run_name` as a test-view model with its classes and settings.

    attention_layer: TAN's attention class or its import path; None: the one the run's
      settings.json records (`tan_keras.evaluation.protocol.load_trained_model`).
    """
    from tan_keras.evaluation.protocol import load_trained_model
    from tan_keras.models.preprocessed import evaluation_model

    network, found, settings = load_trained_model(workspace, run_name,
                                                  attention_layer=attention_layer)
    frames = found.get("frames")
    if not frames:
        raise IncompatibleInputError(
            f"{Path(workspace) / 'train_tan' / run_name / 'settings.json'} does not record the "
            "frames it was trained on (a run of an earlier version): train it again to export "
            "or predict with it.")
    from tan_keras.frame_settings import FrameSettings

    frames = FrameSettings.from_dict(frames)  # settings.json's, old or new form
    carried = {**frames.to_dict(), "num_snippets": settings.num_snippets}
    return evaluation_model(network, settings.backbone, frame_height=frames.height,
                            frame_width=frames.width, classes=found["classes"],
                            frame_settings=carried, name=f"{run_name}_test_views")


def model_metadata(model) -> dict:
    """{'classes', 'frame_settings'} that a test-view model carries."""
    layer = model.get_layer(AVERAGING_LAYER)
    return {"classes": list(layer.classes), "frame_settings": dict(layer.frame_settings)}


def _serving_specs(model):
    import tensorflow as tf

    shape = tuple(model.inputs[0].shape[1:4])
    return [tf.TensorSpec((None,) + shape + (3,), tf.uint8, name="rgb"),
            tf.TensorSpec((None,) + shape + (2,), tf.uint8, name="flow")]


def _write_saved_model(model, output: str) -> None:
    import keras
    import tensorflow as tf

    metadata = json.dumps(model_metadata(model))
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(name="serve", fn=lambda rgb, flow: model(
        {"rgb": rgb, "flow": flow}, training=False), input_signature=_serving_specs(model))
    archive.add_endpoint(name="metadata", fn=tf.function(lambda: tf.constant(metadata)),
                         input_signature=[])
    archive.write_out(output, verbose=False)


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def _onnx_problem(model) -> str | None:
    """Why `model` cannot go to ONNX here, as an error message; None if it can."""
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        return ("Expected the TensorFlow backend for export_format='onnx' (Keras converts the "
                "model with tf2onnx). Received: KERAS_BACKEND="
                f"{backend!r}; export with KERAS_BACKEND=tensorflow (a run or .keras file "
                "trained on JAX loads there with the same scores)")
    missing = []
    for module in ("tf2onnx", "onnx"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        return (f"Expected tf2onnx and onnx installed for export_format='onnx': "
                f"{ONNX_INSTALL}. Received: no module {', '.join(missing)}")
    policies = sorted({layer.dtype_policy.name for layer in _all_layers(model)
                       if layer.dtype_policy.compute_dtype != "float32"})
    if policies:
        return ("Expected a float32 model for export_format='onnx' (Keras exports only the "
                f"float32 dtype policy to ONNX). Received: layers with dtype policy "
                f"{', '.join(policies)}; export from the train_tan run, which loads in float32")
    return None


def unconverted_onnx_ops(graph) -> list[str]:
    """The ops of an ONNX graph (and its subgraphs) that onnxruntime cannot run: TensorFlow ops
    tf2onnx left as they were (no ONNX op of that name) and ops of custom domains."""
    import onnx

    found = set()
    for node in graph.node:
        if node.domain in ("", "ai.onnx"):
            if not onnx.defs.has(node.op_type):
                found.add(node.op_type)
        elif node.domain not in ("ai.onnx.ml", "com.microsoft"):
            found.add(f"{node.domain}.{node.op_type}")
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                found.update(unconverted_onnx_ops(attribute.g))
            elif attribute.type == onnx.AttributeProto.GRAPHS:
                for subgraph in attribute.graphs:
                    found.update(unconverted_onnx_ops(subgraph))
    return sorted(found)


@contextlib.contextmanager
def _quiet_tf2onnx():
    """tf2onnx's progress lines (INFO) and Keras' numpy 2 patch of it (np.object) kept quiet;
    tf2onnx's warnings and errors still show."""
    logger = logging.getLogger("tf2onnx")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*np.object", category=FutureWarning)
            yield
    finally:
        logger.setLevel(level)


def _write_onnx(model, output: Path) -> None:
    problem = _onnx_problem(model)
    if problem:
        raise IncompatibleInputError(problem)
    import onnx

    specs = {spec.name: spec for spec in _serving_specs(model)}
    from tan_keras.layers.frame_preprocessing import without_xla

    # tf2onnx leaves the test views' XLA-compiled function as a 'PartitionedCall' node that ONNX
    # has no op for: the export traces their plain keras.ops steps instead.
    with tempfile.TemporaryDirectory() as folder, without_xla():
        converted = Path(folder) / "model.onnx"
        try:
            with _quiet_tf2onnx():
                model.export(str(converted), format="onnx", verbose=False,
                             input_signature=[specs])
        except Exception as error:  # tf2onnx's own errors, with no hint for a user
            first_line = (str(error).strip().splitlines() or [""])[0]
            raise IncompatibleInputError(
                f"Expected a model that tf2onnx converts to ONNX for export_format='onnx'. "
                f"Received: {type(error).__name__}: {first_line}; export as 'saved_model' or "
                f"'tflite' instead") from error
        proto = onnx.load(str(converted))
    unconverted = unconverted_onnx_ops(proto.graph)
    if unconverted:
        raise IncompatibleInputError(
            "Expected a model of ops that ONNX has for export_format='onnx'. Received: ops "
            f"tf2onnx could not convert: {', '.join(unconverted)}; export as 'saved_model' or "
            f"'tflite' instead")
    entry = proto.metadata_props.add()
    entry.key, entry.value = ONNX_METADATA_KEY, json.dumps(model_metadata(model))
    onnx.save(proto, str(output))


def export_model(model, export_format: str, output) -> list[Path]:
    """Writes a test-view model as `export_format`; returns the files.

    Args:
      model: a `loading.VideoModel` of a run or a .keras file (`loading.load_video_model`), or
        its `keras_model`: a `tan_keras.models.preprocessed.evaluation_model` (flow as
        [N, T, H, W, 2]), e.g. `evaluation_model_of_run`'s.
      export_format: 'keras', 'saved_model', 'tflite' or 'onnx' (TensorFlow backend, with
        tf2onnx and onnx installed: the `onnx` extra).
      output: the file (.keras, .tflite, .onnx) or folder (saved_model) to write.

    Raises:
      IncompatibleInputError: a model that is not a Keras test-view model; an output name
        without the format's suffix (.keras, .onnx); for 'onnx': another backend than
        TensorFlow, tf2onnx or onnx missing, a model that is not float32, or one that tf2onnx
        cannot convert (the message names the ops).
    """
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"Expected export_format in {EXPORT_FORMATS}. "
                         f"Received: export_format={export_format!r}")
    model = getattr(model, "keras_model", model)
    if model is None:
        raise IncompatibleInputError(
            "Expected a Keras test-view model to export: a train_tan run or a .keras file "
            "(load_video_model). Received: a model loaded from a SavedModel, TFLite or ONNX "
            "file")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if export_format == "keras":
        if output.suffix != ".keras":
            raise IncompatibleInputError(f"Expected a .keras file name for "
                                         f"export_format='keras'. Received: output={output}")
        model.save(output)
        return [output]
    if export_format == "saved_model":
        _write_saved_model(model, str(output))
        return [output]
    if export_format == "onnx":
        if output.suffix != ".onnx":
            raise IncompatibleInputError(f"Expected an .onnx file name for "
                                         f"export_format='onnx'. Received: output={output}")
        _write_onnx(model, output)
        return [output]
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as folder:
        _write_saved_model(model, folder)
        converter = tf.lite.TFLiteConverter.from_saved_model(folder, signature_keys=["serve"])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS,
                                               tf.lite.OpsSet.SELECT_TF_OPS]
        output.write_bytes(converter.convert())
    sidecar = output.with_name(output.name + METADATA_SUFFIX)
    sidecar.write_text(json.dumps(model_metadata(model), indent=1) + "\n")
    return [output, sidecar]
