"""Late fusion of score files (TAN + MIFS, "TAN+" in Table 1): a weighted sum of score streams.

Each entry is `<file.npz>[:<stream>]` (format: `tan_keras.evaluation.scores`); the default stream
is `fused` when the file has one, else its only stream. The files must cover the same videos
(matched by video id, in any order) and the same classes. Scores are added as stored
(`fused = sum_k w_k * scores_k`); external scores in another range should be normalised first.
"""

import json
from pathlib import Path

import numpy as np

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.evaluation import metrics
from tan_keras.evaluation.scores import load_scores, save_scores
from tan_keras.training import stage_files
from tan_keras.training.workspace import RESULTS_FILENAME, SCORES_FILENAME, Workspace


def parse_score_spec(spec: str) -> tuple[Path, str | None]:
    """'a/b.npz:fused' -> (Path('a/b.npz'), 'fused'); 'a/b.npz' -> (Path('a/b.npz'), None)."""
    head, sep, tail = str(spec).rpartition(":")
    if sep and head.endswith(".npz") and "/" not in tail:
        return Path(head), tail
    return Path(spec), None


def evaluated_scores(workspace, run_name: str) -> str:
    """The entry `<workspace>/evaluate/<run_name>/scores.npz:fused` of a finished evaluation.

    `run_name` is a train_tan run's name (`tan_keras.training.find_train_run` finds it).
    """
    eval_dir = Workspace(workspace).eval_dir(run_name)
    if not stage_files.is_done(eval_dir):
        raise MissingInputError(
            f"Expected an evaluated train_tan run: {eval_dir / SCORES_FILENAME} and done.json "
            f"beside it (evaluate writes them). Received: run_name={run_name!r}, not evaluated "
            "yet")
    return f"{eval_dir / SCORES_FILENAME}:fused"


def _pick_stream(scores: dict, stream: str | None) -> np.ndarray:
    streams = scores["streams"]
    if stream is None:
        if "fused" in streams:
            stream = "fused"
        elif len(streams) == 1:
            stream = next(iter(streams))
        else:
            raise IncompatibleInputError(
                f"Expected a stream name for {scores['path']} (it holds several). Received: "
                f"none; write {scores['path']}:<stream>, one of {sorted(streams)}")
    if stream not in streams:
        raise IncompatibleInputError(f"Expected stream {stream!r} in {scores['path']}. "
                                     f"Received: streams={sorted(streams)}")
    return streams[stream]


def fuse(score_specs, weights=None) -> dict:
    """Fuses score streams by a weighted sum and measures the fused accuracy.

    Args:
      score_specs: entries `<file.npz>[:<stream>]`, or (path, stream) pairs.
      weights: one weight per entry (default: all 1).

    Returns:
      {'inputs', 'weights', 'top1', 'top5', 'class_mean', 'per_class', 'confusion', 'num_videos',
       'video_ids' [N], 'labels' [N], 'classes' [C], 'scores' [N, C]} (the last four are arrays).
    """
    specs = [s if isinstance(s, tuple) else parse_score_spec(s) for s in score_specs]
    if not specs:
        raise IncompatibleInputError("Expected at least one score file. Received: none")
    weights = [1.0] * len(specs) if weights is None else [float(w) for w in weights]
    if len(weights) != len(specs):
        raise IncompatibleInputError(f"Expected one weight per score entry ({len(specs)}). "
                                     f"Received: weights={weights}")
    reference = load_scores(specs[0][0])
    order = {video: i for i, video in enumerate(reference["video_ids"])}
    fused = np.zeros((len(order), len(reference["classes"])), np.float64)
    for (path, stream), weight in zip(specs, weights):
        scores = reference if path == specs[0][0] else load_scores(path)
        if list(scores["classes"]) != list(reference["classes"]):
            raise IncompatibleInputError(
                f"Expected {path} to list the classes of {specs[0][0]}. Received "
                f"{len(scores['classes'])} classes that differ")
        missing = sorted(set(order) - set(scores["video_ids"]))
        extra = sorted(set(scores["video_ids"]) - set(order))
        if missing or extra:
            raise IncompatibleInputError(
                f"Expected {path} to score the videos of {specs[0][0]}. Received: "
                f"{len(missing)} missing (e.g. {missing[:2]}), {len(extra)} extra "
                f"(e.g. {extra[:2]})")
        rows = [order[v] for v in scores["video_ids"]]
        fused[rows] += weight * _pick_stream(scores, stream)
    labels = reference["labels"]
    if np.any(labels < 0):
        raise IncompatibleInputError(
            f"Expected labels >= 0 in {specs[0][0]} (the first file gives the labels). "
            "Received: unknown labels (-1)")
    result = metrics.summarize(fused, labels)
    result.update(inputs=[f"{p}:{s}" if s else str(p) for p, s in specs], weights=weights,
                  video_ids=reference["video_ids"], labels=labels,
                  classes=reference["classes"], scores=fused.astype(np.float32))
    return result


def write_fusion(result: dict, out_dir: Path) -> Path:
    """Writes results.json (figures) and scores.npz (stream `fused`) into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_scores(out_dir / SCORES_FILENAME, result["video_ids"], result["labels"],
                result["classes"], fused=result["scores"])
    figures = {k: v for k, v in result.items()
               if k not in ("video_ids", "labels", "classes", "scores")}
    figures["classes"] = list(result["classes"])
    path = out_dir / RESULTS_FILENAME
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path
