"""Runs the stages of a reproduction (`plan.steps_for`) and collects what each run measured.

Each stage is the ordinary one (`pretrain_cnn`, `train_tan`, `evaluate`), so one already done in
the workspace is read, not run again. With `keep_going` (reproduce's 'all'), a stage that fails
on bad input (`InputError`) is recorded with its message, the stages that need it are left out,
and the rest go on; otherwise the error ends the reproduction.
"""

import dataclasses
from pathlib import Path

from tan_keras import choices
from tan_keras.errors import InputError, MissingInputError
from tan_keras.evaluation import evaluate, fuse, write_fusion
from tan_keras.evaluation.evaluate_stage import eval_name
from tan_keras.evaluation.fusion import evaluated_scores
from tan_keras.reproduction.plan import Run, Step, source_run, steps_for
from tan_keras.reproduction.progress import StageProgress
from tan_keras.training import ModelOptions, RunOptions, TrainingSettings, pretrain_cnn, train_tan
from tan_keras.training import stage_files
from tan_keras.training.stage_files import LOG_DIR
from tan_keras.training.workspace import Workspace, default_run_name


@dataclasses.dataclass
class Measured:
    """What the runs gave: `values[run]` {'spatial', 'temporal', 'fused'[, 'fused_plus']} top-1
    in %, 'run_name', 'results' (evaluate's results.json) and 'training_log' (the train_tan
    stage's logs/train.csv, one {column: float} a epoch: the losses and training accuracies);
    `failed[run]` why a run has none; `stages` and `trained` the number of stages in the plan
    and of those run now."""

    values: dict = dataclasses.field(default_factory=dict)
    failed: dict = dataclasses.field(default_factory=dict)
    stages: int = 0
    trained: int = 0

    def get(self, run: Run) -> dict | None:
        return self.values.get(run)


