"""A UCF101-format video folder of the real clips and hostile files, with its split files, and
corrupted copies of a record set: the inputs of the `tan-check` tests."""

import json
import shutil
from pathlib import Path

import cv2

from tests.helpers.real_records import UCF_CLASSES, write_ucf101_splits

TRUNCATED_BYTES = 60_000  # the first 60 kB of Punch g08 (251 frames): 17 frames decode
# id -> what the build says of it (the start of its reason, after the path)
HOSTILE = {
    "Punch/empty.avi": "OpenCV cannot open it as a video",
    "PushUps/text.avi": "OpenCV cannot open it as a video",
    "Punch/v_Punch_g08_c01_truncated.avi": "damaged: 17 of the 251 frames its container reports "
                                           "decode (below 90%)",
    "BabyCrawling/one_frame.avi": "decoded 1 frame(s); flow needs at least 2",
}
MISSING = "PushUps/v_PushUps_g02_c01.avi"  # listed in the split files, not on disk


def real_ids() -> list[str]:
    return [f"{c}/v_{c}_{g}_c01.avi" for c in UCF_CLASSES for g in ("g01", "g08")]


def write_hostile_layout(shared_data: Path, folder: Path) -> tuple[Path, Path]:
    """(video folder, split folder): the six real UCF101 clips (copies), the HOSTILE files, and
    split 1 listing the real clips and MISSING.

    The hostile files: zero bytes, a text file named .avi, the truncated real clip (its first
    TRUNCATED_BYTES) and a one-frame clip (the first frame of a real one, as MJPG).
    """
    videos = folder / "UCF-101"
    for video_id in real_ids():
        (videos / video_id).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / "videos" / "ucf101" / video_id, videos / video_id)
    punch = (shared_data / "videos" / "ucf101" / "Punch" / "v_Punch_g08_c01.avi").read_bytes()
    (videos / "Punch/empty.avi").write_bytes(b"")
    (videos / "PushUps/text.avi").write_text("This is not a video.\n")
    (videos / "Punch/v_Punch_g08_c01_truncated.avi").write_bytes(punch[:TRUNCATED_BYTES])
    capture = cv2.VideoCapture(str(videos / real_ids()[0]))
    ok, frame = capture.read()
    capture.release()
    assert ok
    writer = cv2.VideoWriter(str(videos / "BabyCrawling/one_frame.avi"),
                             cv2.VideoWriter_fourcc(*"MJPG"), 25, frame.shape[1::-1])
    writer.write(frame)
    writer.release()
    splits = write_ucf101_splits(folder / "ucfTrainTestlist")
    with open(splits / "testlist01.txt", "ab") as f:
        f.write(f"{MISSING}\r\n".encode())
    return videos, splits


def corrupt_copy(records: Path, folder: Path, fault: str) -> Path:
    """A copy of the record set `records` in `folder` with one fault:
    'flipped_byte' (the middle byte of its first shard inverted), 'missing_shard' (its first
    shard deleted), 'truncated_shard' (its first shard's last 100 bytes cut),
    'count_changed' (manifest counts.videos + 1) or 'positions_changed' (the first video's
    num_positions + 1 in the manifest)."""
    shutil.copytree(records, folder)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    shard = folder / manifest["shards"][0]
    if fault == "flipped_byte":
        data = bytearray(shard.read_bytes())
        data[len(data) // 2] ^= 0xFF
        shard.write_bytes(bytes(data))
    elif fault == "missing_shard":
        shard.unlink()
    elif fault == "truncated_shard":
        shard.write_bytes(shard.read_bytes()[:-100])
    elif fault == "count_changed":
        manifest["counts"]["videos"] += 1
    elif fault == "positions_changed":
        manifest["videos"][sorted(manifest["videos"])[0]]["num_positions"] += 1
    else:
        raise ValueError(f"unknown fault {fault!r}")
    manifest_path.write_text(json.dumps(manifest))
    return folder
