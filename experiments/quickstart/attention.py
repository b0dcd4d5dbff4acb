"""Where TAN's attention goes on the synthetic dataset: the weight on the action snippets.

The generator's sidecar (`experiments/quickstart/generator.py`) knows each video's action segment.
The records know which frame each stored position is; the evaluation protocol takes the T
segment middles of the stored positions. Composing the two gives, for every test video, which of
its T evaluated snippets lie in the action segment, and so how much of the last step's attention
(alpha_iT over the RGB snippets i, beta_kT over the flow snippets k) lands on them.
"""

from __future__ import annotations

import numpy as np

from experiments.quickstart.generator import segment_of_position
from tan_keras import protocol


def eval_position_indices(num_positions: int, num_snippets: int) -> list[int]:
    """The stored positions the test protocol reads: the middles of T equal segments
    (`tan_keras.protocol.test_positions`, TSN's test sampling), as Python ints."""
    if num_positions < 1 or num_snippets < 1:
        raise ValueError("Expected num_positions >= 1 and num_snippets >= 1. Received: "
                         f"num_positions={num_positions}, num_snippets={num_snippets}")
    return [protocol.test_positions(num_positions, num_snippets, t) for t in range(num_snippets)]


def snippet_segments(frame_indices: list[int], num_frames: int, num_segments: int,
                     num_snippets: int) -> list[int]:
    """The video segment each evaluated snippet falls in.

    Args:
      frame_indices: [P] the frame index of each stored position (data_prep's positions).
      num_frames: N, frames in the video.
      num_segments: segments of the synthetic video (one posture each).
      num_snippets: T, snippets the model reads.

    Returns:
      [T] segment indices, one per evaluated snippet.
    """
    chosen = eval_position_indices(len(frame_indices), num_snippets)
    return [segment_of_position(frame_indices[p], num_frames, num_segments) for p in chosen]


def action_snippet_mask(segments: np.ndarray, action_segments: np.ndarray) -> np.ndarray:
    """segments [V, T] int, action_segments [V] int -> [V, T] bool, True on action snippets."""
    segments = np.asarray(segments)
    action_segments = np.asarray(action_segments)
    if segments.ndim != 2 or action_segments.shape != segments.shape[:1]:
        raise ValueError("Expected segments [V, T] and action_segments [V]. Received: "
                         f"segments.shape={segments.shape}, "
                         f"action_segments.shape={action_segments.shape}")
    return segments == action_segments[:, None]


def last_step_weights(attention: np.ndarray) -> np.ndarray:
    """attention [V, T, T] with [v, i, j] = weight of snippet i at step j -> [V, T] at j = T."""
    attention = np.asarray(attention, np.float64)
    if attention.ndim != 3 or attention.shape[1] != attention.shape[2]:
        raise ValueError(f"Expected attention [V, T, T]. Received: shape={attention.shape}")
    return attention[:, :, -1]


def action_mass(weights: np.ndarray, mask: np.ndarray) -> float:
    """Mean over videos of the weight on the action snippets.

    Args:
      weights: [V, T] last-step weights (each row sums to 1).
      mask: [V, T] bool, True on the action snippets.

    Returns:
      A fraction in [0, 1]; a uniform attention gives mean(mask.sum(1)) / T.
    """
    weights = np.asarray(weights, np.float64)
    mask = np.asarray(mask, bool)
    if weights.shape != mask.shape:
        raise ValueError(f"Expected weights and mask of one shape [V, T]. Received: "
                         f"weights.shape={weights.shape}, mask.shape={mask.shape}")
    return float(np.mean(np.sum(weights * mask, axis=1)))


def uniform_mass(mask: np.ndarray) -> float:
    """The action mass of uniform attention: mean over videos of (action snippets) / T."""
    mask = np.asarray(mask, bool)
    return float(np.mean(mask.sum(axis=1) / mask.shape[1]))
