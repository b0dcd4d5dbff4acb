"""The exported test-view model gives evaluate's scores: .keras (on TensorFlow and on JAX),
SavedModel and TFLite, fed the records' uint8 frames."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tan_keras import data
from tan_keras.inference import export_model, load_model_for_videos, evaluation_model_of_run
from tests.helpers.paths import REPO_ROOT

STREAMS = ("spatial", "temporal", "fused")


@pytest.fixture(scope="module")
def exported(evaluated_tiny_run, tmp_path_factory):
    records, workspace, run = evaluated_tiny_run
    folder = tmp_path_factory.mktemp("exports")
    model = evaluation_model_of_run(workspace, run)
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
    model = load_model_for_videos(files[export_format])
    assert model.classes == list(scores["classes"])
    assert model.frame_settings["frame_size"] == [80, 60] and model.frame_settings["positions"] == 3
    _assert_scores(model.predict, scores, videos, atol=1e-5)


def test_tflite_gives_evaluates_scores(exported):
    import tensorflow as tf

    files, written, scores, videos = exported
    sidecar = files["tflite"].with_name("tan.tflite.json")
    assert written["tflite"] == [files["tflite"], sidecar]
    assert json.loads(sidecar.read_text())["classes"] == list(scores["classes"])
    runner = tf.lite.Interpreter(model_path=str(files["tflite"])).get_signature_runner("serve")
    _assert_scores(lambda inputs: runner(**inputs), scores, videos, atol=1e-4)


def test_the_keras_file_gives_the_same_scores_on_jax(exported, tmp_path):
    files, _, scores, videos = exported
    np.savez(tmp_path / "videos.npz", **{f"{k}|{v}": a for k, frames in videos.items()
                                         for v, a in frames.items()})
    code = (
        "import json, sys, numpy as np\n"
        "from tan_keras.inference import load_model_for_videos\n"
        "model = load_model_for_videos(sys.argv[1])\n"
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
