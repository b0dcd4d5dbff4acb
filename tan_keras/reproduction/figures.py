"""The paper's figures from evaluated runs, drawn on `matplotlib.figure.Figure` objects (Agg,
without pyplot: matplotlib's backend is left alone).

Fig. 4 (UCF101 split 1): the per-class accuracy of the two-stream baseline (average late fusion)
and of TAN, the classes sorted by TAN's gain. `class_changes` turns two runs' per-class accuracies
(`results.json`'s "per_class", fractions in [0, 1]) into rows in percent; `write_fig4_csv`,
`draw_fig4` / `plot_fig4` and `fig4_markdown` write those rows as a CSV, a figure and the report's
text. The paper's numbers for the classes its text names come in as `paper_named`
({class: (two-stream %, TAN %)}), e.g. `paper_numbers.FIG4_NAMED_CLASSES`.

Fig. 3 (UCF101 split 1): the spatial, temporal and fused top-1 of each method, `draw_fig3` /
`plot_fig3`.

Example:

```python
rows = class_changes(classes, two_stream["fused"]["per_class"], tan["fused"]["per_class"])
plot_fig4(rows, "tables/fig4.png", paper_named={"Lunges": (59.4, 81.0)})
```
"""

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tan_keras.errors import IncompatibleInputError
from tan_keras.evaluation.plots import new_figure, save_figure

FIG4_CSV_HEADER = ("class", "two_stream", "tan", "improvement", "paper_two_stream", "paper_tan")
FIG3_STREAMS = ("spatial", "temporal", "fused")

_BASELINE_COLOUR, _TAN_COLOUR = "tab:blue", "tab:orange"
_GAIN_COLOUR, _LOSS_COLOUR, _EVEN_COLOUR = "tab:green", "tab:red", "0.6"
_NAMED_COLOUR = "tab:purple"


@dataclass(frozen=True)
class ClassChange:
    """One class of Fig. 4: the accuracy of each model on its test videos, in percent [0, 100].

    Attributes:
      name: the class name.
      baseline: the two-stream baseline's (average late fusion) accuracy, %.
      tan: TAN's accuracy, %.
      num_videos: the class's test videos, when known.
    """

    name: str
    baseline: float
    tan: float
    num_videos: int | None = None

    @property
    def improvement(self) -> float:
        """TAN - two-stream, in percentage points (negative: TAN is worse)."""
        return self.tan - self.baseline


def class_changes(classes: Sequence[str], baseline_per_class: Sequence[float | None],
                  tan_per_class: Sequence[float | None],
                  num_videos: Sequence[int] | None = None) -> list[ClassChange]:
    """Per-class accuracies of the two models -> Fig. 4's rows, largest gain first.

    Args:
      classes: [C] class names.
      baseline_per_class: [C] the two-stream baseline's accuracies in [0, 1]; None (or NaN) for a
        class without test videos, as in `results.json`'s "per_class".
      tan_per_class: [C] TAN's, the same way.
      num_videos: optional [C] test videos per class.

    Returns:
      One `ClassChange` (percent) per class that has an accuracy in both models, sorted by the
      improvement, descending; ties by class name.

    Raises:
      IncompatibleInputError (a ValueError): the lengths differ, or an accuracy is outside [0, 1].
    """
    lengths = {"baseline_per_class": len(baseline_per_class),
               "tan_per_class": len(tan_per_class)}
    if num_videos is not None:
        lengths["num_videos"] = len(num_videos)
    if any(length != len(classes) for length in lengths.values()):
        received = ", ".join(f"len({name})={length}" for name, length in lengths.items())
        raise IncompatibleInputError(
            f"Expected one accuracy per class (both runs evaluated on the same classes). "
            f"Received: len(classes)={len(classes)}, {received}")
    rows = []
    for index, name in enumerate(classes):
        baseline = _fraction(baseline_per_class[index], "baseline_per_class", index)
        tan = _fraction(tan_per_class[index], "tan_per_class", index)
        if baseline is None or tan is None:
            continue
        count = None if num_videos is None else int(num_videos[index])
        rows.append(ClassChange(str(name), 100.0 * baseline, 100.0 * tan, count))
    return _figure_order(rows)


