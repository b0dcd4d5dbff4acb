"""A figure in the spirit of the paper's Fig. 1: a video's sampled frames and flow, with the
attention each snippet gets. Drawn on a `matplotlib.figure.Figure`, without pyplot: matplotlib's
backend is left alone."""

from pathlib import Path

import numpy as np

from tan_keras.evaluation.plots import new_figure, save_figure


def plot_prediction(clip: dict, outputs: dict, classes, path, title: str = "") -> Path:
    """The T sampled frames (top), their flow images (middle; x, y and their quadratic mean as
    red, green and blue), and alpha and beta at the last step (bottom), with the top classes.

    Args:
      clip: {'rgb': [T, H, W, 3] uint8, 'flow': [T, H, W, 2] uint8, 'frame_indices': [T]}.
      outputs: `predict.predict_video`'s; 'alpha' and 'beta' [T, T] when the model has them.
      classes: the class names.
      path: the PNG to write.
    """
    num_snippets = len(clip["rgb"])
    attention = "alpha" in outputs
    rows = 3 if attention else 2
    figure = new_figure(figsize=(2.2 * num_snippets, 2.0 * rows + 0.6))
    axes = figure.subplots(rows, num_snippets, squeeze=False)
    flow = clip["flow"].astype(np.float32)
    magnitude = np.sqrt((flow[..., 0] ** 2 + flow[..., 1] ** 2) / 2.0)
    flow_image = np.concatenate([flow, magnitude[..., None]], axis=-1).astype(np.uint8)
    for t in range(num_snippets):
        axes[0][t].imshow(clip["rgb"][t])
        axes[0][t].set_title(f"frame {clip['frame_indices'][t]}", fontsize=8)
        axes[1][t].imshow(flow_image[t])
        for row in axes[:2]:
            row[t].axis("off")
    if attention:
        for t in range(num_snippets):
            panel = axes[2][t]
            panel.bar([0, 1], [outputs["alpha"][t, -1], outputs["beta"][t, -1]],
                      color=["tab:blue", "tab:orange"])
            panel.set_xticks([0, 1], ["alpha", "beta"], fontsize=8)
            panel.set_ylim(0, 1)
            panel.axhline(1.0 / num_snippets, color="gray", linestyle=":")
            if t:
                panel.set_yticks([])
        axes[2][0].set_ylabel("weight at the last step", fontsize=8)
    best = ", ".join(f"{stream} {classes[int(np.argmax(outputs[stream]))]} "
                     f"{100 * float(np.max(outputs[stream])):.0f}%"
                     for stream in ("spatial", "temporal", "fused"))
    figure.suptitle(f"{title}\n{best}" if title else best, fontsize=9)
    return save_figure(figure, path)
