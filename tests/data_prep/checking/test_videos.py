"""Checking videos: the real clips pass, each hostile file is named with the build's own reason,
the layout is checked against the split files, and bad videos are moved, never deleted."""

import hashlib
import shutil

import cv2
import pytest

from data_prep.build.extract import PrepSettings, VideoTask, process_video
from data_prep.checking import videos
from tests.data_prep.checking.hostile import HOSTILE, MISSING, real_ids, write_hostile_layout
from tests.helpers.real_records import write_hmdb51_layout


@pytest.fixture(scope="module")
def hostile_layout(shared_data, tmp_path_factory):
    """(video folder, split folder) of the real clips and the hostile files; read-only."""
    return write_hostile_layout(shared_data, tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile_report(hostile_layout):
    """The check of the hostile layout against its split files, in 2 worker processes."""
    video_dir, splits_dir = hostile_layout
    layout = videos.find_videos(str(video_dir), "ucf101", str(splits_dir))
    return videos.check_videos(layout, frames=5, num_workers=2)


def _digest(path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def test_spread_indices_hand_cases():
    assert videos.spread_indices(251, 5) == [0, 62, 125, 188, 250]
    assert videos.spread_indices(10, 2) == [0, 9]
    assert videos.spread_indices(3, 5) == [0, 1, 2]


def test_each_bad_video_has_the_builds_reason_and_the_good_ones_pass(hostile_layout,
                                                                     hostile_report):
    video_dir, _ = hostile_layout
    checks = {check.video_id: check for check in hostile_report.checks}
    assert sorted(checks) == sorted(real_ids() + list(HOSTILE))
    for video_id in real_ids():
        assert checks[video_id].reason is None, checks[video_id].reason
        capture = cv2.VideoCapture(str(video_dir / video_id))  # an independent count
        assert checks[video_id].container == int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        capture.release()
    settings = PrepSettings(positions=3, frame_width=80, frame_height=60)
    for video_id, words in HOSTILE.items():
        path = str(video_dir / video_id)
        reason = checks[video_id].reason
        assert reason is not None and reason.startswith(f"{path}: {words}"), reason
        build = process_video(VideoTask(path, video_id, 0, "x"), settings)  # the build's words
        assert reason == build.reason
    assert [c.video_id for c in hostile_report.bad] == sorted(HOSTILE)
    assert hostile_report.faults == len(HOSTILE) + 1  # and the missing one


def test_layout_against_the_split_files(hostile_report):
    layout = hostile_report.layout
    assert layout.splits_checked
    assert layout.missing == [MISSING]
    assert layout.unlisted == sorted(HOSTILE)  # the split files list only the real clips
    text = videos.format_videos_report(hostile_report)
    for video_id in HOSTILE:
        assert f"bad: {layout.video_dir}/{video_id}: " in text
    assert f"missing: {MISSING} (listed in the split files" in text
    assert f"in no split: {sorted(HOSTILE)[0]}" in text
    assert "10 in " in text and "6 good, 4 bad" in text


def test_a_folder_dataset_without_split_files(hostile_layout):
    video_dir, _ = hostile_layout
    layout = videos.find_videos(str(video_dir))
    assert not layout.splits_checked and layout.missing == [] and layout.unlisted == []
    assert sorted(layout.videos) == sorted(real_ids() + list(HOSTILE))


def test_bad_videos_are_moved_not_deleted(hostile_layout, hostile_report, tmp_path):
    video_dir, _ = hostile_layout
    # a copy of the folder: the module's layout stays as it is for the other tests
    copy = tmp_path / "videos"
    shutil.copytree(video_dir, copy)
    before = {p.relative_to(copy).as_posix(): _digest(p) for p in copy.rglob("*.avi")}
    report = videos.check_videos(videos.find_videos(str(copy)), num_workers=1)
    (tmp_path / "aside" / "Punch").mkdir(parents=True)
    (tmp_path / "aside" / "Punch" / "empty.avi").write_bytes(b"already here")
    moved = videos.move_bad_videos(report, str(tmp_path / "aside"))
    assert sorted(target for _, target in moved) == sorted(
        str(tmp_path / "aside" / v) for v in HOSTILE if v != "Punch/empty.avi")
    after = {p.relative_to(copy).as_posix(): _digest(p) for p in copy.rglob("*.avi")}
    aside = {p.relative_to(tmp_path / "aside").as_posix(): _digest(p)
             for p in (tmp_path / "aside").rglob("*.avi")}
    assert {**after, **{k: v for k, v in aside.items() if k != "Punch/empty.avi"}} == before
    assert aside["Punch/empty.avi"] == _digest(tmp_path / "aside" / "Punch" / "empty.avi")
    assert (copy / "Punch" / "empty.avi").exists()  # its target was taken: left in place
    text = videos.format_videos_report(report, moved, str(tmp_path / "aside"))
    assert "moved 3 of the 4 bad video(s)" in text


def test_frames_must_be_two_or_more(hostile_report):
    with pytest.raises(ValueError, match=r"Expected frames >= 2 .*Received: frames=1"):
        videos.check_videos(hostile_report.layout, frames=1)


def test_an_hmdb51_layout_against_its_split_files(shared_data, tmp_path):
    video_dir, splits_dir = write_hmdb51_layout(shared_data, tmp_path)
    (video_dir / "crawl" / "stray.avi").symlink_to(video_dir / "crawl" /
                                                   "v_BabyCrawling_g01_c01.avi")
    lines = (splits_dir / "punch_test_split1.txt").read_text()
    (splits_dir / "punch_test_split1.txt").write_text(lines + "gone.avi 2 \n")
    layout = videos.find_videos(str(video_dir), "hmdb51", str(splits_dir))
    assert layout.missing == ["punch/gone.avi"] and layout.unlisted == ["crawl/stray.avi"]
    assert len(layout.videos) == 8
