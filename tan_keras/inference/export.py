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

`loading.load_video_model` reads each of them back, and a run, as one `VideoModel`.
"""

import json
import tempfile
from pathlib import Path

from tan_keras.choices import EXPORT_FORMATS
from tan_keras.errors import IncompatibleInputError

AVERAGING_LAYER = "view_averaging"
METADATA_SUFFIX = ".json"


def evaluation_model_of_run(workspace, run_name: str):
    """The finished train_tan run `run_name` as a test-view model with its classes and settings."""
    from tan_keras.evaluation.protocol import load_trained_model
    from tan_keras.models.preprocessed import evaluation_model

    network, found, settings = load_trained_model(workspace, run_name)
    frames = found.get("frames")
    if not frames:
        raise IncompatibleInputError(
            f"{Path(workspace) / 'train_tan' / run_name / 'settings.json'} does not record the "
            "frames it was trained on (a run of an earlier version): train it again to export "
            "or predict with it.")
    from tan_keras.frame_settings import FrameSettings

    frames = FrameSettings.from_dict(frames)  # settings.json's, old or new form
    carried = {**frames.to_dict(), "num_snippets": settings.num_snippets}
    return evaluation_model(network, settings.backbone, (frames.height, frames.width),
                           found["classes"], carried, name=f"{run_name}_test_views")


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


def export_model(model, export_format: str, output) -> list[Path]:
    """Writes a test-view model as `export_format`; returns the files.

    Args:
      model: a `loading.VideoModel` of a run or a .keras file (`loading.load_video_model`), or
        its `keras_model`: a `tan_keras.models.preprocessed.evaluation_model` (flow as
        [N, T, H, W, 2]), e.g. `evaluation_model_of_run`'s.
      export_format: 'keras', 'saved_model' or 'tflite'.
      output: the file (.keras, .tflite) or folder (saved_model) to write.
    """
    if export_format not in EXPORT_FORMATS:
        raise ValueError(f"Expected export_format in {EXPORT_FORMATS}. "
                         f"Received: export_format={export_format!r}")
    model = getattr(model, "keras_model", model)
    if model is None:
        raise IncompatibleInputError(
            "Expected a Keras test-view model to export: a train_tan run or a .keras file "
            "(load_video_model). Received: a model loaded from a SavedModel or a TFLite file")
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
