"""Soft attention through the stages, as the other models go: train_tan (model='soft_attention')
-> evaluate -> a .keras export loaded back, on the records of the real UCF101 clips with the tiny
settings (their accuracies mean nothing). The commands run it the same way (`--model` is a choice
of `tan_keras.choices.MODELS`); `reproduce --table=4` runs it as typed."""

import json

import numpy as np
import pytest

from tan_keras.evaluation import evaluate
from tan_keras.inference import export_model, load_video_model
from tan_keras.training import Workspace, train_tan
from tests.helpers.tiny import QUIET_EAGER, TINY_MODEL, tiny_settings

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it


def test_train_evaluate_and_export(ucf_records_root, tmp_path):
    records, workspace = ucf_records_root / "ucf101", tmp_path / "ws"
    stage_dir = train_tan(records, workspace, "soft_attention", "imagenet", 1, tiny_settings(),
                         TINY_MODEL, run=QUIET_EAGER)
    assert stage_dir.name == "ucf101_split1_soft_attention_imagenet"
    recorded = json.loads((stage_dir / "settings.json").read_text())
    assert recorded["model"] == "soft_attention"
    results = evaluate(records, workspace, stage_dir.name, progress=False)
    eval_dir = Workspace(workspace).eval_dir(stage_dir.name)
    with np.load(eval_dir / "scores.npz") as scores:
        for branch in ("spatial", "temporal", "fused"):
            predictions = scores[branch].argmax(axis=1)
            assert results[branch]["top1"] == pytest.approx(
                np.mean(predictions == scores["labels"]))
        np.testing.assert_allclose(scores["fused"], (scores["spatial"] + scores["temporal"]) / 2,
                                   atol=1e-5)
    run_model = load_video_model(workspace, stage_dir.name)
    [keras_file] = export_model(run_model, "keras", tmp_path / "soft_attention.keras")
    exported = load_video_model(keras_file)
    height, width = recorded["frames"]["height"], recorded["frames"]["width"]
    rng = np.random.default_rng(0)
    video = {"rgb": rng.integers(0, 256, (1, 3, height, width, 3), dtype=np.uint8),
             "flow": rng.integers(0, 256, (1, 3, height, width, 2), dtype=np.uint8)}
    want, got = run_model.predict(video), exported.predict(video)
    assert sorted(got) == ["fused", "spatial", "temporal"]
    for branch in got:
        np.testing.assert_allclose(got[branch], want[branch], atol=1e-5)
    assert exported.classes == recorded["classes"]
