"""Where each stage reads and writes inside a workspace (WORKSPACE.md draws the layout).

    <workspace>/
      pretrain_cnn/<dataset>_split<k>_<stream>/   backbone.weights.h5, checkpoints/, logs/
      train_tan/<run_name>/                       final.weights.h5, checkpoints/, logs/
      evaluate/<run_name>/                        results.json, scores.npz, plots/
      fuse_scores/<name>/                         results.json, scores.npz
      tables/                                     table<N>.md, table<N>.json

Every stage folder holds settings.json (written first) and done.json (written last); see
`stage_files`.
"""

import re
from pathlib import Path

from tan_keras.errors import MissingInputError
from tan_keras.training import stage_files

FINAL_WEIGHTS = "final.weights.h5"
BACKBONE_WEIGHTS = "backbone.weights.h5"
RESULTS_FILENAME = "results.json"
SCORES_FILENAME = "scores.npz"


class Workspace:
    """Paths of the stages inside one workspace directory. Creates nothing by itself."""

    def __init__(self, root):
        self.root = Path(root)

    def pretrain_dir(self, dataset: str, split: int, stream: str) -> Path:
        return self.root / "pretrain_cnn" / f"{dataset}_split{int(split)}_{stream}"

    def train_dir(self, run_name: str) -> Path:
        return self.root / "train_tan" / run_name

    def eval_dir(self, run_name: str) -> Path:
        return self.root / "evaluate" / run_name

    def fuse_dir(self, name: str) -> Path:
        return self.root / "fuse_scores" / name

    @property
    def tables_dir(self) -> Path:
        return self.root / "tables"

    def finished_train_runs(self) -> dict[str, dict]:
        """{run name: its settings.json} of every finished train_tan run, sorted by name."""
        folder = self.root / "train_tan"
        if not folder.is_dir():
            return {}
        runs = {}
        for stage_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            if _is_finished(stage_dir):
                try:
                    runs[stage_dir.name] = stage_files.read_settings(stage_dir)
                except (OSError, ValueError):
                    continue
        return runs


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def default_run_name(dataset: str, split: int, model: str, init: str) -> str:
    """Names a train_tan run, e.g. 'ucf101_split1_tan_cnn' or 'hmdb51_split1_tan_tan-ucf101_split1_tan_cnn'.

    `init='tan:<checkpoint>'` is named after the source stage folder (or file stem).
    """
    if init.startswith("tan:"):
        source = Path(init[len("tan:"):])
        if source.suffix == ".h5":
            source = source.parent.parent if source.parent.name == "checkpoints" else source.parent
        init_part = "tan-" + _slug(source.name)
    else:
        init_part = _slug(init)
    return f"{dataset}_split{int(split)}_{model}_{init_part}"


def find_train_run(workspace, dataset: str | None = None, split: int | None = None,
                   model: str | None = None, init: str | None = None,
                   run_name: str | None = None) -> str:
    """The finished train_tan run meant: the one named `run_name`, or the one that matches.

    The one lookup of a train_tan run, for evaluate, fuse_scores, reproduce, export and predict.
    A run is finished when its folder <workspace>/train_tan/<run_name>/ holds settings.json,
    final.weights.h5 and done.json.

    Args:
      workspace: the workspace holding train_tan/.
      dataset, split, model, init: the run's settings.json values to match when `run_name` is
        None (None matches anything). What train_tan names by default (`default_run_name`) is
        tried first; otherwise exactly one finished run must match.
      run_name: the run; it must be finished, and the other values are not used.

    Returns:
      The run's name (its folder is `Workspace(workspace).train_dir(name)`).

    Raises:
      MissingInputError: the named run is not finished, or none or several runs match; the
        message lists the finished runs.
    """
    space = Workspace(workspace)
    folder = space.root / "train_tan"
    if run_name is not None:
        if _is_finished(space.train_dir(run_name)):
            return run_name
        raise MissingInputError(
            f"Expected a finished train_tan run (settings.json, {FINAL_WEIGHTS} and done.json) "
            f"at {space.train_dir(run_name)}. Received: run_name={run_name!r} (finished runs in "
            f"{folder}: {', '.join(space.finished_train_runs()) or 'none'})")
    if None not in (dataset, split, model, init):
        name = default_run_name(dataset, split, model, init)
        if _is_finished(space.train_dir(name)):
            return name
    runs = space.finished_train_runs()
    wanted = {"dataset": dataset, "split": split, "model": model, "init": init}
    matches = [name for name, found in runs.items()
               if all(value is None or found.get(key) == value for key, value in wanted.items())]
    if len(matches) == 1:
        return matches[0]
    asked = ", ".join(f"{key}={value!r}" for key, value in wanted.items() if value is not None)
    with_asked = f" with {asked}" if asked else ""
    if not matches:
        raise MissingInputError(
            f"Expected a finished train_tan run{with_asked} in {folder}. Received: none (finished "
            f"runs: {', '.join(runs) or 'none'}); train it with train_tan, or give run_name")
    raise MissingInputError(
        f"Expected one finished train_tan run{with_asked} in {folder}. Received: {len(matches)} "
        f"runs: {', '.join(matches)}; give run_name, or narrow with split, model or init")


def _is_finished(stage_dir: Path) -> bool:
    return stage_files.is_done(stage_dir) and (stage_dir / FINAL_WEIGHTS).is_file()
