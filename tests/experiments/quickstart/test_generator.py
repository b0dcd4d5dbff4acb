"""The synthetic dataset really has the structure its docstring claims, checked on decoded files."""

import json

import cv2
import numpy as np
import pytest

from experiments.quickstart import generator as sa
from tests.helpers.opencv_reference import decode_rgb

FRAMES_PER_SEGMENT = 6


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    sidecar = sa.generate_dataset(root, train_videos_per_class=2, test_videos_per_class=1,
                                  frames_per_segment=FRAMES_PER_SEGMENT, seed=3)
    return root, sidecar


def _posture_seen(frame: np.ndarray) -> int:
    """Which posture a decoded frame shows, by counting pixels near each posture's colour."""
    colors = np.array(sa.POSTURE_RGB, np.int32)
    distance = np.abs(frame[:, :, None, :].astype(np.int32) - colors[None, None]).sum(-1)
    return int(np.argmax((distance < 60).sum(axis=(0, 1))))


def test_files_and_split_lists_match_the_sidecar(dataset):
    root, sidecar = dataset
    assert json.loads((root / sa.SIDECAR_FILENAME).read_text()) == sidecar
    assert len(sidecar["videos"]) == 3 * len(sa.CLASS_NAMES)
    class_lines = (root / "splits" / "classInd.txt").read_text().split("\n")
    assert class_lines[:5] == ["1 Ring", "2 Square", "3 Triangle", "4 Diamond", "5 Bars"]
    train = [line.split() for line in (root / "splits" / "trainlist01.txt").read_text().splitlines()]
    test = (root / "splits" / "testlist01.txt").read_text().splitlines()
    assert len(train) == 10 and len(test) == 5
    for video, label in train:
        assert sidecar["videos"][video]["split"] == "train"
        assert int(label) - 1 == sidecar["videos"][video]["label"]
        assert sa.CLASS_NAMES[int(label) - 1] == video.split("/")[0]
    for video in test:
        assert sidecar["videos"][video]["split"] == "test"
        assert (root / "videos" / video).is_file()


def test_the_decoded_postures_are_the_plan_and_the_action_segment_holds_the_label(dataset):
    root, sidecar = dataset
    for video, info in sidecar["videos"].items():
        frames = decode_rgb(root / "videos" / video)
        assert frames.shape == (5 * FRAMES_PER_SEGMENT, 64, 64, 3)
        seen = [_posture_seen(frames[s * FRAMES_PER_SEGMENT + 2]) for s in range(5)]
        assert seen == info["posture_order"], video
        assert seen[info["action_segment"]] == info["label"] == sa.CLASS_NAMES.index(
            video.split("/")[0])


def test_other_segments_draw_postures_at_random_so_counting_does_not_give_the_class():
    rng = np.random.default_rng(0)
    plans = [sa.plan_video(label, rng) for label in range(5) for _ in range(2000)]
    actions = np.array([p.action_segment for p in plans])
    np.testing.assert_allclose(np.bincount(actions, minlength=5) / len(plans), 0.2, atol=0.02)
    others = np.array([[q for s, q in enumerate(p.posture_order) if s != p.action_segment]
                       for p in plans])
    labels = np.array([p.label for p in plans])
    np.testing.assert_allclose(np.bincount(others.ravel(), minlength=5) / others.size, 0.2,
                               atol=0.02)
    own_class_elsewhere = (others == labels[:, None]).any(axis=1).mean()
    assert own_class_elsewhere == pytest.approx(1 - 0.8 ** 4, abs=0.03)  # repeats of the label
    # The best rule on posture counts alone (the likelihood of class c is proportional to the
    # count of posture c): the most frequent posture, ties broken at random. About 46%.
    counts = np.stack([np.bincount(p.posture_order, minlength=5) for p in plans])
    best = counts == counts.max(axis=1, keepdims=True)
    counting_accuracy = (best[np.arange(len(plans)), labels] / best.sum(axis=1)).mean()
    assert 0.42 < counting_accuracy < 0.50, counting_accuracy


def test_only_the_action_segment_changes_between_frames(dataset):
    root, sidecar = dataset
    actions = []
    for video, info in sidecar["videos"].items():
        frames = decode_rgb(root / "videos" / video).astype(np.int32)
        for segment in range(5):
            clip = frames[segment * FRAMES_PER_SEGMENT:(segment + 1) * FRAMES_PER_SEGMENT]
            per_pair = np.abs(np.diff(clip, axis=0)).max(axis=(1, 2, 3))
            if segment == info["action_segment"]:
                assert per_pair.min() > 100, (video, segment, per_pair)  # Every frame moves.
            else:
                assert per_pair.max() <= 2, (video, segment, per_pair)
        actions.append(info["action_segment"])
    assert len(set(actions)) > 1  # The action's position varies.


def test_tvl1_flow_is_only_in_the_action_segment_and_never_on_the_posture(dataset):
    root, sidecar = dataset
    tvl1 = cv2.optflow.DualTVL1OpticalFlow_create()
    for video, info in list(sidecar["videos"].items())[:5]:
        frames = decode_rgb(root / "videos" / video)
        for segment, posture in enumerate(info["posture_order"]):
            k = segment * FRAMES_PER_SEGMENT + 2
            gray = [cv2.cvtColor(frames[i], cv2.COLOR_RGB2GRAY) for i in (k, k + 1)]
            magnitude = np.linalg.norm(tvl1.calc(gray[0], gray[1], None), axis=-1)
            if segment != info["action_segment"]:
                assert magnitude.max() < 0.1, (video, segment)
                continue
            assert magnitude.max() > 2.0, (video, segment)
            outline = np.zeros((64, 64, 3), np.uint8)
            sa.draw_posture(outline, posture)
            touched = (magnitude > 0.5) & (outline.max(axis=-1) > 0)
            assert not touched.any(), f"flow outlines posture {posture} in {video}"


def test_the_marker_sits_on_the_same_orbit_whether_it_moves_or_not(dataset):
    root, sidecar = dataset
    video, info = next(iter(sidecar["videos"].items()))
    frames = decode_rgb(root / "videos" / video)
    for k in range(0, len(frames), 3):
        ys, xs = np.nonzero(frames[k].min(axis=-1) > 200)  # White marker pixels.
        radius = np.hypot(xs.mean() - 31.5, ys.mean() - 31.5)
        assert abs(radius - sa.MARKER_ORBIT_RADIUS) < 1.5, (k, radius)


def test_segment_of_position_maps_frames_to_equal_segments():
    assert [sa.segment_of_position(k, 50, 5) for k in (0, 9, 10, 25, 49)] == [0, 0, 1, 2, 4]
    with pytest.raises(ValueError, match="Expected 0 <= frame_index < num_frames=50"):
        sa.segment_of_position(50, 50, 5)


def test_bad_arguments_raise_clear_errors(tmp_path):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"Expected label in \[0, 5\). Received: label=5"):
        sa.plan_video(5, rng)
    with pytest.raises(ValueError, match="Expected frames_per_segment >= 2"):
        sa.render_video(sa.plan_video(0, rng), 1)
    with pytest.raises(ValueError, match="Expected at least one training and one test video"):
        sa.generate_dataset(tmp_path, train_videos_per_class=0)
    with pytest.raises(FileNotFoundError, match="actions.json"):
        sa.load_sidecar(tmp_path)
    (tmp_path / sa.SIDECAR_FILENAME).write_text("{}")
    with pytest.raises(ValueError, match="Expected key 'classes' in"):
        sa.load_sidecar(tmp_path)
