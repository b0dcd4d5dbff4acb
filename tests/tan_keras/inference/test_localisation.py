"""tan_keras.inference.localisation on windows made by hand: the segments worked out on paper."""

import pytest

from tan_keras.inference.localisation import active_intervals, localise
from tests.tan_keras.inference.window_results import CLASSES, window

UNIFORM = [0.25] * 4


def test_active_snippets_are_those_with_attention_at_least_the_threshold_times_uniform():
    # [0, 4) s, 4 snippets at 0.5, 1.5, 2.5, 3.5 s, each covering 1 s; the mean of alpha and
    # beta is 0.1, 0.2, 0.3, 0.4 against the uniform 0.25.
    result = window(0, 0.0, 4.0, [0.7, 0.2, 0.1], alpha=[0.1, 0.2, 0.3, 0.4],
                    beta=[0.1, 0.2, 0.3, 0.4])
    assert active_intervals(result, 0, 0.5, 1.0) == [(2.0, 3.0), (3.0, 4.0)]
    assert active_intervals(result, 0, 0.5, 0.0) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert active_intervals(result, 1, 0.5, 1.0) == []  # run's 0.2 is under the threshold


def test_segments_merge_a_class_over_windows_and_keep_classes_apart():
    results = [
        window(0, 0.0, 4.0, [0.8, 0.1, 0.1], alpha=UNIFORM, beta=UNIFORM),       # walk: all 4 s
        window(1, 2.0, 6.0, [0.6, 0.3, 0.1], alpha=[0.4, 0.4, 0.1, 0.1],          # walk: 2-4 s
               beta=[0.4, 0.4, 0.1, 0.1]),
        window(2, 4.0, 8.0, [0.1, 0.7, 0.2], alpha=[0.1, 0.1, 0.4, 0.4],          # run: 6-8 s
               beta=[0.1, 0.1, 0.4, 0.4]),
        window(3, 8.0, 12.0, [0.2, 0.2, 0.6], alpha=[0.4, 0.1, 0.1, 0.4],         # jump: 8-9,
               beta=[0.4, 0.1, 0.1, 0.4]),                                        # 11-12 s
    ]
    segments = localise(results, CLASSES, score_threshold=0.5, attention_threshold=1.0)
    assert [(s.start_s, s.end_s, s.label, s.windows) for s in segments] == [
        (0.0, 4.0, "walk", (0, 1)), (6.0, 8.0, "run", (2,)), (8.0, 9.0, "jump", (3,)),
        (11.0, 12.0, "jump", (3,))]
    assert segments[0].score == pytest.approx((0.8 + 0.6) / 2)
    joined = localise(results, CLASSES, score_threshold=0.5, max_gap_s=2.0, min_length_s=2.5)
    assert [(s.start_s, s.end_s, s.label) for s in joined] == [(0.0, 4.0, "walk"),
                                                               (8.0, 12.0, "jump")]


def test_a_model_without_attention_makes_every_snippet_of_a_voting_window_count():
    segments = localise([window(0, 0.0, 2.0, [0.1, 0.9, 0.0])], CLASSES)
    assert [(s.start_s, s.end_s, s.label, s.row()["score"]) for s in segments] == [
        (0.0, 2.0, "run", 0.9)]
