"""The score-file format and late fusion, checked against NumPy sums by hand."""

import json
from pathlib import Path

import numpy as np
import pytest

from tan_keras.evaluation import fusion
from tan_keras.evaluation.scores import load_scores, save_scores

CLASSES = ["a", "b", "c"]


def _write(path, video_ids, labels, **streams):
    return save_scores(path, video_ids, labels, CLASSES, **streams)


def test_round_trip(tmp_path):
    spatial = np.random.default_rng(1).random((2, 3)).astype(np.float32)
    _write(tmp_path / "s.npz", ["x.avi", "y.avi"], [0, 2], spatial=spatial, temporal=spatial * 2)
    loaded = load_scores(tmp_path / "s.npz")
    assert list(loaded["video_ids"]) == ["x.avi", "y.avi"]
    assert list(loaded["classes"]) == CLASSES
    np.testing.assert_array_equal(loaded["streams"]["temporal"], spatial * 2)


def test_fusion_aligns_videos_by_id_and_weights_streams(tmp_path):
    tan = np.array([[0.6, 0.3, 0.1], [0.2, 0.3, 0.5], [0.4, 0.5, 0.1]])
    mifs = np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 1.0], [3.0, 0.0, 0.0]])  # rows for z, y, x
    _write(tmp_path / "tan.npz", ["x", "y", "z"], [1, 2, 0], fused=tan, spatial=tan)
    _write(tmp_path / "mifs.npz", ["z", "y", "x"], [-1, -1, -1], scores=mifs)
    result = fusion.fuse([f"{tmp_path}/tan.npz", f"{tmp_path}/mifs.npz:scores"], [1, 0.5])
    expected = tan + 0.5 * mifs[[2, 1, 0]]
    np.testing.assert_allclose(result["scores"], expected, rtol=1e-6)
    # x: [2.1, .3, .1] -> 0 (label 1, wrong); y: [.2, .3, 1.0] -> 2 (right); z: [.6, 1.5, .1] -> 1 (wrong)
    assert result["top1"] == pytest.approx(1 / 3)
    results_path = fusion.write_fusion(result, tmp_path / "out")
    assert json.loads(results_path.read_text())["top1"] == pytest.approx(1 / 3)
    assert load_scores(tmp_path / "out" / "scores.npz")["streams"]["fused"].shape == (3, 3)


def test_fusion_errors_name_the_file(tmp_path):
    _write(tmp_path / "a.npz", ["x", "y"], [0, 1], spatial=np.eye(3)[:2], temporal=np.eye(3)[:2])
    _write(tmp_path / "b.npz", ["x"], [0], scores=np.eye(3)[:1])
    with pytest.raises(ValueError, match=r"Expected .*b\.npz to score the videos of .*1 missing"):
        fusion.fuse([f"{tmp_path}/a.npz:spatial", f"{tmp_path}/b.npz"])
    with pytest.raises(ValueError, match=r"Expected a stream name for .*a\.npz"):
        fusion.fuse([f"{tmp_path}/a.npz"])
    with pytest.raises(ValueError, match="Expected one weight per score entry"):
        fusion.fuse([f"{tmp_path}/a.npz:spatial"], [1, 2])
    np.savez(tmp_path / "bad.npz", video_ids=np.array(["x"]), labels=np.array([0]))
    with pytest.raises(ValueError, match=r"Score file .*bad\.npz lacks \['classes'\]"):
        load_scores(tmp_path / "bad.npz")


def test_parse_score_spec():
    assert fusion.parse_score_spec("ws/a.npz:fused") == (Path("ws/a.npz"), "fused")
    assert fusion.parse_score_spec("ws/a.npz") == (Path("ws/a.npz"), None)