def write_fig4_csv(rows: Sequence[ClassChange], path,
                   paper_named: Mapping[str, tuple[float, float]] | None = None) -> Path:
    """Writes Fig. 4's numbers: one line per class in the figure's order, percent, 2 decimals.

    Columns `FIG4_CSV_HEADER`: class, two_stream, tan, improvement (points), paper_two_stream,
    paper_tan (empty unless the paper's text names the class). Parent folders are made.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(FIG4_CSV_HEADER)
        for row in _figure_order(rows):
            paper = _paper_values(row.name, paper_named)
            writer.writerow([row.name, f"{row.baseline:.2f}", f"{row.tan:.2f}",
                             f"{row.improvement:.2f}",
                             *(("", "") if paper is None else (f"{paper[0]:.2f}",
                                                               f"{paper[1]:.2f}"))])
    return path


def draw_fig4(rows: Sequence[ClassChange],
              paper_named: Mapping[str, tuple[float, float]] | None = None,
              num_labelled: int = 5,
              title: str = "Fig. 4: per-class accuracy, two-stream (average fusion) vs TAN"):
    """Fig. 4 as a matplotlib Figure (not saved): two panels over the classes, largest gain first.

    Top: each model's accuracy (%) per class, a vertical segment joining the two; the paper's
    numbers for the classes it names as hollow markers. Bottom: TAN - two-stream in points as bars
    (gains green, losses red), the `num_labelled` largest gains and largest losses (< 0) labelled
    with name and value across the zero line from their bars. Every class is an x tick label;
    the named classes' labels are bold and coloured. The width grows with the number of classes
    (6 to 24 inches) and the tick labels shrink (9 to 5 pt), so 101 classes stay readable; one
    class still draws, and no class draws a figure that says so.

    Args:
      rows: `class_changes`'s rows (drawn in their sorted order whatever order they come in).
      paper_named: {class: (two-stream %, TAN %)} the paper's numbers for the classes it names.
      num_labelled: how many gains and how many losses to label.

    Returns:
      The Figure; `figure.axes` = [accuracy panel, improvement panel].
    """
    rows = _figure_order(rows)
    count = len(rows)
    width = min(24.0, max(6.0, 0.17 * count + 3.0))
    figure = new_figure(figsize=(width, 9.0))
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1]})
    figure.suptitle(title)
    if not count:
        top.text(0.5, 0.5, "no class has test videos in both runs", ha="center", va="center",
                 transform=top.transAxes)
        return figure
    positions = np.arange(count)
    baseline = np.array([row.baseline for row in rows])
    tan = np.array([row.tan for row in rows])
    improvement = np.array([row.improvement for row in rows])
    marker_size = float(np.clip(900.0 / count, 4.0, 8.0))

    top.vlines(positions, np.minimum(baseline, tan), np.maximum(baseline, tan), color="0.7",
               linewidth=1.0, zorder=1)
    top.plot(positions, baseline, "o", color=_BASELINE_COLOUR, markersize=marker_size,
             label="two-stream (ours)", zorder=2)
    top.plot(positions, tan, "D", color=_TAN_COLOUR, markersize=marker_size * 0.85,
             label="TAN (ours)", zorder=3)
    named = [(index, paper) for index, row in enumerate(rows)
             if (paper := _paper_values(row.name, paper_named)) is not None]
    if named:
        indices = [index for index, _ in named]
        top.plot(indices, [paper[0] for _, paper in named], "s", markerfacecolor="none",
                 markeredgecolor=_BASELINE_COLOUR, markeredgewidth=1.5,
                 markersize=marker_size + 5, label="two-stream (paper)", zorder=4)
        top.plot(indices, [paper[1] for _, paper in named], "*", markerfacecolor="none",
                 markeredgecolor=_TAN_COLOUR, markeredgewidth=1.5, markersize=marker_size + 8,
                 label="TAN (paper)", zorder=4)
        for index in indices:
            top.axvline(index, color=_NAMED_COLOUR, alpha=0.15, linewidth=6.0, zorder=0)
    top.set_ylim(-3, 103)
    top.set_ylabel("accuracy (%)")
    top.grid(axis="y", alpha=0.3)

    colours = [_GAIN_COLOUR if v > 0 else _LOSS_COLOUR if v < 0 else _EVEN_COLOUR
               for v in improvement]
    bottom.bar(positions, improvement, width=0.8, color=colours)
    bottom.axhline(0.0, color="0.3", linewidth=0.8)
    bottom.set_ylabel("TAN - two-stream (points)")
    bottom.grid(axis="y", alpha=0.3)
    handles, _ = top.get_legend_handles_labels()
    handles += [Patch(color=_GAIN_COLOUR, label="TAN better"),
                Patch(color=_LOSS_COLOUR, label="TAN worse")]
    top.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=8,
               ncol=len(handles) if width >= 12 else 3, frameon=False)

    fontsize = _tick_fontsize(count, width)
    bottom.set_xlim(-0.7, count - 0.3)
    bottom.set_xticks(positions, [row.name for row in rows], rotation=90, fontsize=fontsize)
    for label, row in zip(bottom.get_xticklabels(), rows):
        if _paper_values(row.name, paper_named) is not None:
            label.set_fontweight("bold")
            label.set_color(_NAMED_COLOUR)
    bottom.set_xlabel("class, sorted by TAN's gain"
                      + ("; the paper's named classes in bold" if named else ""))
    _label_extremes(figure, bottom, rows, num_labelled, fontsize=min(fontsize, 8.0))
    return figure


def plot_fig4(rows: Sequence[ClassChange], path,
              paper_named: Mapping[str, tuple[float, float]] | None = None,
              num_labelled: int = 5) -> Path:
    """`draw_fig4` written to `path` (PNG, 100 dpi); returns the path."""
    return save_figure(draw_fig4(rows, paper_named, num_labelled), path)


def fig4_markdown(rows: Sequence[ClassChange], image_name: str, csv_name: str,
                  paper_named: Mapping[str, tuple[float, float]] | None = None,
                  num_listed: int = 5) -> str:
    """The report's text for Fig. 4: the image, the counts, the named classes, the extremes.

    Args:
      rows: `class_changes`'s rows.
      image_name, csv_name: the figure's PNG and CSV, as the report links them (relative).
      paper_named: {class: (two-stream %, TAN %)} the paper's numbers for the classes it names.
      num_listed: how many gains and how many losses to list.

    Returns:
      Markdown ending in a newline, no heading (the report gives it one).
    """
    rows = _figure_order(rows)
    lines = [f"![Fig. 4: per-class accuracy, two-stream vs TAN]({image_name})", "",
             f"Per-class accuracies of both models: [{csv_name}]({csv_name}).", ""]
    if not rows:
        return "\n".join(lines + ["No class has test videos in both runs.", ""])
    better = sum(row.improvement > 0 for row in rows)
    worse = sum(row.improvement < 0 for row in rows)
    mean = float(np.mean([row.improvement for row in rows]))
    lines += [f"Over the {len(rows)} classes with test videos in both runs, TAN is better on "
              f"{better}, worse on {worse} and equal on {len(rows) - better - worse}; "
              f"mean change {mean:+.1f} points.", ""]
    if paper_named:
        by_name = {row.name.casefold(): row for row in rows}
        lines += ["The classes the paper names, accuracy % two-stream -> TAN:", "",
                  "| class | ours | paper |", "| --- | --- | --- |"]
        for name, (paper_baseline, paper_tan) in paper_named.items():
            row = by_name.get(name.casefold())
            ours = ("not in these records" if row is None
                    else f"{row.baseline:.1f} -> {row.tan:.1f} ({row.improvement:+.1f})")
            lines.append(f"| {name} | {ours} | {paper_baseline:.1f} -> {paper_tan:.1f} "
                         f"({paper_tan - paper_baseline:+.1f}) |")
        lines.append("")
    gains = [row for row in rows if row.improvement > 0][:num_listed]
    losses = [row for row in reversed(rows) if row.improvement < 0][:num_listed]
    for kind, listed in (("gains", gains), ("losses", losses)):
        if not listed:
            lines += [f"Largest {kind}: none.", ""]
            continue
        lines += [f"Largest {kind}, accuracy %:", "",
                  "| class | two-stream | TAN | change (points) |", "| --- | --- | --- | --- |"]
        lines += [f"| {row.name} | {row.baseline:.1f} | {row.tan:.1f} | {row.improvement:+.1f} |"
                  for row in listed]
        lines.append("")
    return "\n".join(lines)


def draw_fig3(measured: Mapping[str, Mapping[str, float | None]],
              titles: Mapping[str, str] | None = None,
              paper_fused: Mapping[str, float | None] | None = None,
              title: str = "Fig. 3: top-1 accuracy of each method",
              paper_branches: Mapping[str, Mapping[str, float | None]] | None = None):
    """Fig. 3 as a matplotlib Figure (not saved): grouped bars, one group per method.

    Args:
      measured: {model name: {"spatial", "temporal", "fused": top-1 %, None when not measured}},
        drawn in the given order; other keys are ignored. A None draws no bar (height NaN)
        but an "n/a" where the bar would be.
      titles: {model name: label} (the model name where absent).
      paper_fused: {model name: the paper's fused top-1 %}, drawn where given as a black
        triangle pointing at the fused bar's right edge at the paper's height.
      paper_branches: {model name: {"spatial", "temporal": the paper's top-1 %}}, drawn where
        given as grey triangles at those bars' right edges (one line after the fused one).

    Returns:
      The Figure; its one axes holds the bars stream by stream: all spatial, all temporal, all
      fused, each in the models' order.
    """
    titles = titles or {}
    paper_fused = paper_fused or {}
    models = list(measured)
    positions = np.arange(len(models))
    width = 0.8 / len(FIG3_STREAMS)
    figure = new_figure(figsize=(max(6.0, 1.5 * len(models) + 2.0), 4.5))
    axes = figure.subplots()
    for offset, (stream, colour) in enumerate(zip(FIG3_STREAMS,
                                                  ("tab:blue", "tab:orange", "tab:green"))):
        values = [_percent_or_nan(measured[model].get(stream)) for model in models]
        bars = axes.bar(positions + (offset - 1) * width, values, width, label=stream,
                        color=colour)
        axes.bar_label(bars, labels=["" if math.isnan(v) else f"{v:.1f}" for v in values],
                       fontsize=7, padding=1)
        for position, value in zip(positions + (offset - 1) * width, values):
            if math.isnan(value):  # Not measured: say so rather than leave a gap that reads as 0.
                axes.text(position, 1.0, "n/a", rotation=90, ha="center", va="bottom",
                          fontsize=7, color="0.4")
    paper = [(index, paper_fused[model]) for index, model in enumerate(models)
             if paper_fused.get(model) is not None]
    if paper:
        # A black triangle pointing at the fused bar's right edge, clear of the bar's label.
        axes.plot([positions[index] + 1.5 * width + 0.04 for index, _ in paper],
                  [value for _, value in paper], "k<", markersize=7, label="fused (paper)")
    branches = [(positions[index] + (offset - 0.5) * width + 0.04, value)
                for index, model in enumerate(models)
                for offset, stream in enumerate(FIG3_STREAMS[:2])
                if (value := (paper_branches or {}).get(model, {}).get(stream)) is not None]
    if branches:
        axes.plot([x for x, _ in branches], [y for _, y in branches], "<", color="0.45",
                  markersize=6, label="branch (paper)")
    axes.set_xticks(positions, [titles.get(model, model) for model in models], fontsize=9)
    axes.set_ylim(0, 105)
    axes.set_ylabel("top-1 accuracy (%)")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return figure


def plot_fig3(measured: Mapping[str, Mapping[str, float | None]], path,
              titles: Mapping[str, str] | None = None,
              paper_fused: Mapping[str, float | None] | None = None,
              paper_branches: Mapping[str, Mapping[str, float | None]] | None = None) -> Path:
    """`draw_fig3` written to `path` (PNG, 100 dpi); returns the path."""
    return save_figure(draw_fig3(measured, titles, paper_fused,
                                 paper_branches=paper_branches), path)


def _figure_order(rows: Sequence[ClassChange]) -> list[ClassChange]:
    """Largest improvement first; ties (to 1e-9 points) by class name."""
    return sorted(rows, key=lambda row: (-round(row.improvement, 9), row.name))


def _fraction(value, name: str, index: int) -> float | None:
    if value is None or math.isnan(float(value)):
        return None
    if not 0.0 <= float(value) <= 1.0:
        raise IncompatibleInputError(f"Expected per-class accuracies as fractions in [0, 1]. "
                                     f"Received: {name}[{index}]={value}")
    return float(value)


def _percent_or_nan(value) -> float:
    return math.nan if value is None else float(value)


def _paper_values(name: str, paper_named) -> tuple[float, float] | None:
    """The paper's (two-stream, TAN) for `name`, matched without regard to case; else None."""
    for paper_name, values in (paper_named or {}).items():
        if paper_name.casefold() == name.casefold():
            return values
    return None


def _tick_fontsize(count: int, width: float) -> float:
    """9 pt for a few classes, down to 5 pt: about 0.8 of each class's share of the width."""
    share = (width - 1.5) * 72.0 / max(count, 1)
    return float(np.clip(0.8 * share, 5.0, 9.0))


def _label_extremes(figure, axes, rows: list[ClassChange], num_labelled: int,
                    fontsize: float) -> None:
    """Labels the largest gains and losses with name and value, each label on the other side of
    the zero line from its bar (space the sorted bars leave empty: gains are all left of the
    losses), and sets the y limits so that the vertical labels fit (measured on the laid-out
    figure)."""
    improvement = [row.improvement for row in rows]
    gains = [i for i in range(len(rows)) if improvement[i] > 0][:num_labelled]
    losses = [i for i in reversed(range(len(rows))) if improvement[i] < 0][:num_labelled]
    labels = [(index, axes.text(index, 0.0, f"{rows[index].name} {improvement[index]:+.1f}",
                                rotation=90, ha="center", fontsize=fontsize,
                                va="top" if index in gains else "bottom"))
              for index in gains + losses]
    low, high = min(improvement + [0.0]), max(improvement + [0.0])
    margin = max(high - low, 1.0) * 0.05
    low, high = low - margin, high + margin
    if labels:
        figure.tight_layout()
        renderer = figure.canvas.get_renderer()
        panel = axes.get_window_extent(renderer).height
        gap = 3.0 / panel  # A few pixels between the zero line and a label, as a fraction.
        # Each label's height with its gap, as a fraction of the panel's height.
        fractions = {index: min(text.get_window_extent(renderer).height / panel + 2 * gap, 0.45)
                     for index, text in labels}
        bars_low, bars_high = low, high
        for _ in range(50):  # Fixed point of: the limits hold every label at the current range.
            span = high - low
            low = min([bars_low] + [-fractions[i] * span for i in gains])
            high = max([bars_high] + [fractions[i] * span for i in losses])
        for index, text in labels:
            text.set_y((-gap if index in gains else gap) * (high - low))
    axes.set_ylim(low, high)
