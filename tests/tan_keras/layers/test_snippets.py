"""FoldSnippets, UnfoldSnippets and LastSnippet: the shared layer checks, cases computed by
hand, and the round trip fold -> unfold."""

import keras
import numpy as np
import pytest

from tan_keras.layers import FoldSnippets, LastSnippet, UnfoldSnippets
from tests.helpers.layer_checks import check_layer

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

B, T, D = 2, 3, 2
CLIPS = np.arange(B * T * D, dtype="float32").reshape(B, T, D)  # CLIPS[b, t] = 6b + 2t + [0, 1]


def test_fold_puts_snippet_t_of_clip_b_at_row_b_times_t(tmp_path):
    # Row b * T + t is CLIPS[b, t]: rows 0..5 are [0, 1], [2, 3], ..., [10, 11].
    folded = np.array([[2 * r, 2 * r + 1] for r in range(B * T)], "float32")
    check_layer(FoldSnippets, CLIPS, expected_shapes=[(B * T, D)], expected_num_weights=0,
                tmp_path=tmp_path, numeric_case=(FoldSnippets, [folded]))


def test_unfold_is_the_inverse_of_fold(tmp_path):
    rows = CLIPS.reshape(B * T, D)
    check_layer(lambda: UnfoldSnippets(T), rows, expected_shapes=[(B, T, D)],
                expected_num_weights=0, tmp_path=tmp_path,
                numeric_case=(lambda: UnfoldSnippets(T), [CLIPS]))
    frames = np.random.default_rng(0).normal(size=(B, T, 4, 5, 3)).astype("float32")
    back = UnfoldSnippets(T)(FoldSnippets()(frames))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(back), frames)


def test_last_snippet_is_step_t(tmp_path):
    last = np.array([[4, 5], [10, 11]], "float32")
    check_layer(LastSnippet, CLIPS, expected_shapes=[(B, D)], expected_num_weights=0,
                tmp_path=tmp_path, numeric_case=(LastSnippet, [last]))


def test_symbolic_shapes_and_errors():
    assert FoldSnippets().compute_output_shape((None, T, 8, 8, 3)) == (None, 8, 8, 3)
    assert FoldSnippets().compute_output_shape((4, T, 8)) == (4 * T, 8)
    assert UnfoldSnippets(T).compute_output_shape((None, 16)) == (None, T, 16)
    assert UnfoldSnippets(T).compute_output_shape((12, 16)) == (4, T, 16)
    assert LastSnippet().compute_output_shape((None, T, 16)) == (None, 16)
    with pytest.raises(ValueError, match=r"Expected inputs \[B, T, \.\.\.\]. Received: "
                                         r"input_shape=\(4, 3\)"):
        FoldSnippets().compute_output_shape((4, 3))
    with pytest.raises(ValueError, match=r"Expected `num_snippets` to be a positive integer. "
                                         r"Received: num_snippets=0"):
        UnfoldSnippets(0)
