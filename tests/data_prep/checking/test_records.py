"""Checking a record set: the records built once from the real clips pass with their class and
split counts, and each fault of a corrupted copy is found and named (a flipped byte in a shard,
a missing or cut shard, a manifest count changed); a TFDS build likewise."""

import json
import re
import shutil

import pytest
import tensorflow as tf

from data_prep.checking import records
from tests.data_prep.checking.hostile import corrupt_copy
from tests.helpers.real_records import UCF_CLASSES


@pytest.fixture(scope="module")
def good_records(ucf_records_root):
    return ucf_records_root / "ucf101"


def _record_spans(shard) -> list[tuple[int, int, str]]:
    """(first byte, end, video id) of each record of a shard, by TensorFlow's reader."""
    spans, start = [], 0
    for serialized in tf.data.TFRecordDataset(str(shard)):
        proto = tf.train.SequenceExample.FromString(serialized.numpy())
        video_id = proto.context.feature["video/filename"].bytes_list.value[0].decode()
        end = start + 12 + len(serialized.numpy()) + 4
        spans.append((start, end, video_id))
        start = end
    return spans


def test_a_good_set_has_no_fault_and_its_counts(good_records):
    manifest = json.loads((good_records / "manifest.json").read_text())
    report = records.check_records(str(good_records), num_workers=1)
    assert report.faults == []
    assert report.records == 6 and report.positions == 18 and report.images == 54
    assert report.class_counts == {name: 2 for name in UCF_CLASSES}
    assert report.split_counts == {"1": {side: len(ids) for side, ids in
                                         sorted(manifest["splits"]["1"].items())}}
    assert sorted(report.jobs) == sorted(manifest["videos"])
    text = records.format_records_report(report)
    assert "BabyCrawling 2, Punch 2, PushUps 2" in text and "split 1: test 3, train 3" in text
    assert text.endswith("records: no fault")


def test_expected_classes_and_splits(good_records):
    report = records.check_records(str(good_records), num_workers=1, expected_classes=101,
                                   expected_splits=["1", "2", "3"])
    assert report.faults == [
        f"{good_records}/manifest.json: 3 classes; expected 101",
        f"{good_records}/manifest.json: splits ['1']; expected ['1', '2', '3']"]


def test_a_flipped_byte_names_its_record(good_records, tmp_path):
    copy = corrupt_copy(good_records, tmp_path / "set", "flipped_byte")
    shard = next(copy.glob("*.tfrecord"))
    middle = shard.stat().st_size // 2
    index, (_, _, video_id) = next((i, s) for i, s in enumerate(_record_spans(
        good_records / shard.name)) if s[0] <= middle < s[1])
    report = records.check_records(str(copy), num_workers=1)
    first = report.faults[0]
    if "length of record" in first:  # the byte was in a length field: the scan stopped there
        assert first.startswith(f"{shard}: the length of record {index} "), report.faults
        return
    assert re.fullmatch(rf"{re.escape(str(shard))}: record {index}( \({re.escape(video_id)}\))?: "
                        rf"its data fails its CRC-32C checksum \(a changed or corrupt byte\)",
                        first), report.faults
    if f"({video_id})" not in first:  # it did not parse either: named as not found
        assert report.faults[1:] == [f"{shard}: 1 listed video(s) have no sound record there: "
                                     f"{video_id}"]
    else:
        assert len(report.faults) == 1
    assert video_id not in report.jobs and len(report.jobs) == 5


def test_a_missing_shard(good_records, tmp_path):
    copy = corrupt_copy(good_records, tmp_path / "set", "missing_shard")
    shard = copy / "ucf101-00000-of-00001.tfrecord"
    report = records.check_records(str(copy), num_workers=1)
    assert report.faults[0] == (f"{shard}: missing ({copy / 'manifest.json'} lists it, with 6 "
                                f"video(s))")
    assert report.faults[1].startswith(f"{shard}: 6 listed video(s) have no sound record there")
    assert len(report.faults) == 2 and report.records == 0


def test_a_cut_shard(good_records, tmp_path):
    copy = corrupt_copy(good_records, tmp_path / "set", "truncated_shard")
    shard = next(copy.glob("*.tfrecord"))
    start, end, _ = _record_spans(good_records / shard.name)[5]
    report = records.check_records(str(copy), num_workers=1)
    assert report.faults[0] == (f"{shard}: record 5 (byte {start}) needs {end - start - 16} "
                                f"bytes of data but the file ends before them: truncated (read 5 "
                                f"of the 6 records listed for it)")
    assert report.faults[1].startswith(f"{shard}: 1 listed video(s) have no sound record there")
    assert report.records == 5 and len(report.faults) == 2


@pytest.mark.parametrize("fault, expected", [
    ("count_changed", "manifest.json: counts.videos is 7, but the manifest lists 6"),
    ("positions_changed", "it holds positions 3; the manifest lists 4"),
])
def test_a_manifest_count_changed(good_records, tmp_path, fault, expected):
    copy = corrupt_copy(good_records, tmp_path / "set", fault)
    report = records.check_records(str(copy), num_workers=1)
    assert any(f.endswith(expected) for f in report.faults), report.faults
    if fault == "positions_changed":
        first = sorted(json.loads((copy / "manifest.json").read_text())["videos"])[0]
        assert any(f"({first}): it holds positions 3" in f for f in report.faults)
        assert any("counts.positions is 18, but the manifest lists 19" in f
                   for f in report.faults)


def test_a_tfds_build(tfds_ucf101, tmp_path):
    report = records.check_records(str(tfds_ucf101), num_workers=1)
    assert report.faults == [] and report.records == 6 and report.images == 54
    assert report.record_set.kind == "tfds" and report.record_set.flow_format == "png"
    assert report.class_counts == {name: 2 for name in UCF_CLASSES}
    copy = tmp_path / "tfds"
    shutil.copytree(tfds_ucf101, copy)
    shard = next(copy.glob("*test.tfrecord-*"))
    data = bytearray(shard.read_bytes())
    data[-6] ^= 0xFF  # inside the last record's data (before its 4-byte checksum)
    shard.write_bytes(bytes(data))
    last = tf.train.Example.FromString(list(tf.data.TFRecordDataset(str(
        tfds_ucf101 / shard.name)))[-1].numpy()).features.feature["video/filename"]
    last = last.bytes_list.value[0].decode()
    report = records.check_records(str(copy), num_workers=1)
    assert re.fullmatch(rf"{re.escape(str(shard))}: record 2( \({re.escape(last)}\))?: its data "
                        rf"fails its CRC-32C checksum \(a changed or corrupt byte\)",
                        report.faults[0]), report.faults
    if len(report.faults) == 2:  # it did not parse either: the video is named as not found
        assert report.faults[1] == (f"{copy / 'metadata.json'}: 1 listed video(s) have no "
                                    f"sound record there: {last}")
    assert len(report.faults) == (1 if f"({last})" in report.faults[0] else 2)
