"""The quickstart's smoke run, end to end: real videos, real TV-L1, training, the 10-view protocol.

One run (about a minute on 2 CPU cores) in a subprocess, exactly as a user starts it; then every
output is checked against the files it claims to summarise.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.helpers.paths import REPO_ROOT as REPO

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it
STREAMS = ("spatial", "temporal", "fused")


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("quickstart") / "ws"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow")
    result = subprocess.run(
        [sys.executable, "-m", "experiments.quickstart", "--smoke", f"--workspace={workspace}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return workspace, result.stdout


def _results(workspace: Path, summary: dict) -> dict:
    return {model: json.loads((workspace / path).read_text())
            for model, path in summary["outputs"]["results"].items()}


def test_progress_names_every_stage_and_ends_with_next_steps(smoke_run):
    workspace, stdout = smoke_run
    for index, stage in enumerate(("generate", "data_prep", "train_two_stream", "train_tan",
                                   "evaluate", "report"), start=1):
        assert re.search(rf"\[{index}/6\] {stage}: done in [0-9.]+ s", stdout), stage
    assert f"Outputs in {workspace}" in stdout
    assert "python -m data_prep.build_records --dataset=ucf101" in stdout


def test_summary_holds_the_evaluated_accuracies(smoke_run):
    workspace, _ = smoke_run
    summary = json.loads((workspace / "summary.json").read_text())
    results = _results(workspace, summary)
    assert summary["tan_top1"] == results["tan"]["fused"]["top1"]
    assert summary["two_stream_top1"] == results["two_stream"]["fused"]["top1"]
    for model in ("tan", "two_stream"):
        for stream in STREAMS:
            assert summary["accuracy"][model][stream] == results[model][stream]["top1"]
    assert summary["num_test_videos"] == results["tan"]["num_videos"] == 10
    assert summary["num_train_videos"] == 20
    gap = 100 * (summary["tan_top1"] - summary["two_stream_top1"])
    assert summary["claim"]["tan_minus_two_stream_points"] == pytest.approx(gap, abs=0.01)
    ratio = summary["attention_action_mass_alpha"] / summary["attention_uniform_mass"]
    assert summary["claim"]["attention_ratio_to_uniform"] == pytest.approx(ratio, abs=1e-3)


def test_table_numbers_are_the_results_files_numbers(smoke_run):
    workspace, stdout = smoke_run
    summary = json.loads((workspace / "summary.json").read_text())
    results = _results(workspace, summary)
    table = (workspace / "table.md").read_text().strip()
    assert table in stdout
    rows = [line for line in table.splitlines()[2:]]
    assert len(rows) == 2
    for row, model in zip(rows, ("two_stream", "tan")):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        expected = [f"{100 * results[model][stream]['top1']:.1f}" for stream in STREAMS]
        assert cells[1:] == expected, (model, cells)


def test_attention_mass_matches_the_attention_file_and_the_sidecar(smoke_run):
    workspace, _ = smoke_run
    summary = json.loads((workspace / "summary.json").read_text())
    assert summary["attention_uniform_mass"] == pytest.approx(1 / 5)
    for key in ("attention_action_mass", "attention_action_mass_alpha",
                "attention_action_mass_beta"):
        assert 0.0 <= summary[key] <= 1.0
    # With 3 stored positions per 10-frame segment, snippet t is segment t, so the action
    # snippet's index is the sidecar's action segment.
    assert summary["snippets_aligned_with_segments"] is True
    sidecar = json.loads((workspace / "synthetic_actions" / "actions.json").read_text())
    attention = np.load(workspace / "evaluate" / "synthetic_actions_tan" / "attention.npz")
    actions = [sidecar["videos"][str(v)]["action_segment"] for v in attention["video_ids"]]
    rows = np.arange(len(actions))
    alpha_mass = attention["alpha"][rows, actions, -1].mean()
    beta_mass = attention["beta"][rows, actions, -1].mean()
    assert summary["attention_action_mass_alpha"] == pytest.approx(alpha_mass, abs=1e-6)
    assert summary["attention_action_mass_beta"] == pytest.approx(beta_mass, abs=1e-6)
    assert summary["attention_action_mass"] == pytest.approx((alpha_mass + beta_mass) / 2, abs=1e-6)


def test_records_and_plots_exist(smoke_run):
    workspace, _ = smoke_run
    manifest = json.loads((workspace / "records" / "synthetic_actions" / "manifest.json").read_text())
    assert manifest["counts"]["videos"] == 30 and manifest["counts"]["failed"] == 0
    assert {v["num_positions"] for v in manifest["videos"].values()} == {15}
    summary = json.loads((workspace / "summary.json").read_text())
    assert sorted(summary["outputs"]["plots"]) == ["plots/attention_on_action_snippets.png",
                                                   "plots/per_class_accuracy.png"]
    for plot in summary["outputs"]["plots"]:
        image = cv2.imread(str(workspace / plot))
        assert image is not None and image.shape[0] > 100 and image.shape[1] > 100, plot
