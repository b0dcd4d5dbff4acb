"""The attention timeline of a long video: what the model says over time, and where it looks.

Top panel: the fused score of the top classes (those with the highest score in any window) at
each window, drawn as a step over the window's centre half-way to its neighbours, with the
segments of `localisation.localise` as bands. Bottom panel: each stream's attention (alpha for
the spatial stream, beta for the temporal one, at the last step) at each snippet's time, with a
dotted line at the uniform weight 1 / T. Both panels mark the windows' boundaries.
"""

from pathlib import Path

import numpy as np

from tan_keras.evaluation.plots import new_figure, save_figure


def timeline_series(results, classes, num_classes: int = 3) -> dict:
    """The numbers the figure draws, for a test or another plot.

    Returns:
      {'centres': [N] window centres in seconds, 'bounds': [N, 2] starts and ends,
       'scores': {class: [N] fused score} for the `num_classes` classes of highest peak,
       'snippet_times': [N * T], 'alpha', 'beta': [N * T] (absent without attention)}.
    """
    results = sorted(results, key=lambda r: r.index)
    fused = np.stack([r.fused for r in results]) if results else np.zeros((0, len(classes)))
    peaks = fused.max(axis=0) if len(fused) else np.zeros(len(classes))
    chosen = np.argsort(-peaks, kind="stable")[:num_classes]
    series = {"centres": np.array([(r.start_s + r.end_s) / 2 for r in results]),
              "bounds": np.array([[r.start_s, r.end_s] for r in results]).reshape(-1, 2),
              "scores": {str(classes[c]): fused[:, c] for c in chosen},
              "snippet_times": np.array([t for r in results for t in r.snippet_times])}
    if results and results[0].alpha is not None:
        for name in ("alpha", "beta"):
            series[name] = np.concatenate([getattr(r, name) for r in results])
    return series


def plot_timeline(results, classes, path, *, segments=(), title: str = "",
                  num_classes: int = 3) -> Path:
    """Writes the timeline PNG of the windows' results (`windows.WindowResult`s) to `path`."""
    series = timeline_series(results, classes, num_classes)
    attention = "alpha" in series
    figure = new_figure(figsize=(11, 5.5 if attention else 3.2))
    axes = figure.subplots(2 if attention else 1, 1, sharex=True, squeeze=False)[:, 0]
    scores_axis = axes[0]
    colours = {}
    for name, values in series["scores"].items():
        (line,) = scores_axis.step(series["centres"], values, where="mid", label=name)
        scores_axis.plot(series["centres"], values, "o", color=line.get_color(), markersize=3)
        colours[name] = line.get_color()
    for segment in segments:
        scores_axis.axvspan(segment.start_s, segment.end_s, ymin=0.0, ymax=0.06,
                            color=colours.get(segment.label, "gray"), alpha=0.8)
    scores_axis.set_ylim(0, 1.02)
    scores_axis.set_ylabel("fused score")
    scores_axis.legend(loc="upper right", fontsize=8, ncol=len(colours) or 1)
    if attention:
        weights_axis = axes[1]
        times = series["snippet_times"]
        weights_axis.plot(times, series["alpha"], "o", color="tab:blue", markersize=4,
                          label="alpha (spatial)")
        weights_axis.plot(times, series["beta"], "s", color="tab:orange", markersize=4,
                          label="beta (temporal)")
        num_snippets = len(results[0].snippet_times) if results else 1
        weights_axis.axhline(1.0 / num_snippets, color="gray", linestyle=":",
                             label="uniform 1 / T")
        weights_axis.set_ylim(0, 1.02)
        weights_axis.set_ylabel("attention at the last step")
        weights_axis.legend(loc="upper right", fontsize=8, ncol=3)
    for axis in axes:
        for start, end in series["bounds"]:
            axis.axvline(start, color="lightgray", linewidth=0.8, zorder=0)
            axis.axvline(end, color="lightgray", linewidth=0.8, zorder=0)
    axes[-1].set_xlabel("time (s)")
    if title:
        figure.suptitle(title, fontsize=9)
    return save_figure(figure, path)