class Runner:
    """Runs (or reads, when done) the stages of runs inside one workspace.

    Args:
      sources: {dataset: its `RecordsSource`}, opened once.
      workspace: the workspace folder.
      settings, model_options, run: as every stage takes them.
      mifs_scores: {'<dataset>:<split>': score file} fused with TAN's scores for TAN+.
      keep_going: record a stage's `InputError` and go on (True) or raise it (False).
      progress: show evaluate's progress bar (the stage lines are always printed).
      attention_layer: the attention class of every TAN trained and evaluated (a
        `TemporalAttention` subclass or its import path); None: `TemporalAttention`.
    """

    def __init__(self, sources: dict, workspace, settings: TrainingSettings,
                 model_options: ModelOptions, run: RunOptions, mifs_scores: dict,
                 keep_going: bool = False, progress: bool = True, attention_layer=None):
        self.sources = sources
        self.workspace = Path(workspace)
        self.space = Workspace(workspace)
        self.settings = settings
        self.model_options = model_options
        self.run_options = run
        self.mifs_scores = dict(mifs_scores)
        self.keep_going = keep_going
        self.progress = progress
        self.attention_layer = attention_layer

    def run_name(self, run: Run) -> str:
        """The train_tan stage folder's name of `run` (of its trained run, `Run.trained`)."""
        return default_run_name(run.dataset, run.split, run.model, self.init_argument(run))

    def init_argument(self, run: Run) -> str:
        """train_tan's `init` for `run` ('tan:ucf101' becomes the UCF101 TAN's stage folder)."""
        source = source_run(run)
        if source is None:
            return run.init
        return f"tan:{self.space.train_dir(self.run_name(source))}"

    def missing_input(self, run: Run) -> InputError | None:
        """Why `run` cannot start (its records lack the split or a side of it), or None."""
        for dataset in {run.dataset, choices.parse_init(run.init)[1] or run.dataset}:
            if dataset not in self.sources:
                return MissingInputError(f"Expected {dataset} records for {run.describe()}. "
                                         f"Received: datasets={sorted(self.sources)}")
            for side in ("train", "test") if dataset == run.dataset else ("train",):
                try:
                    self.sources[dataset].videos(run.split, side)
                except InputError as error:
                    return error
        return None

    def is_done(self, step: Step) -> bool:
        if step.kind == "pretrain_cnn":
            return stage_files.is_done(self.space.pretrain_dir(step.dataset, step.split,
                                                               step.stream))
        name = self.run_name(step.run)
        if step.kind == "train_tan":
            return stage_files.is_done(self.space.train_dir(name))
        return stage_files.is_done(self.space.eval_dir(
            eval_name(name, step.run.test_snippets)))

    def measure(self, runs, out=None) -> Measured:
        """Runs the stages of `runs` (each once), printing which of how many runs and the time
        left; returns what each run measured.

        Raises:
          InputError: without `keep_going`, the first run that cannot start or stage that fails.
        """
        measured = Measured()
        runs = list(runs)
        for run in runs:
            error = self.missing_input(run)
            if error is not None:
                if not self.keep_going:
                    raise error
                measured.failed[run] = str(error)
        steps = steps_for([run for run in runs if run not in measured.failed])
        progress = StageProgress([s.kind for s in steps], [self.is_done(s) for s in steps],
                                 out=out)
        failed_steps = {}
        for index, step in enumerate(steps):
            blocked = [s for s in _needed(step) if s in failed_steps]
            if blocked:
                failed_steps[step] = f"needs {blocked[0].describe()}, which failed"
                progress.skip(index, step.describe(), failed_steps[step])
                continue
            progress.start(index, step.describe())
            try:
                self._run_step(step, measured)
            except InputError as error:
                if not self.keep_going:
                    raise
                failed_steps[step] = f"{step.describe()} failed: {error}"
                progress.finish(failed=True)
                progress.out(f"reproduce: {failed_steps[step]}")
                continue
            progress.finish()
        for run in runs:
            if run not in measured.values and run not in measured.failed:
                reasons = [failed_steps[s] for s in steps_for([run]) if s in failed_steps]
                measured.failed[run] = reasons[0] if reasons else "not run"
        measured.stages = len(steps)
        measured.trained = sum(len(t) for t in progress.seconds.values())
        progress.out(progress.summary())
        return measured

    def _run_step(self, step: Step, measured: Measured) -> None:
        source = self.sources[step.dataset]
        if step.kind == "pretrain_cnn":
            pretrain_cnn(source, self.workspace, step.stream, step.split, self.settings,
                         run=self.run_options)
        elif step.kind == "train_tan":
            train_tan(source, self.workspace, step.run.model, self.init_argument(step.run),
                      step.split, self.settings, model_options=self.model_options,
                      run=self.run_options, attention_layer=self.attention_layer)
        else:
            measured.values[step.run] = self._evaluate(step.run)

    def _evaluate(self, run: Run) -> dict:
        name = self.run_name(run)
        results = evaluate(self.sources[run.dataset], self.workspace, name,
                           progress=self.progress, num_snippets=run.test_snippets,
                           videos_per_batch=1 if run.test_snippets else 4)
        values = {stream: round(100 * results[stream]["top1"], 2)
                  for stream in ("spatial", "temporal", "fused")}
        values["training_log"] = training_log(self.space.train_dir(name))
        mifs = self.mifs_scores.get(f"{run.dataset}:{run.split}")
        if mifs and run.model == "tan" and not run.test_snippets:
            fused = fuse([evaluated_scores(self.workspace, name), mifs])
            write_fusion(fused, self.space.fuse_dir(f"{name}+mifs"))
            values["fused_plus"] = round(100 * fused["top1"], 2)
        return {**values, "run_name": name, "results": results}


def training_log(stage_dir: Path) -> list[dict]:
    """A train_tan stage's logs/train.csv as one {column: float} a epoch, in epoch order (the
    last row of an epoch logged twice, by a run resumed after it); a value that is not a number
    (Keras' CSVLogger writes 'NA' for the validation columns of a run without validation) is
    left out; [] without the file."""
    import csv

    path = Path(stage_dir) / LOG_DIR / "train.csv"
    if not path.is_file():
        return []
    epochs = {}
    with open(path, newline="") as file:
        for row in csv.DictReader(file):
            values = {}
            for key, value in row.items():
                try:
                    values[key] = float(value)
                except (TypeError, ValueError):
                    continue
            if "epoch" in values:
                epochs[int(values["epoch"])] = values
    return [epochs[epoch] for epoch in sorted(epochs)]


def _needed(step: Step) -> list[Step]:
    """The stages `step` needs before it (those of its run that come first)."""
    if step.run is None:
        return []
    needed = steps_for([step.run])
    return needed[:needed.index(step)]
