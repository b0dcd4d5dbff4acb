"""Temporal localisation from the windows' scores and TAN's attention: `localise`.

Weak localisation from a classifier: the model was trained to name the action of a whole clip,
never to mark where an action starts or ends, so the segments are where the model's evidence
for a class sits, not annotated boundaries. The rule:

1. A window votes for class c when its fused score for c is at least `score_threshold`.
2. In such a window, a snippet is *active* when its attention (the mean of alpha and beta at the
   last step, `WindowResult.attention`) is at least `attention_threshold` x 1 / T, i.e. at least
   that multiple of the uniform weight (1.0: no less than uniform). A model without attention
   makes every snippet of a voting window active.
3. An active snippet at time t covers [t - d / 2, t + d / 2), d the window's snippet spacing
   (window length / T), clipped to its window.
4. The intervals of a class are merged where they overlap or are less than `max_gap_s` apart;
   a segment shorter than `min_length_s` is dropped. A segment's score is the mean fused score
   of c over the voting windows whose active snippets made it.

So segments of different classes may overlap, and a class the model is unsure of (under the
score threshold everywhere) has none.
"""

import dataclasses

import numpy as np

SEGMENT_COLUMNS = ("start_s", "end_s", "class", "score", "windows")  # a segment's row

@dataclasses.dataclass(frozen=True)
class Segment:
    """start_s, end_s: seconds; label: the class name; score: the mean fused score of its
    windows; windows: their indices."""
    start_s: float
    end_s: float
    label: str
    score: float
    windows: tuple

    def row(self) -> dict:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
                "class": self.label, "score": round(self.score, 4),
                "windows": list(self.windows)}


def active_intervals(result, class_index: int, score_threshold: float,
                     attention_threshold: float) -> list[tuple[float, float]]:
    """The [start, end) seconds that window `result` (a `WindowResult`) gives class
    `class_index` (steps 1 to 3 above); [] when it does not vote for it."""
    if float(result.fused[class_index]) < score_threshold:
        return []
    times = np.asarray(result.snippet_times, np.float64)
    num_snippets = len(times)
    spacing = (result.end_s - result.start_s) / num_snippets
    weights = result.attention()
    active = (np.ones(num_snippets, bool) if weights is None
              else np.asarray(weights) >= attention_threshold / num_snippets)
    return [(max(result.start_s, t - spacing / 2), min(result.end_s, t + spacing / 2))
            for t, on in zip(times, active) if on]


def localise(results, classes, *, score_threshold: float = 0.5,
             attention_threshold: float = 1.0, max_gap_s: float = 0.0,
             min_length_s: float = 0.0) -> list[Segment]:
    """Segments (start, end, class, score) of the windows' results, by the rule above.

    Args:
      results: `windows.WindowResult`s, in any order.
      classes: the C class names.
      score_threshold: a window's fused score for a class at least this votes for it.
      attention_threshold: a snippet is active at attention >= this x 1 / T.
      max_gap_s: intervals less than this apart are joined (0: only touching or overlapping).
      min_length_s: shorter segments are dropped.

    Returns:
      The segments, by start time, then class.
    """
    segments = []
    for class_index, label in enumerate(classes):
        pieces = []  # (start, end, window index, score)
        for result in results:
            for start, end in active_intervals(result, class_index, score_threshold,
                                               attention_threshold):
                pieces.append((start, end, result.index, float(result.fused[class_index])))
        pieces.sort()
        current = None
        for start, end, window, score in pieces:
            if current is not None and start <= current["end"] + max_gap_s + 1e-9:
                current["end"] = max(current["end"], end)
                current["scores"][window] = score
                continue
            if current is not None:
                segments.append(current)
            current = {"start": start, "end": end, "label": label, "scores": {window: score}}
        if current is not None:
            segments.append(current)
    kept = [Segment(s["start"], s["end"], s["label"], float(np.mean(list(s["scores"].values()))),
                    tuple(sorted(s["scores"])))
            for s in segments if s["end"] - s["start"] >= min_length_s]
    return sorted(kept, key=lambda s: (s.start_s, s.label))
