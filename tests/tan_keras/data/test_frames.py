"""train_frames / eval_frames with the in-model preprocessing equal train_dataset / eval_dataset.

On the position-coded synthetic records: the same positions, crop windows and flips (the labels
and the coded values show them), and the float streams within a stated tolerance. Measured here:
flow is equal up to float rounding (1e-5) with PNG and with JPEG flow. RGB is equal (under 0.01)
except within 2 output pixels of the crop's edges, where it differs by 1.5-1.7 levels here: the
float path decodes each JPEG cropped (`decode_and_crop_jpeg`) and the new path decodes it whole,
and libjpeg's chroma upsampling differs at the crop's edges (on frames with saturated colours,
such as the quickstart's postures, by up to about 20 levels). The 10 test views decode whole
frames on both paths and are equal.
"""

import numpy as np
import pytest

from tan_keras import data
from tan_keras.layers import ClipPreprocessing, TestViews
from tan_keras.protocol import NUM_TEST_VIEWS
from tests.helpers import synthetic_records as sr

T, S, BATCH = 5, 24, 3
RGB_EDGE_TOLERANCE = 4.0  # levels of 0..255, at the crop's edges: cropped vs whole JPEG decoding


@pytest.mark.parametrize("records", ["png_records", "jpeg_records"])
def test_training_clips_match_the_float_pipeline(records, request):
    records_dir, _ = request.getfixturevalue(records)
    old = data.train_dataset(records_dir, batch_size=BATCH, num_snippets=T, image_size=S,
                             normalize=False, seed=11, deterministic=True)
    new = data.train_frames(records_dir, batch_size=BATCH, num_snippets=T, seed=11,
                            deterministic=True)
    layer = ClipPreprocessing(S, backbone=None)
    batches = 0
    for (streams, labels), (frames, frame_labels) in zip(old, new):
        np.testing.assert_array_equal(labels.numpy(), frame_labels.numpy())
        assert frames["rgb"].dtype == "uint8" and frames["flow_x"].shape[2:] == (sr.HEIGHT,
                                                                                  sr.WIDTH)
        got = layer(frames)
        np.testing.assert_allclose(got["flow"].numpy(), streams["flow"].numpy(), atol=1e-3)
        difference = np.abs(got["rgb"].numpy() - streams["rgb"].numpy())
        # Away from the crop's edges the two decodings agree; at the edges, by a few levels.
        assert difference[:, :, 2:-2, 2:-2].max() < 0.01
        assert difference.max() <= RGB_EDGE_TOLERANCE and difference.mean() < 0.05
        batches += 1
    assert batches == 1  # 3 training videos, B = 3


def test_the_frames_are_the_drawn_positions_and_the_windows_and_flips_give_the_float_clips(
        png_records):
    """The red channel codes the stored position: the uint8 frames are the positions the float
    path read; an independent OpenCV crop-resize of their lossless flow with the emitted window
    and flip gives the float path's flow."""
    records_dir, serialized = png_records
    frames, labels = next(iter(data.train_frames(records_dir, batch_size=BATCH, num_snippets=T,
                                                 seed=4, deterministic=True)))
    streams, _ = next(iter(data.train_dataset(records_dir, batch_size=BATCH, num_snippets=T,
                                              image_size=S, normalize=False, seed=4,
                                              deterministic=True)))
    crop, flip = frames["crop"].numpy(), frames["flip"].numpy()
    assert crop.shape == (BATCH, 4) and flip.dtype == np.int32 and set(np.unique(flip)) <= {0, 1}
    for b in range(BATCH):
        video = next(v for v in sr.VIDEOS if v.label == labels[b] and v.side == "train")
        rgb, flow = sr.decoded_record(serialized[video.video_id])
        positions = [sr.position_of_red(frames["rgb"][b, t, ..., 0].numpy().mean())
                     for t in range(T)]
        assert positions == [sr.position_of_red(streams["rgb"][b, t, ..., 0].numpy().mean())
                             for t in range(T)]
        for t, p in enumerate(positions):
            _, want_flow = sr.reference_view(rgb[p], flow[p], crop[b], flip[b], S)
            np.testing.assert_allclose(streams["flow"][b, t].numpy(), want_flow, atol=0.01)


def test_test_views_equal_the_float_pipelines_views(jpeg_records):
    records_dir, _ = jpeg_records
    old = list(data.eval_dataset(records_dir, num_snippets=T, image_size=S, normalize=False))
    new = list(data.eval_frames(records_dir, num_snippets=T, batch_size=2))
    layer = TestViews(S, backbone=None)
    views = [layer(frames) for frames, _, _ in new]
    for name in ("rgb", "flow"):
        got = np.concatenate([v[name].numpy() for v in views])
        want = np.concatenate([streams[name].numpy() for streams, _, _ in old])
        assert got.shape == (len(old) * NUM_TEST_VIEWS, T, S, S, 3)
        np.testing.assert_allclose(got, want, atol=1e-3)
    ids = [v for _, _, batch in new for v in batch.numpy()]
    assert ids == [video_id.numpy() for _, _, video_id in old]
    labels = np.concatenate([batch.numpy() for _, batch, _ in new])
    np.testing.assert_array_equal(labels, [label.numpy() for _, label, _ in old])


def test_one_stream_only_and_bad_arguments(png_records):
    records_dir, _ = png_records
    frames, _ = next(iter(data.train_frames(records_dir, batch_size=2, num_snippets=T, seed=0,
                                            streams=("flow",))))
    assert sorted(frames) == ["crop", "flip", "flow_x", "flow_y"]
    with pytest.raises(ValueError, match=r"Expected streams among \('rgb', 'flow'\)"):
        data.train_frames(records_dir, streams=("depth",))
    with pytest.raises(ValueError, match="Expected a seed with deterministic=True"):
        data.train_frames(records_dir, deterministic=True)
