"""The exported test-view model gives evaluate's scores: .keras (on TensorFlow and on JAX),
SavedModel and TFLite, fed the records' uint8 frames; `load_video_model` reads a run, its stage
folder and each export as the same model."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from tan_keras import data
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.inference import export_model, load_video_model
from tests.helpers.paths import REPO_ROOT

STREAMS = ("spatial", "temporal", "fused")


@pytest.fixture(scope="module")
def exported(evaluated_tiny_run, tmp_path_factory):
    records, workspace, run = evaluated_tiny_run
    folder = tmp_path_factory.mktemp("exports")
    model = load_video_model(workspace, run)
    files = {"keras": folder / "tan.keras", "saved_model": folder / "tan_saved_model",
             "tflite": folder / "tan.tflite"}
    written = {name: export_model(model, name, path) for name, path in files.items()}
    scores = np.load(workspace / "evaluate" / run / "scores.npz")
    videos = {}
    for frames, labels, ids in data.eval_frames(str(records), num_snippets=3, batch_size=1):
        flow = np.stack([frames["flow_x"].numpy(), frames["flow_y"].numpy()], axis=-1)
        videos[ids.numpy()[0].decode()] = {"rgb": frames["rgb"].numpy(), "flow": flow}
    return files, written, scores, videos


def _assert_scores(predict, scores, videos, atol):
    for i, video in enumerate(scores["video_ids"]):
        outputs = predict(videos[str(video)])
        for stream in STREAMS:
            np.testing.assert_allclose(np.asarray(outputs[stream])[0], scores[stream][i],
                                       atol=atol, err_msg=f"{video} {stream}")
        np.testing.assert_allclose(np.asarray(outputs["alpha"])[0].sum(axis=0), 1.0, atol=1e-5)


@pytest.mark.parametrize("export_format", ["keras", "saved_model"])
def test_keras_and_saved_model_give_evaluates_scores_and_carry_the_classes(exported,
                                                                          export_format):
    files, written, scores, videos = exported
    assert written[export_format] == [files[export_format]]
    model = load_video_model(files[export_format])
    assert model.classes == list(scores["classes"])
    settings = model.frame_settings  # FrameSettings.to_dict() and T
    assert (settings["height"], settings["width"], settings["positions"]) == (60, 80, 3)
    _assert_scores(model.predict, scores, videos, atol=1e-5)
    if export_format == "saved_model":
        assert model.keras_model is None
        with pytest.raises(IncompatibleInputError, match="Expected a Keras test-view model"):
            export_model(model, "keras", files["keras"])


def test_tflite_gives_evaluates_scores(exported):
    files, written, scores, videos = exported
    sidecar = files["tflite"].with_name("tan.tflite.json")
    assert written["tflite"] == [files["tflite"], sidecar]
    assert json.loads(sidecar.read_text())["classes"] == list(scores["classes"])
    model = load_video_model(files["tflite"])
    assert model.classes == list(scores["classes"]) and model.keras_model is None
    _assert_scores(model.predict, scores, videos, atol=1e-4)


def _nested_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _nested_layers(layer)


def test_a_run_its_stage_folder_and_its_keras_export_load_as_the_same_model(exported,
                                                                           evaluated_tiny_run):
    files, _, scores, videos = exported
    _, workspace, run = evaluated_tiny_run
    by_run = load_video_model(workspace, run)
    by_folder = load_video_model(workspace / "train_tan" / run)
    by_file = load_video_model(files["keras"])
    for model in (by_folder, by_file):
        assert model.classes == by_run.classes == list(scores["classes"])
        assert model.frame_settings == by_run.frame_settings
        assert model.keras_model is not None
    # The run's TAN has the user's attention subclass (tests/helpers/user_code), rebuilt from
    # the path settings.json records and from the module the .keras file names.
    for model in (by_run, by_file):
        attention = [layer for layer in _nested_layers(model.keras_model)
                     if layer.name == "temporal_attention"]
        assert [type(layer).__name__ for layer in attention] == ["ScaledAttention"]
        assert float(keras.ops.convert_to_numpy(attention[0].scale)) != 1.0  # trained, loaded
    _assert_scores(by_run.predict, scores, videos, atol=1e-5)
    for frames in videos.values():
        expected = by_run.predict(frames)
        for model in (by_folder, by_file):
            outputs = model.predict(frames)
            assert sorted(outputs) == sorted(expected) == ["alpha", "beta", *sorted(STREAMS)]
            for name, value in expected.items():
                np.testing.assert_allclose(outputs[name], value, atol=1e-6, err_msg=name)


def test_what_is_neither_a_finished_run_nor_an_export_is_named(evaluated_tiny_run, tmp_path):
    _, workspace, run = evaluated_tiny_run
    with pytest.raises(MissingInputError, match=r"^Expected a finished train_tan run .*"
                                                rf"Received: run_name='other' \(finished runs "
                                                rf"in .*: {run}\)$"):
        load_video_model(workspace, "other")
    with pytest.raises(MissingInputError, match=r"^Expected a train_tan run \(a workspace with "
                                                r"run_name, .*Received: path='.*notes\.txt'$"):
        load_video_model(tmp_path / "notes.txt")


@pytest.mark.slow
def test_the_keras_file_gives_the_same_scores_on_jax(exported, tmp_path):
    files, _, scores, videos = exported
    np.savez(tmp_path / "videos.npz", **{f"{k}|{v}": a for k, frames in videos.items()
                                         for v, a in frames.items()})
    code = (
        "import json, sys, numpy as np\n"
        "from tan_keras.inference import load_video_model\n"
        "model = load_video_model(sys.argv[1])\n"
        "arrays = np.load(sys.argv[2]); out = {}\n"
        "for video in sorted({key.split('|')[0] for key in arrays.files}):\n"
        "    inputs = {s: arrays[f'{video}|{s}'] for s in ('rgb', 'flow')}\n"
        "    out[video] = np.asarray(model.predict(inputs)['fused'])[0].tolist()\n"
        "print(json.dumps(out))\n")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", code, str(files["keras"]),
                             str(tmp_path / "videos.npz")], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    fused = json.loads(result.stdout.strip().splitlines()[-1])
    for i, video in enumerate(scores["video_ids"]):
        np.testing.assert_allclose(fused[str(video)], scores["fused"][i], atol=1e-5)
