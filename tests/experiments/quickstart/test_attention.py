"""Bookkeeping of the attention on action snippets, against hand-computed cases and the reader."""

import numpy as np
import pytest

from data_prep.decoding.positions import position_indices
from experiments.quickstart import attention as qa


def test_eval_positions_match_the_readers_sampling():
    import tensorflow as tf

    from tan_keras.data.sampling import eval_positions

    assert qa.eval_position_indices(25, 5) == [2, 7, 12, 17, 22]
    for num_positions in (1, 3, 7, 15, 24, 49):
        expected = eval_positions(tf.constant(num_positions), 5).numpy().tolist()
        assert qa.eval_position_indices(num_positions, 5) == expected
        assert all(type(position) is int for position in qa.eval_position_indices(num_positions, 5))
    with pytest.raises(ValueError, match="Expected num_positions >= 1"):
        qa.eval_position_indices(0, 5)


def test_fifteen_positions_of_ten_frame_segments_give_one_snippet_per_segment():
    frames = position_indices(50, 15)  # data_prep's stored positions of a 5 x 10-frame video.
    assert frames == [1, 4, 8, 11, 14, 17, 21, 24, 27, 31, 34, 37, 40, 44, 47]
    # Evaluated positions 1, 4, 7, 10, 13 are frames 4, 14, 24, 34, 44.
    assert qa.snippet_segments(frames, 50, 5, 5) == [0, 1, 2, 3, 4]
    # Every position stays clear of a segment's last frame (whose flow crosses a boundary).
    assert all(k % 10 != 9 for k in frames)


def test_misaligned_positions_are_reported_as_they_are():
    # 4 stored positions of a 50-frame video: frames 6, 18, 30, 42 (segments 0, 1, 3, 4).
    # T = 5 snippets read positions 0, 1, 2, 2, 3: segment 2 is never seen, segment 3 twice.
    frames = position_indices(50, 4)
    assert frames == [6, 18, 30, 42]
    assert qa.snippet_segments(frames, 50, 5, 5) == [0, 1, 3, 3, 4]


def test_action_mass_by_hand():
    alpha = np.zeros((2, 3, 3))
    alpha[0, :, -1] = [0.2, 0.5, 0.3]
    alpha[1, :, -1] = [0.6, 0.3, 0.1]
    alpha[:, :, 0] = 1 / 3  # Earlier steps are ignored.
    weights = qa.last_step_weights(alpha)
    mask = qa.action_snippet_mask(np.array([[0, 1, 2], [0, 0, 2]]), np.array([1, 0]))
    assert mask.tolist() == [[False, True, False], [True, True, False]]
    assert qa.action_mass(weights, mask) == pytest.approx((0.5 + 0.9) / 2)
    assert qa.uniform_mass(mask) == pytest.approx((1 / 3 + 2 / 3) / 2)
    uniform = np.full((2, 3), 1 / 3)
    assert qa.action_mass(uniform, mask) == pytest.approx(qa.uniform_mass(mask))


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"Expected attention \[V, T, T\]. Received: shape=\(2, 3\)"):
        qa.last_step_weights(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="Expected segments"):
        qa.action_snippet_mask(np.zeros((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="Expected weights and mask of one shape"):
        qa.action_mass(np.zeros((2, 3)), np.zeros((2, 4), bool))
