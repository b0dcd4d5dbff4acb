"""What the quickstart shows: a Table-3-style table, summary.json and two plots.

Every number comes from the evaluate stage's results.json and attention.npz files; nothing is
recomputed here except the attention mass on the action snippets (`attention`).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

from tan_keras.evaluation import plots  # noqa: E402

STREAMS = ("spatial", "temporal", "fused")
MODEL_LABELS = {"two_stream": "two-stream CNN + LSTM (average fusion)", "tan": "TAN"}
SUMMARY_FILENAME = "summary.json"
TABLE_FILENAME = "table.md"
TARGET_POINTS_ABOVE_TWO_STREAM = 20.0
TARGET_ATTENTION_RATIO = 2.0


def top1_by_stream(results: dict[str, dict]) -> dict[str, dict[str, float]]:
    """{model: evaluate's results dict} -> {model: {'spatial'|'temporal'|'fused': top-1 fraction}}."""
    return {model: {stream: result[stream]["top1"] for stream in STREAMS}
            for model, result in results.items()}


def format_table(accuracy: dict[str, dict[str, float]]) -> str:
    """Markdown like the paper's Table 3: top-1 (%) of each model's spatial, temporal and fused scores.

    Args:
      accuracy: {model name ('two_stream', 'tan'): {stream: top-1 fraction}} (`top1_by_stream`).
    """
    lines = ["| model | spatial | temporal | fusion |", "| --- | --- | --- | --- |"]
    for model, top1 in accuracy.items():
        cells = [f"{100 * top1[stream]:.1f}" for stream in STREAMS]
        lines.append(f"| {MODEL_LABELS.get(model, model)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def claim_check(tan_top1: float, two_stream_top1: float, alpha_action_mass: float,
                uniform: float) -> dict:
    """The quickstart's two targets, measured.

    Args:
      tan_top1, two_stream_top1: fused top-1 fractions; the target is a gap of
        TARGET_POINTS_ABOVE_TWO_STREAM points or more.
      alpha_action_mass: alpha's mean last-step weight on the action snippet; the target is
        TARGET_ATTENTION_RATIO times `uniform` or more. Alpha, the spatial side's attention, is
        the one that can find the action here; beta has nothing to find (generator.py).
      uniform: the mass of uniform attention (1/T).
    """
    gap = 100.0 * (tan_top1 - two_stream_top1)
    ratio = alpha_action_mass / uniform if uniform > 0 else float("nan")
    return {"tan_minus_two_stream_points": round(gap, 2),
            "target_points": TARGET_POINTS_ABOVE_TWO_STREAM,
            "accuracy_target_met": bool(gap >= TARGET_POINTS_ABOVE_TWO_STREAM),
            "attention_ratio_to_uniform": round(ratio, 3),
            "target_ratio": TARGET_ATTENTION_RATIO,
            "attention_target_met": bool(ratio >= TARGET_ATTENTION_RATIO)}


def plot_attention_on_actions(alpha: np.ndarray, beta: np.ndarray, action_mask: np.ndarray,
                              snippet_postures: np.ndarray, titles: list[str], classes,
                              path: Path) -> Path:
    """Last-step attention over the T snippets of a few videos, the action snippet shaded.

    Args:
      alpha: [V, T] alpha_iT over the RGB snippets i.
      beta: [V, T] beta_kT over the flow snippets k.
      action_mask: [V, T] bool, True on the snippets of the action segment.
      snippet_postures: [V, T] the posture (class index) each snippet shows.
      titles: [V] panel titles.
      classes: class names, for the tick labels.
    """
    count, num_snippets = alpha.shape
    figure, axes = plt.subplots(1, count, figsize=(3.2 * count + 0.5, 3.4), squeeze=False)
    positions = np.arange(num_snippets)
    for v, panel in enumerate(axes[0]):
        for i in np.flatnonzero(action_mask[v]):
            panel.axvspan(i - 0.5, i + 0.5, color="gold", alpha=0.35,
                          label="action snippet" if i == np.flatnonzero(action_mask[v])[0] else None)
        panel.bar(positions - 0.18, alpha[v], 0.36, label="alpha (RGB)")
        panel.bar(positions + 0.18, beta[v], 0.36, label="beta (flow)")
        panel.axhline(1.0 / num_snippets, color="gray", linestyle=":", label="uniform")
        panel.set_xticks(positions, [f"{i + 1}\n{classes[p]}" for i, p in
                                     enumerate(snippet_postures[v])], fontsize=7)
        panel.set_ylim(0, 1)
        panel.set_title(titles[v], fontsize=8)
    axes[0][0].set_ylabel("attention weight at the last step")
    axes[0][0].legend(fontsize=6, loc="upper left")
    return plots.save_figure(figure, path)


def plot_per_class(results: dict[str, dict], classes, path: Path) -> Path:
    """Fused per-class accuracy of each model, side by side
    (`tan_keras.evaluation.plots.plot_per_class_accuracy`)."""
    per_class = {MODEL_LABELS.get(m, m): r["fused"]["per_class"] for m, r in results.items()}
    return plots.plot_per_class_accuracy(per_class, classes, path,
                                         title="Per-class accuracy, fused scores")


def write_summary(workspace: Path, summary: dict) -> Path:
    """Writes `<workspace>/summary.json`."""
    path = Path(workspace) / SUMMARY_FILENAME
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return path


NEXT_STEPS = """Next, on real data (docs/reproducing.md):
  # 0. ImageNet weights of GoogLeNet (TF-Slim Inception-v1) for both CNNs: inception_v1.ckpt.
  wget http://download.tensorflow.org/models/inception_v1_2016_08_28.tar.gz
  tar xzf inception_v1_2016_08_28.tar.gz
  # 1. Records: TV-L1 flow at 340x256, 25 positions per video.
  python -m data_prep.build_records --dataset=ucf101 --video_dir=UCF-101 \\
      --splits_dir=ucfTrainTestlist --output_dir=records/ucf101
  # 2. Pre-train each stream's CNN on the target (Table 1, row 2), then TAN, then the protocol.
  python -m experiments.pretrain_cnn --records_dir=records/ucf101 --workspace=ws --stream=rgb \\
      --imagenet_weights=inception_v1.ckpt
  python -m experiments.pretrain_cnn --records_dir=records/ucf101 --workspace=ws --stream=flow \\
      --imagenet_weights=inception_v1.ckpt
  python -m experiments.train_tan --records_dir=records/ucf101 --workspace=ws --init=cnn
  python -m experiments.evaluate --records_dir=records/ucf101 --workspace=ws --init=cnn
  # HMDB51: --dataset=hmdb51 --splits_dir=testTrainMulti_7030_splits, same stages."""


def next_steps(workspace: Path) -> str:
    """What to run on real data, printed at the end."""
    return f"{NEXT_STEPS}\nQuickstart outputs: {workspace}"


def describe(summary: dict, workspace: str) -> str:
    """The closing lines: the table, the attention figures, the claim's check, where things are."""
    claim = summary["claim"]
    lines = [
        "",
        "Top-1 accuracy (%) on the synthetic test videos (chance "
        f"{100 * summary['chance_top1']:.0f}%), like the paper's Table 3:",
        "",
        format_table(summary["accuracy"]),
        "",
        f"TAN attention on the action snippet (last step): alpha {summary['attention_action_mass_alpha']:.2f}, "
        f"beta {summary['attention_action_mass_beta']:.2f}, mean {summary['attention_action_mass']:.2f} "
        f"(uniform {summary['attention_uniform_mass']:.2f}).",
        f"Claim: TAN - two-stream = {claim['tan_minus_two_stream_points']:+.1f} points "
        f"(target >= {claim['target_points']:.0f}: {'met' if claim['accuracy_target_met'] else 'NOT met'}); "
        f"alpha / uniform = {claim['attention_ratio_to_uniform']:.2f} "
        f"(target >= {claim['target_ratio']:.0f}: {'met' if claim['attention_target_met'] else 'NOT met'}).",
        f"Total time: {summary['total_seconds']:.0f} s.",
        "",
        f"Outputs in {workspace}: summary.json, table.md, plots/, evaluate/<run>/results.json.",
        next_steps(workspace),
    ]
    return "\n".join(lines)
