"""score_frame_batches' progress bar: on stderr, named, counting videos to the split's total (or
max_videos), updated per batch; nothing when off. A fake view model: no Keras, no training."""

import re

import numpy as np
import pytest

from tan_keras.evaluation import protocol, score_frame_batches

C, T = 3, 2


class FakeViewModel:
    """Stands in for `evaluation_model`: fixed scores for each video of a batch."""

    def __init__(self):
        self.calls = 0

    def predict_on_batch(self, inputs):
        self.calls += 1
        n = len(inputs["rgb"])
        scores = np.full((n, C), 1.0 / C)
        return {"spatial": scores, "temporal": scores, "fused": scores,
                "alpha": np.zeros((n, T, T)), "beta": np.zeros((n, T, T))}


def _batches(sizes):
    """(frames, labels [B], video_ids [B]) batches of `sizes` videos, ids v0, v1, ..."""
    start = 0
    for size in sizes:
        ids = [f"v{start + i}".encode() for i in range(size)]
        yield ({"rgb": np.zeros((size, T, 4, 4, 3), np.uint8)}, np.arange(size) % C, ids)
        start += size


def _bar_lines(stderr: str) -> list[str]:
    return [part for part in re.split(r"[\r\n]+", stderr) if part.strip()]


def test_the_bar_counts_every_video_under_its_description(capsys):
    result = score_frame_batches(FakeViewModel(), _batches([2, 2, 1]), progress=True,
                                 description="evaluate ucf101_split1_tan_cnn", num_videos=5)
    captured = capsys.readouterr()
    assert len(result["video_ids"]) == 5
    last = _bar_lines(captured.err)[-1]
    assert last.startswith("evaluate ucf101_split1_tan_cnn:"), captured.err
    assert "5/5" in last and "100%" in last and "video" in last, captured.err
    assert captured.out == ""


def test_the_bar_s_total_is_max_videos_when_fewer(capsys):
    model = FakeViewModel()
    result = score_frame_batches(model, _batches([2, 2, 2, 2]), max_videos=3, progress=True,
                                 num_videos=8)
    captured = capsys.readouterr()
    assert result["video_ids"].tolist() == ["v0", "v1", "v2"]
    assert model.calls == 2  # the third batch is not scored
    last = _bar_lines(captured.err)[-1]
    assert "3/3" in last and "/8" not in captured.err, captured.err


def test_the_bar_is_updated_per_batch(monkeypatch):
    updates = []

    class Recorder:
        def update(self, n):
            updates.append(n)

        def close(self):
            updates.append("closed")

    monkeypatch.setattr(protocol, "progress_bar", lambda total, description, enabled: Recorder())
    score_frame_batches(FakeViewModel(), _batches([2, 2, 1]), max_videos=4, progress=True)
    assert updates == [2, 2, "closed"]


def test_no_bar_when_progress_is_off(capsys):
    score_frame_batches(FakeViewModel(), _batches([2, 1]), num_videos=3)  # the default: off
    score_frame_batches(FakeViewModel(), _batches([2, 1]), progress=False, num_videos=3)
    assert capsys.readouterr().err == ""


def test_the_bar_closes_when_scoring_fails(capsys):
    class Broken(FakeViewModel):
        def predict_on_batch(self, inputs):
            if self.calls:
                raise RuntimeError("out of memory")
            return super().predict_on_batch(inputs)

    with pytest.raises(RuntimeError, match="out of memory"):
        score_frame_batches(Broken(), _batches([2, 2]), progress=True, description="evaluate x",
                            num_videos=4)
    assert "2/4" in _bar_lines(capsys.readouterr().err)[-1]
