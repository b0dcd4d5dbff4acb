"""Accuracy figures against loops written out by hand, and the learning-rate schedule."""

import numpy as np
import pytest

from tan_keras.evaluation import metrics
from tan_keras.training.optimizers import step_decay_learning_rate


def _loop_top_k(scores, labels, k):
    hits = 0
    for row, label in zip(scores, labels):
        better = sum(1 for value in row if value > row[label])
        hits += better < k
    return hits / len(labels)


def test_top_k_matches_a_loop_on_random_scores():
    rng = np.random.default_rng(0)
    scores = rng.random((50, 12))
    labels = rng.integers(0, 12, 50)
    for k in (1, 3, 5):
        assert metrics.top_k_accuracy(scores, labels, k) == pytest.approx(_loop_top_k(scores, labels, k))


def test_hand_computed_case():
    scores = np.array([[0.7, 0.2, 0.1],   # true 0, predicted 0
                       [0.1, 0.3, 0.6],   # true 1, predicted 2
                       [0.2, 0.5, 0.3],   # true 1, predicted 1
                       [0.6, 0.1, 0.3]])  # true 2, predicted 0
    labels = np.array([0, 1, 1, 2])
    summary = metrics.summarize(scores, labels)
    assert summary["top1"] == 0.5
    assert summary["per_class"] == [1.0, 0.5, 0.0]
    assert summary["class_mean"] == pytest.approx(0.5)
    assert summary["confusion"] == [[1, 0, 0], [0, 1, 1], [1, 0, 0]]
    assert metrics.top_k_accuracy(scores, labels, 2) == 1.0  # every label is first or second


def test_classes_without_videos_are_left_out_of_the_class_mean():
    scores = np.eye(4)[[0, 0, 1]]
    summary = metrics.summarize(scores, np.array([0, 1, 1]))
    assert summary["per_class"] == [1.0, 0.5, None, None]
    assert summary["class_mean"] == pytest.approx(0.75)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"Expected scores \[N, C\] and labels \[N\]"):
        metrics.summarize(np.zeros((3, 2)), np.zeros(4, int))
    with pytest.raises(ValueError, match=r"Expected labels in \[0, 2\)"):
        metrics.summarize(np.zeros((1, 2)), np.array([2]))


def test_step_decay_schedule():
    rates = [step_decay_learning_rate(e, 0.01, 8) for e in range(8)]
    assert rates == pytest.approx([0.01] * 4 + [0.001] * 2 + [0.0001] * 2)
    assert step_decay_learning_rate(0, 0.01, 1) == 0.01
    with pytest.raises(ValueError, match="Expected 0 <= epoch < epochs"):
        step_decay_learning_rate(3, 0.01, 3)
