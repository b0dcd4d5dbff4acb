"""Scores of one video from a test-view model (`loading.load_video_model`)."""

import numpy as np

STREAMS = ("spatial", "temporal", "fused")


def predict_video(video_model, clip: dict) -> dict:
    """Runs the model on one video's clip.

    Args:
      video_model: a `loading.VideoModel` (`load_video_model` of a run or an export).
      clip: {'rgb': [T, H, W, 3] uint8, 'flow': [T, H, W, 2] uint8}
        (`data_prep.decoding.model_input.video_clip`).

    Returns:
      {'spatial', 'temporal', 'fused': [C] probabilities averaged over the 10 views, and for TAN
       'alpha', 'beta': [T, T]}.
    """
    outputs = video_model.predict({"rgb": clip["rgb"][None], "flow": clip["flow"][None]})
    return {name: np.asarray(value)[0] for name, value in outputs.items()}


def top_classes(probabilities: np.ndarray, classes, k: int = 5) -> list[tuple[str, float]]:
    """The k most probable classes, [(name, probability)], most probable first."""
    order = np.argsort(-np.asarray(probabilities), kind="stable")[:k]
    return [(str(classes[i]), float(probabilities[i])) for i in order]
