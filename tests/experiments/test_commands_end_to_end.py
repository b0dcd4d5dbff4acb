"""The stages as a user types them, in subprocesses, on the real UCF101 clips, tiny settings.

tan-build-records -> pretrain_cnn (rgb, flow) -> train_tan --init=cnn -> evaluate (no
--run_name) -> fuse_scores -> reproduce --table=1, which reuses the stages run by hand; then the
build, train_tan and evaluate again, which skip the finished work (test_reproduce_tables runs
every table, and reruns them on a finished workspace).
"""

import json

import numpy as np
import pytest

from tests.helpers.commands import (EAGER, TINY_MODEL, TINY_TRAINING, console_script,
                                    output_of, python_module)
from tests.helpers.real_records import write_ucf101_splits

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it

RUN = "ucf101_split1_tan_cnn"
# The second pass reruns the build, one training stage and evaluate: pretrain_cnn skips by the
# same code as train_tan, and test_reproduce_tables reruns every stage kind on a finished
# workspace.
SECOND_PASS_LEFT_OUT = ("experiments.pretrain_cnn", "experiments.fuse_scores",
                        "experiments.reproduce")


def _commands(shared_data, root):
    records, workspace = root / "records" / "ucf101", root / "ws"
    common = [f"--records_dir={records}", f"--workspace={workspace}"]
    return [
        ("tan-build-records", [
            "--dataset=ucf101", f"--video_dir={shared_data / 'videos' / 'ucf101'}",
            f"--splits_dir={root / 'splits'}", f"--output_dir={records}", "--positions=3",
            "--frame_size=80x60", "--num_workers=2", "--noprogress"]),
        ("experiments.pretrain_cnn", [*common, "--stream=rgb", *TINY_TRAINING, *EAGER]),
        ("experiments.pretrain_cnn", [*common, "--stream=flow", *TINY_TRAINING, *EAGER]),
        ("experiments.train_tan", [*common, "--init=cnn", *TINY_MODEL, *TINY_TRAINING, *EAGER]),
        ("experiments.evaluate", [*common, "--init=cnn"]),  # train_tan's flags, no --run_name
        ("experiments.fuse_scores", [*common, "--init=cnn", f"--scores={root / 'external.npz'}",
                                     "--weights=1,0.5", "--name=tan+external"]),
        ("experiments.reproduce", ["--table=1", f"--records_dir={root / 'records'}",
                                   f"--workspace={workspace}", *TINY_MODEL, *TINY_TRAINING,
                                   *EAGER]),
    ]


def _run(command, flags):
    if command.startswith("experiments."):
        return python_module(command, *flags)
    return console_script(command, *flags)


def _write_external_scores(root, records):
    """Scores from 'another pipeline' (like MIFS for TAN+), in the score-file format."""
    manifest = json.loads((records / "manifest.json").read_text())
    videos = manifest["splits"]["1"]["test"]
    rng = np.random.default_rng(0)
    np.savez(root / "external.npz", video_ids=np.array(videos),
             labels=np.array([manifest["videos"][v]["label"] for v in videos]),
             classes=np.array(manifest["classes"]),
             scores=rng.dirichlet(np.ones(len(manifest["classes"])), len(videos)))


@pytest.fixture(scope="module")
def session(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("commands")
    write_ucf101_splits(root / "splits")
    outputs = {"first": [], "second": []}
    stderr = {}  # (run, command) -> stderr (of the last, for a command run twice)
    for run in outputs:
        for command, flags in _commands(shared_data, root):
            if run == "second" and command in SECOND_PASS_LEFT_OUT:
                continue
            if command == "experiments.fuse_scores" and run == "first":
                _write_external_scores(root, root / "records" / "ucf101")
            result = _run(command, flags)
            assert result.returncode == 0, f"{command} {' '.join(flags)}\n{output_of(result)}"
            outputs[run].append((command, result.stdout))
            stderr[run, command] = result.stderr
    outputs["stderr"] = stderr
    return root, outputs


def test_every_stage_wrote_its_outputs(session):
    root, _ = session
    workspace = root / "ws"
    manifest = json.loads((root / "records" / "ucf101" / "manifest.json").read_text())
    assert manifest["counts"]["videos"] == 6 and manifest["counts"]["failed"] == 0
    for stream in ("rgb", "flow"):
        assert (workspace / "pretrain_cnn" / f"ucf101_split1_{stream}" /
                "backbone.weights.h5").is_file()
    assert (workspace / "train_tan" / RUN / "final.weights.h5").is_file()
    results = json.loads((workspace / "evaluate" / RUN / "results.json").read_text())
    assert results["run"]["run_name"] == RUN and results["num_videos"] == 3
    assert (workspace / "tables" / "table1.md").is_file()


def test_evaluate_found_the_run_that_train_tan_made(session):
    _, outputs = session
    evaluate = dict(outputs["first"])["experiments.evaluate"]
    assert f"evaluate: the train_tan run is {RUN}." in evaluate


def test_evaluate_shows_its_progress_bar_and_none_when_skipped(session):
    _, outputs = session
    first, second = (outputs["stderr"][run, "experiments.evaluate"] for run in ("first", "second"))
    assert f"evaluate {RUN}:" in first and "3/3" in first and "video/s" not in second, first


def test_fuse_scores_is_the_weighted_sum_of_the_evaluated_and_the_external_scores(session):
    root, _ = session
    evaluated = np.load(root / "ws" / "evaluate" / RUN / "scores.npz")
    external = np.load(root / "external.npz")
    fused = np.load(root / "ws" / "fuse_scores" / "tan+external" / "scores.npz")
    order = [list(external["video_ids"]).index(v) for v in evaluated["video_ids"]]
    expected = evaluated["fused"] + 0.5 * external["scores"][order]
    rows = [list(evaluated["video_ids"]).index(v) for v in fused["video_ids"]]
    np.testing.assert_allclose(fused["fused"], expected[rows], rtol=1e-5)
    results = json.loads((root / "ws" / "fuse_scores" / "tan+external" /
                          "results.json").read_text())
    labels = evaluated["labels"][rows]
    assert results["top1"] == pytest.approx(np.mean(expected[rows].argmax(1) == labels))


def test_table1_reuses_the_cnn_run_and_adds_the_imagenet_row(session):
    root, _ = session
    table = json.loads((root / "ws" / "tables" / "table1.json").read_text())
    cnn = json.loads((root / "ws" / "evaluate" / RUN / "results.json").read_text())
    assert table["measured"]["ucf101/cnn"]["fused"] == pytest.approx(
        100 * cnn["fused"]["top1"], abs=0.01)
    assert table["measured"]["ucf101/imagenet"]["run_name"] == "ucf101_split1_tan_imagenet"
    assert "| CNN on target |" in (root / "ws" / "tables" / "table1.md").read_text()


def test_the_second_pass_skips_every_finished_stage(session):
    _, outputs = session
    second = outputs["second"]
    build, stages = second[0][1], second[1:]
    assert [command for command, _ in stages] == ["experiments.train_tan", "experiments.evaluate"]
    assert "Built 6 video records" in build
    assert "This run:" not in build  # nothing was computed again
    for command, stdout in stages:
        assert "is done; skipping." in stdout, (command, stdout[-2000:])
    assert "Epoch 1/1" not in "".join(stdout for _, stdout in second)
