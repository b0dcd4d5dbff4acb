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
            if stage_files.is_done(stage_dir) and (stage_dir / FINAL_WEIGHTS).is_file():
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


def find_train_run(workspace, dataset: str, split: int | None = None, model: str | None = None,
                   init: str | None = None) -> str:
    """The finished train_tan run of `dataset` that matches the given flags; its run name.

    What train_tan names by default (`default_run_name`) is tried first; otherwise the finished
    runs whose settings.json match every given value (None matches anything). Exactly one must
    match.

    Raises:
      MissingInputError: none or several runs match; the message lists the finished runs and
        the flags that pick one.
    """
    space = Workspace(workspace)
    if split is not None and model is not None and init is not None:
        name = default_run_name(dataset, split, model, init)
        stage_dir = space.train_dir(name)
        if stage_files.is_done(stage_dir) and (stage_dir / FINAL_WEIGHTS).is_file():
            return name
    runs = space.finished_train_runs()
    wanted = {"dataset": dataset, "split": split, "model": model, "init": init}
    matches = [name for name, found in runs.items()
               if all(value is None or found.get(key) == value for key, value in wanted.items())]
    if len(matches) == 1:
        return matches[0]
    asked = ", ".join(f"{key}={value}" for key, value in wanted.items() if value is not None)
    listing = ", ".join(runs) or "none"
    if not matches:
        raise MissingInputError(
            f"No finished train_tan run with {asked} in {space.root / 'train_tan'} (finished runs: "
            f"{listing}). Train it with python -m experiments.train_tan, or pass --run_name.")
    raise MissingInputError(
        f"{len(matches)} finished train_tan runs match {asked} in {space.root / 'train_tan'}: "
        f"{', '.join(matches)}. Pick one with --run_name (or --model / --init).")
