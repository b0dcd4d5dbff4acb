"""Split parsers on the official UCF101 and HMDB51 files (../shared/data), and folder datasets."""

import os

import pytest

from data_prep.datasets import splits
from tan_keras import errors


def test_ucf101_official_files(shared_data):
    d = splits.load_ucf101_splits(str(shared_data / "ucf101_splits"))
    assert len(d.classes) == 101 and d.classes[0] == "ApplyEyeMakeup" and d.classes[-1] == "YoYo"
    counts = {k: (len(v["train"]), len(v["test"])) for k, v in d.splits.items()}
    assert counts == {"1": (9537, 3783), "2": (9586, 3734), "3": (9624, 3696)}
    assert len(d.labels) == 13320
    for sides in d.splits.values():
        assert set(sides["train"]) | set(sides["test"]) == set(d.labels)
    # The folder, not the file name, gives the class: HandstandPushups vs v_HandStandPushups_.
    video = "HandstandPushups/v_HandStandPushups_g01_c01.avi"
    assert video in d.splits["1"]["test"] and d.classes[d.labels[video]] == "HandstandPushups"
    # Test lines carry no label; it comes from the folder (and CRLF left no '\r' behind).
    assert d.labels["YoYo/v_YoYo_g07_c04.avi"] == 100
    assert not any("\r" in v or " " in v for v in d.labels)
    # Test groups: g01-g07 for split 1.
    assert {v.split("_g")[1][:2] for v in d.splits["1"]["test"]} == {f"{g:02d}" for g in range(1, 8)}


def test_hmdb51_official_files(shared_data):
    directory = str(shared_data / "hmdb51_splits")
    d = splits.load_hmdb51_splits(directory)
    assert len(d.classes) == 51 and d.classes[0] == "brush_hair"
    for sides in d.splits.values():
        assert (len(sides["train"]), len(sides["test"])) == (3570, 1530)
    listed = {(f.split("_test_split")[0], v) for f in os.listdir(directory)
              for v, _ in splits.parse_hmdb51_split_file(os.path.join(directory, f))}
    assert len(listed) == 6766  # distinct videos; those unused (0) in every split get no record
    assert len(d.labels) < 6766 and set(d.labels) <= {f"{c}/{v}" for c, v in listed}
    video = "brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi"
    assert video in d.splits["1"]["train"] and d.labels[video] == 0


def test_ucf101_format_errors_name_file_and_line(tmp_path):
    (tmp_path / "classInd.txt").write_text("1 Punch\r\n2 PushUps\r\n")
    (tmp_path / "trainlist01.txt").write_text("Punch/v_Punch_g08_c01.avi 2\r\n")
    (tmp_path / "testlist01.txt").write_text("")
    with pytest.raises(ValueError, match=r"trainlist01.txt:1: label 2 disagrees with class folder"):
        splits.load_ucf101_splits(str(tmp_path))
    (tmp_path / "trainlist01.txt").write_text("Boxing/v_Boxing_g08_c01.avi 1\r\n")
    with pytest.raises(ValueError, match=r"trainlist01.txt:1: unknown class 'Boxing'. Expected a "
                                         r"class of classInd.txt \(2 classes: Punch, PushUps\)"):
        splits.load_ucf101_splits(str(tmp_path))
    (tmp_path / "trainlist01.txt").write_text("v_Punch_g08_c01.avi 1\r\n")
    with pytest.raises(ValueError, match=r"trainlist01.txt:1: expected '<ClassName>/<video>"):
        splits.load_ucf101_splits(str(tmp_path))


def test_input_errors_are_tan_keras_input_errors(tmp_path):
    """The command prints these in one line; they still are the built-in exceptions."""
    (tmp_path / "classInd.txt").write_text("1 Punch\r\n")
    (tmp_path / "trainlist01.txt").write_text("Punch/v_Punch_g08_c01.avi 1\r\n")
    with pytest.raises(errors.MissingInputError, match=r"Split file not found: .*testlist01.txt"):
        splits.load_ucf101_splits(str(tmp_path))
    (tmp_path / "testlist01.txt").write_text("")
    (tmp_path / "trainlist01.txt").write_text("Punch/v_Punch_g08_c01.avi 2\r\n")
    with pytest.raises(errors.IncompatibleInputError, match=r"label 2 disagrees"):
        splits.load_ucf101_splits(str(tmp_path))
    with pytest.raises(errors.MissingInputError, match=r"Video directory not found"):
        splits.load_folder_splits(str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match=r"Splits directory not found"):
        splits.load_hmdb51_splits(str(tmp_path / "absent"))


def test_hmdb51_bad_code_is_reported(tmp_path):
    (tmp_path / "wave_test_split1.txt").write_text("a.avi 1 \nb.avi 3 \n")
    with pytest.raises(ValueError, match=r"wave_test_split1.txt:2: expected '<video>.avi <0\|1\|2>'"):
        splits.load_hmdb51_splits(str(tmp_path))


def test_folder_dataset_hash_split_is_stable(shared_data):
    d = splits.load_folder_splits(str(shared_data / "videos" / "ucf101"), test_fraction=0.5)
    assert d.classes == ["BabyCrawling", "Punch", "PushUps"]
    assert len(d.labels) == 6
    test = d.splits["1"]["test"]
    assert test == sorted(v for v in d.labels if splits.hash_fraction(v) < 0.5)
    assert set(test) | set(d.splits["1"]["train"]) == set(d.labels)
    # A video's side depends on its id only.
    assert splits.hash_fraction("Punch/v_Punch_g01_c01.avi") == splits.hash_fraction(
        "Punch/v_Punch_g01_c01.avi")
    with pytest.raises(ValueError, match=r"Expected dataset in .*Received: dataset='kinetics'"):
        splits.load_splits("kinetics", str(shared_data))
