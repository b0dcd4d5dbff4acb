"""train_dataset on synthetic records: which positions, which crop, which flip, and the flow image.

Each clip is matched against every TSN crop candidate computed independently (proto + OpenCV
decode, NumPy crop, cv2.resize, NumPy flip): the PNG flow must match exactly one candidate to
float precision, and the RGB (JPEG) the same candidate within JPEG tolerance.
"""

import itertools

import numpy as np
import pytest

from tan_keras import backbones, data
from tests.helpers import synthetic_records as sr
from tests.helpers.synthetic_records import VIDEOS

T, S = 5, 24
FLOW_ATOL = 1e-2
RGB_ATOL = 6.0  # decode_and_crop_jpeg vs a whole-frame decode differ at chroma edges


def _candidates(height, width):
    """Every distinct (y, x, h, w, flip) that TSN's multi-scale corner/centre crop can give."""
    sizes = [int(min(height, width) * s) for s in data.TRAIN_SCALES]
    windows = set()
    for i, j in itertools.product(range(4), repeat=2):
        if abs(i - j) <= 1:
            w, h = sizes[i], sizes[j]
            for y, x in [(0, 0), (0, width - w), (height - h, 0), (height - h, width - w),
                         ((height - h) // 2, (width - w) // 2)]:
                windows.update({(y, x, h, w, False), (y, x, h, w, True)})
    return sorted(windows)


def _reference_clip(decoded, positions, candidate):
    rgb, flow = decoded
    views = [sr.reference_view(rgb[p], flow[p], candidate[:4], candidate[4], S) for p in positions]
    return np.stack([v[0] for v in views]), np.stack([v[1] for v in views])


def _match_clip(rgb_out, flow_out, decoded):
    """-> (positions, the one candidate whose flow matches exactly); asserts RGB agrees."""
    positions = [sr.position_of_red(rgb_out[t, ..., 0].mean()) for t in range(T)]
    flow_matches, rgb_errors = [], {}
    for candidate in _candidates(sr.HEIGHT, sr.WIDTH):
        ref_rgb, ref_flow = _reference_clip(decoded, positions, candidate)
        if np.abs(ref_flow - flow_out).max() < FLOW_ATOL:
            flow_matches.append(candidate)
        rgb_errors[candidate] = np.abs(ref_rgb - rgb_out).max()
    assert len(flow_matches) == 1, f"flow matches {flow_matches} for positions {positions}"
    best_rgb = min(rgb_errors, key=rgb_errors.get)
    assert best_rgb == flow_matches[0], (best_rgb, flow_matches[0])
    assert rgb_errors[best_rgb] <= RGB_ATOL
    return positions, flow_matches[0]


def _segments(num_positions):
    return [(t * num_positions // T, max((t + 1) * num_positions // T, t * num_positions // T + 1))
            for t in range(T)]


def _clips(dataset):
    for streams, labels in dataset:
        for rgb, flow, label in zip(streams["rgb"].numpy(), streams["flow"].numpy(),
                                    labels.numpy()):
            yield rgb, flow, int(label)


def test_train_clips_are_tsn_segment_samples_with_one_shared_crop_and_flip(png_records):
    records_dir, serialized = png_records
    train_videos = {v.label: v for v in VIDEOS if v.side == "train"}  # one per label here
    decoded = {v.video_id: sr.decoded_record(serialized[v.video_id]) for v in train_videos.values()}
    dataset = data.train_dataset(records_dir, batch_size=2, num_snippets=T, image_size=S,
                                 normalize=False, seed=7, deterministic=True)
    seen_candidates, seen_positions, labels_seen = set(), {}, []
    for epoch in range(6):
        for rgb, flow, label in _clips(dataset):
            assert rgb.shape == flow.shape == (T, S, S, 3)
            video = train_videos[label]
            labels_seen.append(label)
            positions, candidate = _match_clip(rgb, flow, decoded[video.video_id])
            for t, (start, stop) in enumerate(_segments(video.num_positions)):
                assert start <= positions[t] < stop, (video, positions)
                seen_positions.setdefault((label, t), set()).add(positions[t])
            seen_candidates.add(candidate)
    assert sorted(labels_seen) == sorted(list(train_videos) * 6)  # each train video once an epoch
    assert {c[4] for c in seen_candidates} == {False, True}  # both flips
    assert len({c[2:4] for c in seen_candidates}) >= 4  # several scale pairs
    # Randomness per epoch: the 10-position video's first segment (positions 0, 1) shows both.
    assert seen_positions[(0, 0)] == {0, 1}


def test_third_flow_channel_is_the_quadratic_mean_of_x_and_y(png_records):
    records_dir, _ = png_records
    streams, _ = next(iter(data.train_dataset(records_dir, batch_size=3, num_snippets=T,
                                              image_size=S, normalize=False, seed=1)))
    flow = streams["flow"].numpy()
    np.testing.assert_allclose(flow[..., 2], np.sqrt((flow[..., 0] ** 2 + flow[..., 1] ** 2) / 2),
                               rtol=1e-6)


def _as_arrays(dataset):
    return [(s["rgb"].numpy(), s["flow"].numpy(), y.numpy()) for s, y in dataset]


def test_seed_with_deterministic_reproduces_runs_and_another_seed_differs(png_records):
    records_dir, _ = png_records

    def run(seed):
        return _as_arrays(data.train_dataset(records_dir, batch_size=3, num_snippets=T,
                                             image_size=S, normalize=False, seed=seed,
                                             deterministic=True))

    first, again, other = run(11), run(11), run(12)
    for a, b in zip(first, again):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(first, other))


@pytest.mark.parametrize("backbone", ["googlenet", "resnet50"])
def test_normalize_applies_the_backbone_preprocessing_to_both_streams(png_records, backbone):
    records_dir, _ = png_records
    kwargs = dict(batch_size=3, num_snippets=T, image_size=S, seed=3, deterministic=True,
                  backbone=backbone)
    (raw, labels), = _as_arrays_dict(data.train_dataset(records_dir, normalize=False, **kwargs))
    (normed, normed_labels), = _as_arrays_dict(data.train_dataset(records_dir, normalize=True,
                                                                  **kwargs))
    preprocess = backbones.preprocess_input(backbone)
    for stream in ("rgb", "flow"):
        np.testing.assert_allclose(normed[stream], preprocess(raw[stream]), atol=1e-4)
    np.testing.assert_array_equal(labels, normed_labels)


def _as_arrays_dict(dataset):
    return [({k: v.numpy() for k, v in s.items()}, y.numpy()) for s, y in dataset]


def test_jpeg_flow_decodes_close_to_the_reference(jpeg_records):
    records_dir, serialized = jpeg_records
    train_videos = {v.label: v for v in VIDEOS if v.side == "train"}
    dataset = data.train_dataset(records_dir, batch_size=3, num_snippets=T, image_size=S,
                                 normalize=False, seed=5, deterministic=True)
    for rgb, flow, label in _clips(dataset):
        video = train_videos[label]
        ref = sr.decoded_record(serialized[video.video_id])  # OpenCV's decode of the JPEG flow
        positions = [sr.position_of_red(rgb[t, ..., 0].mean()) for t in range(T)]
        errors = {c: np.abs(_reference_clip(ref, positions, c)[1] - flow).max()
                  for c in _candidates(sr.HEIGHT, sr.WIDTH)}
        assert min(errors.values()) <= RGB_ATOL, min(errors.values())


def test_bad_arguments_are_named(png_records):
    records_dir, _ = png_records
    with pytest.raises(ValueError, match="Expected a seed with deterministic=True"):
        data.train_dataset(records_dir, deterministic=True)
    with pytest.raises(ValueError, match="Expected batch_size to be a positive int. Received: "
                                         "batch_size=0"):
        data.train_dataset(records_dir, batch_size=0)
    with pytest.raises(ValueError, match="Expected side in"):
        data.train_dataset(records_dir, side="val")
