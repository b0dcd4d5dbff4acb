"""A long video made of real clips of different classes, joined with OpenCV in a known order, and
each clip alone as its own file, with the same frames.

The files are FFV1 (lossless) .avi: a frame decodes to the same pixels in the joined video and
in its clip's file, so a window over one clip can be compared with the clip alone exactly. (A
lossy codec would not do: OpenCV's Motion JPEG writer encodes a file's first frame differently.)
"""

from pathlib import Path

import cv2

FPS = 25.0
# The split-1 test clips of the classes the shared tiny run was trained on, in this order.
CLIPS = ("BabyCrawling/v_BabyCrawling_g01_c01.avi", "Punch/v_Punch_g01_c01.avi",
         "PushUps/v_PushUps_g01_c01.avi")


def first_frames(path: Path, count: int, size_wh=None) -> list:
    """The first `count` frames of a video (BGR), resized to size_wh (W, H) if given."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        assert ok, f"{path} has fewer than {count} frames"
        frames.append(frame if size_wh is None else cv2.resize(frame, size_wh))
    capture.release()
    return frames


def write_video(path: Path, frames, fps: float = FPS) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, (width, height))
    assert writer.isOpened(), f"OpenCV cannot write FFV1 to {path}"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def joined_video(shared_data: Path, folder: Path, frames_a_clip: int = 50, size_wh=None,
                 clips=CLIPS, tail: int = 0) -> tuple[Path, list[Path]]:
    """(the joined video, the clips' own files): the first `frames_a_clip` frames of each clip
    of `clips`, in order, then `tail` more frames of the last clip (a part no window fills)."""
    folder.mkdir(parents=True, exist_ok=True)
    pieces, joined = [], []
    for number, clip in enumerate(clips):
        source = shared_data / "videos" / "ucf101" / clip
        extra = tail if number == len(clips) - 1 else 0
        frames = first_frames(source, frames_a_clip + extra, size_wh)
        pieces.append(write_video(folder / f"clip{number}.avi", frames[:frames_a_clip]))
        joined.extend(frames)
    return write_video(folder / "joined.avi", joined), pieces
