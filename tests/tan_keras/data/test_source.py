"""RecordsSource: a records directory (data_prep's records or a TFDS build) opened once."""

import json
import re
import shutil

import pytest

from tan_keras import data
from tan_keras import record_format as rf
from tan_keras.data import parsing
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.frame_settings import FrameSettings
from tests.helpers import synthetic_records as sr
from tests.helpers.real_records import TFDS_FRAME_HEIGHT, TFDS_FRAME_WIDTH, TFDS_POSITIONS


@pytest.fixture
def no_record_parsing(monkeypatch):
    """Fails a test that parses a record to learn the frames (`parsing.first_record`)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a record was parsed for the frame settings")

    monkeypatch.setattr(parsing, "first_record", refuse)


def test_records_and_tfds_build_open_the_same(png_ucf101_records, tfds_ucf101,
                                              no_record_parsing):
    records, build = (data.RecordsSource.open(png_ucf101_records),
                      data.RecordsSource.open(tfds_ucf101))
    assert (records.is_tfds, build.is_tfds) == (False, True)
    assert records.name == build.name == "ucf101"
    assert records.classes == build.classes == ["BabyCrawling", "Punch", "PushUps"]
    assert records.num_classes == build.num_classes == 3
    for side in ("train", "test"):
        assert records.videos(1, side) == build.videos(1, side)
        assert len(records.videos(1, side)) == 3
    expected = FrameSettings(height=TFDS_FRAME_HEIGHT, width=TFDS_FRAME_WIDTH,
                             positions=TFDS_POSITIONS,
                             flow_bound=records.params["flow_bound"], flow_format="png",
                             jpeg_quality=records.params["jpeg_quality"])
    assert records.frames == build.frames == expected
    assert records.flow_format == build.flow_format == "png"
    assert records.path == str(png_ucf101_records)


def test_a_selection_is_made_once_per_split_side(png_ucf101_records):
    source = data.RecordsSource.open(png_ucf101_records)
    selection = source.selection(1, "train")
    assert source.selection("1", "train") is selection
    assert source.selection(1, "test") is not selection
    assert sorted(selection.video_ids) == sorted(source.videos(1, "train"))
    assert data.RecordsSource.open(source) is source


def test_a_manifest_without_frame_settings_reads_one_record_once(png_records, monkeypatch):
    records_dir, _ = png_records  # its manifest's params hold only flow_format
    calls = []
    first_record = parsing.first_record
    monkeypatch.setattr(parsing, "first_record",
                        lambda *args, **kwargs: calls.append(args) or first_record(*args, **kwargs))
    source = data.RecordsSource.open(records_dir)
    assert calls == []  # opening reads no record
    frames = source.frames
    assert source.frames is frames and len(calls) == 1
    assert (frames.height, frames.width, frames.flow_format) == (sr.HEIGHT, sr.WIDTH, "png")


def test_pipelines_take_a_source_or_a_path(png_records):
    records_dir, _ = png_records
    source = data.RecordsSource.open(records_dir)
    for make in (lambda x: data.eval_frames(x, num_snippets=2),
                 lambda x: data.train_frames(x, batch_size=2, num_snippets=2, seed=0)):
        assert make(source).element_spec == make(records_dir).element_spec
    spec = data.eval_frames(source, num_snippets=2).element_spec[0]["rgb"]
    assert tuple(spec.shape[2:]) == (source.frames.height, source.frames.width, 3)


def test_missing_records_name_the_manifest_and_the_build_command(tmp_path):
    with pytest.raises(MissingInputError, match=re.escape(
            f"Expected a manifest at {tmp_path / rf.MANIFEST_FILENAME}")
            + r".*`data_prep\.build\.local\.build_records` with output_dir="):
        data.RecordsSource.open(tmp_path)


def test_a_bad_manifest_is_named(png_records, tmp_path):
    records_dir, _ = png_records
    copy = shutil.copytree(records_dir, tmp_path / "records")
    manifest_path = copy / rf.MANIFEST_FILENAME
    manifest = json.loads(manifest_path.read_text())
    del manifest["splits"]
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleInputError,
                       match=re.escape(f"{manifest_path}: expected the keys") + ".*'splits'"):
        data.RecordsSource.open(copy)
    manifest_path.write_text("{")
    with pytest.raises(IncompatibleInputError, match=f"{manifest_path} is not valid JSON"):
        data.RecordsSource.open(copy)


def test_an_absent_split_or_an_empty_side_is_named(png_records, tmp_path):
    records_dir, _ = png_records
    source = data.RecordsSource.open(records_dir)
    manifest_path = f"{records_dir}/{rf.MANIFEST_FILENAME}"
    with pytest.raises(IncompatibleInputError, match=re.escape(
            f"{manifest_path}: expected split in ['1']. Received: split=2")):
        source.videos(2, "train")
    with pytest.raises(IncompatibleInputError, match=re.escape("Received: split=2")):
        data.train_frames(source, split=2)
    with pytest.raises(ValueError, match=r"Expected side in \('train', 'test'\). "
                                         r"Received: side='val'"):
        source.selection(1, "val")
    copy = shutil.copytree(records_dir, tmp_path / "records")
    manifest = json.loads((copy / rf.MANIFEST_FILENAME).read_text())
    manifest["splits"]["1"]["test"] = ["not/stored.avi"]
    (copy / rf.MANIFEST_FILENAME).write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleInputError,
                       match=r"expected videos on the 'test' side of split 1. Received: 1 listed, "
                             r"none of them stored"):
        data.RecordsSource.open(copy).selection(1, "test")


def test_a_manifest_with_frame_size_width_then_height_keeps_its_orientation(
        png_records, tmp_path, no_record_parsing):
    """manifest.json "params" as data_prep writes them (and always did): "frame_size" [width,
    height]; here an early build's, without jpeg_quality and flow_bound."""
    records_dir, _ = png_records  # sr.WIDTH x sr.HEIGHT = 64 x 48 frames
    copy = shutil.copytree(records_dir, tmp_path / "records")
    manifest = json.loads((copy / rf.MANIFEST_FILENAME).read_text())
    manifest["params"] = {"positions": 25, "frame_size": [sr.WIDTH, sr.HEIGHT],
                          "flow_format": "png"}
    (copy / rf.MANIFEST_FILENAME).write_text(json.dumps(manifest))
    frames = data.RecordsSource.open(copy).frames  # from the params: no record is parsed
    assert (frames.height, frames.width) == (sr.HEIGHT, sr.WIDTH) == (48, 64)
    assert (frames.flow_bound, frames.jpeg_quality) == (20.0, 95)  # data_prep's defaults


def test_frame_settings_read_the_old_and_the_new_form():
    old = {"frame_size": [340, 256], "positions": 25, "flow_bound": 20.0, "flow_format": "jpeg",
           "jpeg_quality": 95, "num_snippets": 5}  # settings.json "frames" of earlier runs
    frames = FrameSettings.from_dict(old)
    assert (frames.height, frames.width) == (256, 340)
    assert "frame_size" not in frames.to_dict() and "num_snippets" not in frames.to_dict()
    assert FrameSettings.from_dict(frames.to_dict()) == frames
    assert FrameSettings.from_dict({"height": 60, "width": 80}).flow_format == "jpeg"
    with pytest.raises(ValueError, match="Received: flow_format='gif'"):
        FrameSettings(height=60, width=80, flow_format="gif")
