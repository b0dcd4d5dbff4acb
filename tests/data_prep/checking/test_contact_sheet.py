"""The contact sheet of the records built once from the real clips: its size and panel grid, and
panels whose pixels are the records' images as an independent decoder (Pillow) reads them from
TensorFlow's parse of the shard."""

import io

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from data_prep.checking import contact_sheet, records
from data_prep.flow.tvl1 import quantize
from tan_keras.errors import IncompatibleInputError


@pytest.fixture(scope="module")
def good_report(ucf_records_root):
    return records.check_records(str(ucf_records_root / "ucf101"), num_workers=1)


def _images_by_tensorflow(shard) -> dict:
    """video id -> {'rgb', 'flow_x', 'flow_y'}: [P] decoded images (Pillow), from TF's parse."""
    found = {}
    for serialized in tf.data.TFRecordDataset(str(shard)):
        proto = tf.train.SequenceExample.FromString(serialized.numpy())
        video_id = proto.context.feature["video/filename"].bytes_list.value[0].decode()
        lists = proto.feature_lists.feature_list
        found[video_id] = {
            kind: [np.asarray(Image.open(io.BytesIO(f.bytes_list.value[0])))
                   for f in lists[key].feature]
            for kind, key in (("rgb", "image/encoded"), ("flow_x", "flow/x/encoded"),
                              ("flow_y", "flow/y/encoded"))}
    return found


def test_the_sheet_has_the_expected_panels_with_the_records_pixels(good_report, tmp_path):
    path = tmp_path / "sheet.png"
    layout = contact_sheet.draw_contact_sheet(good_report, str(path), count=2, seed=3,
                                              positions=0)
    sheet = np.asarray(Image.open(path).convert("RGB"))
    assert sheet.shape == (layout.height, layout.width, 3)
    assert len(layout.videos) == 2 and len(set(layout.videos)) == 2
    assert len(layout.panels) == 2 * 3 * 4  # 2 records x 3 positions x (RGB, flow, x, y)
    for video_id in layout.videos:
        panels = [p for p in layout.panels if p.video_id == video_id]
        assert len({p.x for p in panels}) == 3 and len({p.y for p in panels}) == 4
        assert {(p.position, p.kind) for p in panels} == {
            (i, kind) for i in range(3) for kind in contact_sheet.ROWS}
    boxes = [(p.x, p.y, p.x + p.width, p.y + p.height) for p in layout.panels]
    assert all(0 <= x0 and 0 <= y0 and x1 <= layout.width and y1 <= layout.height
               for x0, y0, x1, y1 in boxes)
    assert all(a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
               for i, a in enumerate(boxes) for b in boxes[i + 1:])  # no two overlap
    shard = good_report.jobs[layout.videos[0]].path
    expected = _images_by_tensorflow(shard)
    for panel in layout.panels:
        assert (panel.height, panel.width) == (60, 80)
        crop = sheet[panel.y:panel.y + panel.height, panel.x:panel.x + panel.width]
        images = expected[panel.video_id]
        if panel.kind == "rgb":
            np.testing.assert_array_equal(crop, images["rgb"][panel.position])
        elif panel.kind in ("flow_x", "flow_y"):
            for channel in range(3):
                np.testing.assert_array_equal(crop[..., channel],
                                              images[panel.kind][panel.position])


def test_flow_colour_hand_cases():
    def colour(qx, qy):
        return contact_sheet.flow_colour(np.full((1, 1), qx, np.uint8),
                                         np.full((1, 1), qy, np.uint8), 20.0, scale=20.0)[0, 0]

    right = quantize(np.float32(20.0), 20.0)  # +20 px right: 255
    np.testing.assert_array_equal(colour(right, 128), [255, 0, 0])  # hue 0: red
    np.testing.assert_allclose(colour(128, right), [128, 255, 0], atol=2)  # down: hue 90 degrees
    assert colour(128, 128).max() <= 2  # still (0.08 px after quantisation): dark
    still = contact_sheet.flow_colour(np.full((4, 4), 128, np.uint8),
                                      np.full((4, 4), 128, np.uint8), 20.0)
    assert still.max() <= 30  # its own scale is at least 1 pixel: it stays dim


def test_records_chosen_by_seed_or_by_name(good_report):
    available = sorted(good_report.jobs)
    first = contact_sheet.choose_videos(available, 3, seed=7)
    assert first == contact_sheet.choose_videos(available, 3, seed=7) and len(set(first)) == 3
    assert {tuple(contact_sheet.choose_videos(available, 3, seed=s)) for s in range(6)} != {
        tuple(first)}
    named = [available[4], available[1]]
    assert contact_sheet.choose_videos(available, 3, 0, named) == named
    with pytest.raises(IncompatibleInputError, match=r"Received: sheet_videos=nope\.avi"):
        contact_sheet.choose_videos(available, 3, 0, ["nope.avi"])
