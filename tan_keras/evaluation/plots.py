"""Figures of the evaluation, drawn on `matplotlib.figure.Figure` objects (`new_figure`).

No pyplot and no backend: a figure is drawn by Agg and written to a file, so no display is
needed, and importing or calling this module never changes matplotlib's backend (a notebook's
inline backend stays as it was).
"""

import sys
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def plot_per_class_accuracy(per_class: dict[str, list], classes, path: Path,
                            title: str = "Per-class accuracy") -> Path:
    """Bar chart like the paper's Fig. 4: one group of bars per class, one bar per stream.

    Args:
      per_class: {stream name: [C] accuracies in [0, 1], None for classes without videos}.
      classes: [C] class names.
    """
    names = list(per_class)
    width = 0.8 / max(len(names), 1)
    positions = np.arange(len(classes))
    figure = new_figure(figsize=(max(6, 0.25 * len(classes) + 2), 4))
    axes = figure.subplots()
    for offset, name in enumerate(names):
        values = [np.nan if v is None else 100 * v for v in per_class[name]]
        axes.bar(positions + offset * width, values, width, label=name)
    axes.set_xticks(positions + 0.4 - width / 2, list(classes), rotation=90, fontsize=7)
    axes.set_ylabel("accuracy (%)")
    axes.set_ylim(0, 100)
    axes.set_title(title)
    axes.legend()
    return save_figure(figure, path)


def plot_attention(alpha: np.ndarray, beta: np.ndarray, video_ids, path: Path) -> Path:
    """The weights the last step j = T gives each snippet i, for a few videos.

    Args:
      alpha: [V, T] spatial-branch weights alpha_iT over snippets i (each row sums to 1).
      beta: [V, T] temporal-branch weights beta_kT over snippets k.
      video_ids: [V] names for the panel titles.
    """
    count = len(video_ids)
    figure = new_figure(figsize=(3 * count + 1, 3))
    axes = figure.subplots(1, count, squeeze=False)
    snippets = np.arange(1, alpha.shape[1] + 1)
    for panel, video_id in zip(axes[0], video_ids):
        index = list(video_ids).index(video_id)
        panel.plot(snippets, alpha[index], "o-", label="alpha (spatial)")
        panel.plot(snippets, beta[index], "s--", label="beta (temporal)")
        panel.set_xticks(snippets)
        panel.set_ylim(0, 1)
        panel.set_xlabel("snippet")
        panel.set_title(Path(str(video_id)).stem, fontsize=7)
    axes[0][0].set_ylabel("attention weight")
    axes[0][0].legend(fontsize=7)
    return save_figure(figure, path)


def plot_confusion_matrix(confusion: np.ndarray, classes, path: Path,
                          title: str = "Confusion matrix (rows: true class)") -> Path:
    """[C, C] counts as an image, rows normalised to the fraction of each true class."""
    confusion = np.asarray(confusion, np.float64)
    totals = confusion.sum(axis=1, keepdims=True)
    normalised = np.divide(confusion, totals, out=np.zeros_like(confusion), where=totals > 0)
    size = max(4, 0.15 * len(classes) + 2)
    figure = new_figure(figsize=(size, size))
    axes = figure.subplots()
    image = axes.imshow(normalised, vmin=0, vmax=1, cmap="viridis")
    if len(classes) <= 40:
        axes.set_xticks(range(len(classes)), list(classes), rotation=90, fontsize=6)
        axes.set_yticks(range(len(classes)), list(classes), fontsize=6)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title)
    figure.colorbar(image, ax=axes, fraction=0.046)
    return save_figure(figure, path)


def new_figure(**kwargs) -> Figure:
    """A `matplotlib.figure.Figure(**kwargs)` on an Agg canvas, outside pyplot: it needs no
    backend and no display, and is freed with its last reference (nothing to close)."""
    figure = Figure(**kwargs)
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure, path: Path) -> Path:
    """Lays out `figure`, writes it to `path` (PNG, 100 dpi; parent folders made).

    A figure made through pyplot (by a caller that uses it) is closed there afterwards; pyplot is
    not imported here.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(figure)  # a no-op for a figure pyplot does not manage
    return path
