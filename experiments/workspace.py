"""Where each stage reads and writes inside a workspace (see WORKSPACE.md).

    <workspace>/
      pretrain_cnn/<dataset>_split<k>_<stream>/   backbone.weights.h5, checkpoints/, logs/
      train_tan/<run_name>/                       final.weights.h5, checkpoints/, logs/
      evaluate/<run_name>/                        results.json, scores.npz, plots/
      fuse_scores/<name>/                         results.json
      tables/                                     table<N>.md, table<N>.json

Every stage directory holds settings.json (written first) and done.json (written last). A stage
with done.json is complete and is skipped when run again; one without it resumes from its last
checkpoint.
"""

import json
import re
import time
from pathlib import Path

DONE_FILENAME = "done.json"
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


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def default_run_name(dataset: str, split: int, model: str, init: str) -> str:
    """Names a train_tan run, e.g. 'ucf101_split1_tan_cnn' or 'hmdb51_split1_tan_tan-ucf101_split1_tan_cnn'.

    `init='tan:<checkpoint>'` is named after the source stage directory (or file stem).
    """
    if init.startswith("tan:"):
        source = Path(init[len("tan:"):])
        if source.suffix == ".h5":
            source = source.parent.parent if source.parent.name == "checkpoints" else source.parent
        init_part = "tan-" + _slug(source.name)
    else:
        init_part = _slug(init)
    return f"{dataset}_split{int(split)}_{model}_{init_part}"


def is_done(stage_dir: Path) -> bool:
    return (Path(stage_dir) / DONE_FILENAME).is_file()


def mark_done(stage_dir: Path, summary: dict) -> Path:
    """Writes done.json (the stage's last file) with `summary` and the finishing time."""
    path = Path(stage_dir) / DONE_FILENAME
    payload = dict(summary, finished=time.strftime("%Y-%m-%d %H:%M:%S"))
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return path
