"""Accuracy figures of the paper's evaluation, in NumPy.

scores: [N, C] float, one row per test video; labels: [N] int, 0-based class indices.
"""

import numpy as np


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    if scores.ndim != 2 or labels.shape != (scores.shape[0],):
        raise ValueError(f"Expected scores [N, C] and labels [N]. Received: scores.shape="
                         f"{scores.shape}, labels.shape={labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= scores.shape[1]):
        raise ValueError(f"Expected labels in [0, {scores.shape[1]}). Received: labels in "
                         f"[{labels.min()}, {labels.max()}]")
    return scores, labels


def top_k_accuracy(scores: np.ndarray, labels: np.ndarray, k: int = 1) -> float:
    """Fraction of rows whose label is among the k highest scores (ties: lower index first)."""
    scores, labels = _check(scores, labels)
    k = min(k, scores.shape[1])
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == labels[:, None], axis=1)))


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """[C, C] int64 counts; row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(matrix, (np.asarray(labels), np.asarray(predictions)), 1)
    return matrix


def per_class_accuracy(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """[C] float: correct / videos of each class; NaN for classes without test videos."""
    matrix = confusion_matrix(labels, predictions, num_classes)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / np.maximum(totals, 1), np.nan)


def summarize(scores: np.ndarray, labels: np.ndarray) -> dict:
    """top1, top5, class_mean (mean of per-class accuracy over classes with videos), per_class, confusion."""
    scores, labels = _check(scores, labels)
    num_classes = scores.shape[1]
    predictions = np.argmax(scores, axis=1)
    per_class = per_class_accuracy(labels, predictions, num_classes)
    present = ~np.isnan(per_class)
    return {
        "top1": top_k_accuracy(scores, labels, 1),
        "top5": top_k_accuracy(scores, labels, 5),
        "class_mean": float(np.mean(per_class[present])) if present.any() else float("nan"),
        "per_class": [None if np.isnan(a) else float(a) for a in per_class],
        "confusion": confusion_matrix(labels, predictions, num_classes).tolist(),
        "num_videos": int(labels.shape[0]),
    }
