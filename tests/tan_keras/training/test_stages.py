"""The stage functions on records of the real UCF101 clips: pretrain_cnn -> train_tan -> evaluate
(reproduce runs as typed in tests/experiments/test_commands_end_to_end.py).

Tiny settings (tiny backbone, 64 px, 3 snippets, 1 epoch): the figures are near chance; what is
checked is that every file exists and holds what it claims, by recomputing it independently.
"""

import csv
import json

import numpy as np
import pytest

from tan_keras.evaluation import evaluate
from tan_keras.training import Workspace, pretrain_cnn, train_tan
from tests.helpers.tiny import QUIET, QUIET_EAGER, tiny_settings

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it

SETTINGS = tiny_settings(image_size=64)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained(ucf_records_root, tmp_path_factory):
    """A workspace where pretrain_cnn (both streams), train_tan --init=cnn and evaluate ran."""
    records = ucf_records_root / "ucf101"
    workspace = tmp_path_factory.mktemp("workspace")
    for stream in ("rgb", "flow"):
        pretrain_cnn(records, workspace, stream, 1, SETTINGS, run=QUIET_EAGER)
    stage_dir = train_tan(records, workspace, "tan", "cnn", 1, SETTINGS, run=QUIET_EAGER)
    results = evaluate(records, workspace, stage_dir.name)
    return {"records": records, "workspace": workspace, "stage_dir": stage_dir,
            "results": results, "eval_dir": Workspace(workspace).eval_dir(stage_dir.name)}


def test_results_json_agrees_with_itself_and_with_the_score_file(trained):
    results = json.loads((trained["eval_dir"] / "results.json").read_text())
    manifest = json.loads((trained["records"] / "manifest.json").read_text())
    test_ids = manifest["splits"]["1"]["test"]
    assert results["num_videos"] == len(test_ids) == 3
    with np.load(trained["eval_dir"] / "scores.npz") as scores:
        assert sorted(scores["video_ids"]) == sorted(test_ids)
        expected_labels = [manifest["videos"][v]["label"] for v in scores["video_ids"]]
        np.testing.assert_array_equal(scores["labels"], expected_labels)
        assert list(scores["classes"]) == manifest["classes"]
        for stream in ("spatial", "temporal", "fused"):
            probabilities = scores[stream]
            np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
            predictions = probabilities.argmax(axis=1)
            figures = results[stream]
            assert figures["top1"] == pytest.approx(np.mean(predictions == scores["labels"]))
            assert figures["top5"] == 1.0  # 3 classes: the label is always in the top 5
            per_class = [a for a in figures["per_class"] if a is not None]
            assert figures["class_mean"] == pytest.approx(np.mean(per_class))
            confusion = np.array(figures["confusion"])
            assert confusion.sum() == 3
            for label, prediction in zip(scores["labels"], predictions):
                assert confusion[label, prediction] >= 1
        # The paper's fusion: the mean of the two branch softmaxes, averaged over the views.
        np.testing.assert_allclose(scores["fused"], (scores["spatial"] + scores["temporal"]) / 2,
                                   atol=1e-5)


def test_attention_file_and_plots(trained):
    with np.load(trained["eval_dir"] / "attention.npz") as attention:
        assert attention["alpha"].shape == (3, SETTINGS.num_snippets, SETTINGS.num_snippets)
        np.testing.assert_allclose(attention["alpha"].sum(axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(attention["beta"].sum(axis=1), 1.0, atol=1e-5)
    names = trained["results"]["plots"]
    assert sorted(names) == ["plots/attention.png", "plots/confusion_fused.png",
                             "plots/per_class_accuracy.png"]
    for name in names:
        data = (trained["eval_dir"] / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE and len(data) > 2000


def test_stage_files_and_skip_when_done(trained, capsys):
    stage_dir = trained["stage_dir"]
    assert stage_dir.name == "ucf101_split1_tan_cnn"
    for name in ("settings.json", "done.json", "final.weights.h5",
                 "checkpoints/epoch-0001.weights.h5", "checkpoints/epoch-0001.state.npz"):
        assert (stage_dir / name).is_file(), name
    with open(stage_dir / "logs" / "train.csv") as f:
        rows = list(csv.DictReader(f))
    assert [row["epoch"] for row in rows] == ["0"]
    assert float(rows[0]["learning_rate"]) == pytest.approx(SETTINGS.learning_rate)
    # TAN's objective is the two branch losses; its fixed-average 'fused' output has none.
    assert "spatial_loss" in rows[0] and "fused_loss" not in rows[0]
    backbone = Workspace(trained["workspace"]).pretrain_dir("ucf101", 1, "flow")
    assert (backbone / "backbone.weights.h5").is_file()
    again = train_tan(trained["records"], trained["workspace"], "tan", "cnn", 1, SETTINGS)
    assert again == stage_dir
    assert "is done; skipping" in capsys.readouterr().out


def test_missing_and_incompatible_inputs_say_what_to_do(trained, tmp_path):
    records = trained["records"]
    with pytest.raises(FileNotFoundError, match=r"Expected a finished pretrain_cnn stage "
                                                r"\(ucf101, split 1, stream rgb\) for "
                                                r"init='cnn'\. .*`tan_keras\.training\."
                                                r"pretrain_cnn`.* stream='rgb'"):
        train_tan(records, tmp_path / "empty", "tan", "cnn", 1, SETTINGS, run=QUIET)
    with pytest.raises(FileNotFoundError, match=r"Expected a finished train_tan run .*no_such_run\. "
                                                r"Received: run_name='no_such_run'"):
        evaluate(records, trained["workspace"], "no_such_run")
    other_size = tiny_settings(image_size=48)
    with pytest.raises(ValueError, match=r"Incompatible checkpoint for init='cnn': .* "
                                         r"image_size is 64 there but 48 here"):
        train_tan(records, trained["workspace"], "tan", "cnn", 1, other_size,
                  run_name="other_size", run=QUIET)
    assert not Workspace(trained["workspace"]).train_dir("other_size").exists()
    with pytest.raises(ValueError, match=r"holds a finished run with other settings: "
                                         r"training\.seed is 3 there but 9 here\. To start over, "
                                         r"delete .*; to keep it, choose another `run_name` or "
                                         r"`workspace`\.$"):
        train_tan(records, trained["workspace"], "tan", "cnn", 1, tiny_settings(image_size=64,
                                                                                 seed=9), run=QUIET)
    with pytest.raises(FileNotFoundError, match=r"Expected a manifest at .*build_records"):
        train_tan(tmp_path / "nothing", tmp_path, "tan", "imagenet", 1, SETTINGS)
