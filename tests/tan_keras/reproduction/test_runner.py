"""The runner's order, skipping and failures, with the stage functions replaced by fakes that
record their calls (no training)."""

import pytest

from tan_keras.errors import IncompatibleInputError
from tan_keras.evaluation.evaluate_stage import eval_name
from tan_keras.reproduction import runner as runner_module
from tan_keras.reproduction import plan
from tan_keras.reproduction.plan import Run, runs_for
from tan_keras.training import ModelOptions, RunOptions, TrainingSettings, stage_files
from tan_keras.training.workspace import Workspace


class FakeSource:
    """Records holding split 1 only."""

    def __init__(self, name):
        self.name = name

    def videos(self, split, side):
        if int(split) != 1:
            raise IncompatibleInputError(f"{self.name}/manifest.json: expected split in ['1']. "
                                         f"Received: split={split!r}")
        return ["a", "b", "c"]


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """Fake stages: each marks its folder done (as the real ones do) and is logged; a train_tan
    of hmdb51 from 'cnn' fails on bad input."""
    log = []
    space = Workspace(tmp_path)

    def pretrain_cnn(source, workspace, stream, split, settings, run):
        log.append(("pretrain_cnn", source.name, split, stream))
        folder = space.pretrain_dir(source.name, split, stream)
        folder.mkdir(parents=True, exist_ok=True)
        stage_files.mark_done(folder, {})

    def train_tan(source, workspace, model, init, split, settings, model_options, run,
                  attention_layer=None):
        log.append(("train_tan", source.name, split, model, init))
        if source.name == "hmdb51" and model == "tan" and init == "cnn":
            raise IncompatibleInputError("hmdb51 records: bad input")
        from tan_keras.training.workspace import default_run_name

        folder = space.train_dir(default_run_name(source.name, split, model, init))
        folder.mkdir(parents=True, exist_ok=True)
        stage_files.mark_done(folder, {})

    def evaluate(source, workspace, run_name, progress, num_snippets=None, videos_per_batch=4):
        name = eval_name(run_name, num_snippets)
        log.append(("evaluate", name))
        space.eval_dir(name).mkdir(parents=True, exist_ok=True)
        stage_files.mark_done(space.eval_dir(name), {})
        return {stream: {"top1": 0.5} for stream in ("spatial", "temporal", "fused")}

    for name, fake in (("pretrain_cnn", pretrain_cnn), ("train_tan", train_tan),
                       ("evaluate", evaluate)):
        monkeypatch.setattr(runner_module, name, fake)
    return log


def _runner(tmp_path, keep_going):
    sources = {name: FakeSource(name) for name in ("ucf101", "hmdb51")}
    return runner_module.Runner(sources, tmp_path, TrainingSettings(), ModelOptions(),
                                RunOptions(verbose=0), {}, keep_going=keep_going,
                                progress=False)


def test_keep_going_records_the_failure_and_runs_the_rest(calls, tmp_path):
    lines = []
    measured = _runner(tmp_path, keep_going=True).measure(runs_for("3", ["hmdb51"], [1]),
                                                          out=lines.append)
    two_stream, tan = Run("hmdb51", 1, "two_stream", "cnn"), Run("hmdb51", 1, "tan", "cnn")
    assert measured.get(two_stream)["fused"] == 50.0
    assert "failed: hmdb51 records: bad input" in measured.failed[tan]
    assert measured.get(tan) is None
    # The failed train_tan's evaluate is skipped, and says so; nothing else is.
    assert ("evaluate", "hmdb51_split1_tan_cnn") not in calls
    assert any("evaluate hmdb51 split 1 tan init=cnn: skipped (needs train_tan" in line
               for line in lines), lines
    assert lines[-1].startswith("reproduce: 6 stages: 4 run now, 0 done before, 1 failed, "
                                "1 skipped;"), lines[-1]


def test_without_keep_going_the_first_failure_ends_the_run(calls, tmp_path):
    with pytest.raises(IncompatibleInputError, match="bad input"):
        _runner(tmp_path, keep_going=False).measure(runs_for("3", ["hmdb51"], [1]),
                                                    out=lambda line: None)


def test_a_split_the_records_lack_is_refused_before_any_stage(calls, tmp_path):
    with pytest.raises(IncompatibleInputError, match="split=2"):
        _runner(tmp_path, keep_going=False).measure(runs_for("2", ["ucf101"], [1, 2]),
                                                    out=lambda line: None)
    assert calls == []
    measured = _runner(tmp_path, keep_going=True).measure(runs_for("2", ["ucf101"], [1, 2]),
                                                          out=lambda line: None)
    assert "split=2" in measured.failed[Run("ucf101", 2, "tan", "cnn")]
    assert all(call[2] == 1 for call in calls if call[0] != "evaluate")


def test_done_stages_are_read_not_run_and_each_stage_runs_once(calls, tmp_path):
    runner = _runner(tmp_path, keep_going=True)
    runner.measure(runs_for("fig4", ["ucf101"], [1]), out=lambda line: None)
    first = list(calls)
    assert [c[0] for c in first].count("pretrain_cnn") == 2  # shared by both runs
    lines = []
    runner.measure(runs_for("3", ["ucf101"], [1]), out=lines.append)  # the same two runs
    # The stage functions are still called (a real one reads its done stage) but nothing
    # counts as run now.
    assert lines[-1].startswith("reproduce: 6 stages: 0 run now, 6 done before;"), lines[-1]


def test_a_run_tested_at_25_snippets_shares_its_training_and_has_its_own_evaluate(calls,
                                                                                    tmp_path):
    runner = _runner(tmp_path, keep_going=True)
    at25 = Run("ucf101", 1, "tan", "cnn", test_snippets=25)
    measured = runner.measure([Run("ucf101", 1, "tan", "cnn"), at25], out=lambda line: None)
    assert [c for c in calls if c[0] == "train_tan"] == [("train_tan", "ucf101", 1, "tan", "cnn")]
    assert [c for c in calls if c[0] == "evaluate"] == [
        ("evaluate", "ucf101_split1_tan_cnn"), ("evaluate", "ucf101_split1_tan_cnn_test25")]
    assert measured.get(at25)["run_name"] == "ucf101_split1_tan_cnn"
    assert runner.is_done(plan.Step("evaluate", "ucf101", 1, run=at25))


def test_training_log_keeps_the_last_row_of_each_epoch(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    # A run killed in epoch 2 and resumed logs epoch 1 (0-based) twice; the header once.
    # The validation columns of a run without validation are 'NA'.
    (logs / "train.csv").write_text("epoch,loss,spatial_loss,val_loss\n0,2.5,1.0,NA\n"
                                    "1,9.0,4.0,NA\n1,2.0,0.75,NA\n2,1.5,0.5,NA\n")
    assert runner_module.training_log(tmp_path) == [
        {"epoch": 0.0, "loss": 2.5, "spatial_loss": 1.0},
        {"epoch": 1.0, "loss": 2.0, "spatial_loss": 0.75},
        {"epoch": 2.0, "loss": 1.5, "spatial_loss": 0.5}]
    assert runner_module.training_log(tmp_path / "none") == []
