"""eval_dataset on synthetic records: evenly spaced positions and exactly the specified ten views."""

import numpy as np
import pytest

from tan_keras import backbones, data
from tests.helpers import synthetic_records as sr
from tests.helpers.synthetic_records import VIDEOS

T, S = 5, 24
RGB_ATOL = 6.0
# 48 x 64 frames: square crops of side floor(0.875 * 48) = 42 at (y, x) =
WINDOWS = [(0, 0, 42, 42), (0, 22, 42, 42), (6, 0, 42, 42), (6, 22, 42, 42), (3, 11, 42, 42)]


def _eval_elements(records_dir, **kwargs):
    dataset = data.eval_dataset(records_dir, num_snippets=T, image_size=S, normalize=False,
                                **kwargs)
    return [({k: v.numpy() for k, v in streams.items()}, int(label), video_id.numpy().decode())
            for streams, label, video_id in dataset]


def test_eval_yields_each_test_video_once_with_the_ten_specified_views(png_records):
    records_dir, serialized = png_records
    elements = _eval_elements(records_dir)
    test_videos = {v.video_id: v for v in VIDEOS if v.side == "test"}
    assert sorted(e[2] for e in elements) == sorted(test_videos)
    for streams, label, video_id in elements:
        video = test_videos[video_id]
        assert label == video.label
        assert streams["rgb"].shape == streams["flow"].shape == (10, T, S, S, 3)
        tick = video.num_positions / T
        positions = [int(tick / 2 + tick * t) for t in range(T)]  # TSN's test sampling
        rgb, flow = sr.decoded_record(serialized[video_id])
        for view in range(10):
            window, flip = WINDOWS[view % 5], view >= 5
            for t, p in enumerate(positions):
                ref_rgb, ref_flow = sr.reference_view(rgb[p], flow[p], window, flip, S)
                np.testing.assert_allclose(streams["flow"][view, t], ref_flow, atol=1e-2,
                                           err_msg=f"{video_id} view {view} snippet {t}")
                # TF's and OpenCV's JPEG decoders differ by a few levels.
                np.testing.assert_allclose(streams["rgb"][view, t], ref_rgb, atol=RGB_ATOL,
                                           err_msg=f"{video_id} view {view} snippet {t}")


def test_mirrored_views_invert_flow_x_and_keep_flow_y(png_records):
    records_dir, _ = png_records
    for streams, _, _ in _eval_elements(records_dir):
        flow = streams["flow"]
        np.testing.assert_allclose(flow[5:, ..., 0], 255.0 - flow[:5, :, :, ::-1, 0], atol=1e-4)
        np.testing.assert_allclose(flow[5:, ..., 1], flow[:5, :, :, ::-1, 1], atol=1e-4)
        np.testing.assert_allclose(streams["rgb"][5:], streams["rgb"][:5, :, :, ::-1], atol=1e-4)


def test_eval_can_read_the_train_side(png_records):
    records_dir, _ = png_records
    elements = _eval_elements(records_dir, side="train")
    assert sorted(e[2] for e in elements) == sorted(v.video_id for v in VIDEOS if v.side == "train")


@pytest.mark.parametrize("backbone", ["googlenet", "resnet50"])
def test_eval_normalize_applies_the_backbone_preprocessing_to_all_views(png_records, backbone):
    records_dir, _ = png_records
    raw = _eval_elements(records_dir, backbone=backbone)
    normed = [({k: v.numpy() for k, v in streams.items()}, int(label), video_id.numpy().decode())
              for streams, label, video_id in data.eval_dataset(
                  records_dir, num_snippets=T, image_size=S, normalize=True, backbone=backbone)]
    preprocess = backbones.preprocess_input(backbone)
    for (raw_streams, label, video_id), (streams, normed_label, normed_id) in zip(raw, normed):
        assert (label, video_id) == (normed_label, normed_id)
        for stream in ("rgb", "flow"):
            np.testing.assert_allclose(streams[stream], preprocess(raw_streams[stream]), atol=1e-4)
