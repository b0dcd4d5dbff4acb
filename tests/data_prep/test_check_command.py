"""`tan-check` as a user types it: one run over hostile videos, a corrupted record set and a
contact sheet (exit 1, each fault named, the bad videos moved, nothing deleted), and one over
the real clips and the good records (exit 0, the counts printed)."""

import hashlib
import json
import re

import numpy as np
from PIL import Image

from tests.data_prep.checking.hostile import HOSTILE, MISSING, corrupt_copy, write_hostile_layout
from tests.helpers.commands import console_script, output_of, problem_lines, python_module
from tests.helpers.real_records import UCF_CLASSES


def _digests(folder) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in folder.rglob("*.avi")}


def test_hostile_videos_corrupt_records_and_a_sheet(shared_data, ucf_records_root, tmp_path):
    video_dir, splits_dir = write_hostile_layout(shared_data, tmp_path / "data")
    before = _digests(video_dir)
    records = corrupt_copy(ucf_records_root / "ucf101", tmp_path / "records", "count_changed")
    shard = next(records.glob("*.tfrecord"))
    data = bytearray(shard.read_bytes())
    data[-6] ^= 0xFF  # in the last record's data: a second fault, in a shard
    shard.write_bytes(bytes(data))
    aside, sheet = tmp_path / "aside", tmp_path / "sheet.png"
    result = console_script(
        "tan-check", f"--video_dir={video_dir}", "--dataset=ucf101", f"--splits_dir={splits_dir}",
        f"--move_bad_to={aside}", f"--records_dir={records}", f"--sheet={sheet}",
        "--sheet_records=2", "--sheet_positions=all", "--seed=1", "--noprogress")
    out = result.stdout
    assert result.returncode == 1, output_of(result)
    faults = len(re.findall(r"^(bad|missing|fault): ", out, re.MULTILINE))
    assert faults == 4 + 1 + 3 - ("have no sound record" not in out), output_of(result)
    assert problem_lines(result.stderr)[-1] == f"error: {faults} fault(s) found (listed above).", \
        output_of(result)
    for video_id, words in HOSTILE.items():  # each bad video named with its reason
        assert f"bad: {video_dir / video_id}: {words}" in out, output_of(result)
    assert "videos: 10 in " in out and "6 good, 4 bad" in out
    assert f"missing: {MISSING} (listed in the split files" in out
    assert f"moved 4 of the 4 bad video(s) to {aside}" in out
    after = {**_digests(video_dir), **_digests(aside)}
    assert after == before  # moved, nothing deleted or changed
    assert sorted(_digests(aside)) == sorted(HOSTILE)
    assert f"fault: {records / 'manifest.json'}: counts.videos is 7, but the manifest lists 6" \
        in out
    last = sorted(json.loads((records / "manifest.json").read_text())["videos"])[-1]
    assert re.search(rf"fault: {re.escape(str(shard))}: record 5( \({re.escape(last)}\))?: its "
                     rf"data fails its CRC-32C checksum", out), output_of(result)
    assert f"record 5 ({last})" in out or f"no sound record there: {last}" in out
    assert "records: 3 fault(s)" in out or "records: 2 fault(s)" in out
    printed = re.search(r"contact sheet: \S+ \(2 records, 24 panels, (\d+)x(\d+) pixels\)", out)
    assert printed, output_of(result)
    width, height = map(int, printed.groups())
    assert np.asarray(Image.open(sheet)).shape[:2] == (height, width)


def test_good_clips_and_records_pass(shared_data, ucf_records_root):
    result = python_module(
        "data_prep.check", f"--video_dir={shared_data / 'videos' / 'ucf101'}",
        f"--records_dir={ucf_records_root / 'ucf101'}", "--expected_classes=3",
        "--expected_splits=1", "--frames_per_video=3", "--num_workers=1", "--noprogress")
    assert result.returncode == 0, output_of(result)
    assert problem_lines(result.stderr) == [], output_of(result)
    out = result.stdout
    assert "6 good, 0 bad" in out and "videos: no fault" in out
    assert ", ".join(f"{name} 2" for name in UCF_CLASSES) in out
    assert "split 1: test 3, train 3" in out and "records: no fault" in out
