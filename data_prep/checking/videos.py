"""Checking videos before a build: each decodes, and is neither truncated nor too short; and a
dataset's layout against its split files.

  layout = find_videos("UCF-101", "ucf101", "ucfTrainTestlist")
  report = check_videos(layout, frames=5, num_workers=2)
  print(format_videos_report(report))
  move_bad_videos(report, "bad_videos")       # optional: set the bad ones aside

A video is checked as the build decodes it (`data_prep.decoding.video`, the build's decoder):
`video.probe` counts the frames that decode against the count the container reports; a video
the build would refuse (unreadable, damaged: fewer than `min_decoded_fraction` of the reported
frames decode, or fewer than 2 frames) gets the build's own reason, from the build's own step
(`extract.decode_positions`), word for word. Then `video.read_frames` decodes `frames` frames
spread over it: the first, the last and evenly between (`spread_indices`). Checking is two
passes over the file, the first without colour conversion, and needs no flow: about 25 videos a
CPU-second on the real UCF101 clips (docs/checking.md, "Speed").

Layout: the videos on disk are the files with a video extension (`splits.VIDEO_EXTENSIONS`) in
each class folder of the video root, as the build lists a folder dataset. With split files
(UCF101, HMDB51, or UCF101-format files for a folder dataset), videos the splits list but the
disk lacks are *missing* (a fault: the build stops on them by default), and videos on disk in no
split are listed apart (not a fault: the build leaves them out, and HMDB51 leaves many unused).
Nothing is ever deleted: `move_bad_videos` moves bad videos to another folder, keeping their
`<class>/<file>` ids.
"""

import dataclasses
import os
import shutil
import time

import cv2
import numpy as np

from data_prep.build.extract import PrepSettings, decode_positions
from data_prep.checking.workers import map_in_workers, worker_count
from data_prep.datasets import splits as splits_lib
from data_prep.decoding import video as video_lib

DEFAULT_FRAMES = 5  # frames decoded a video: the first, the last and 3 evenly between


@dataclasses.dataclass
class VideoLayout:
    """The videos of a dataset folder.

    video_dir: the root. videos: id ('<class>/<file>') -> path, every video file on disk.
    missing: ids the split files list that are not on disk. unlisted: ids on disk in no split
    ([] without split files). splits_checked: whether split files were read.
    """
    video_dir: str
    videos: dict[str, str]
    missing: list[str] = dataclasses.field(default_factory=list)
    unlisted: list[str] = dataclasses.field(default_factory=list)
    splits_checked: bool = False


def find_videos(video_dir: str, dataset: str = "folder",
                splits_dir: str | None = None) -> VideoLayout:
    """The videos under `video_dir`, and with split files the layout against them.

    Args:
      video_dir: the video root, one sub-folder per class.
      dataset: 'ucf101' or 'hmdb51' (official split files in `splits_dir`, needed), or 'folder'
        (UCF101-format split files in `splits_dir`, optional).

    Raises:
      tan_keras.errors.InputError: no class folder with videos, or split files that do not
        parse or do not fit (naming the file and line), as for the build.
    """
    _, labels = splits_lib.list_folder_videos(video_dir)
    videos = {video_id: os.path.join(video_dir, *video_id.split("/")) for video_id in labels}
    if dataset == "folder" and not splits_dir:
        return VideoLayout(video_dir=video_dir, videos=videos)
    listed = set(splits_lib.load_splits(dataset, video_dir, splits_dir).labels)
    return VideoLayout(video_dir=video_dir, videos=videos,
                       missing=sorted(v for v in listed if not os.path.isfile(
                           os.path.join(video_dir, *v.split("/")))),
                       unlisted=sorted(set(videos) - listed), splits_checked=True)


def spread_indices(num_frames: int, count: int) -> list[int]:
    """`count` frame indices of a `num_frames`-frame video: 0, num_frames - 1 and evenly between
    (all of them when count >= num_frames).

    >>> spread_indices(251, 5)
    [0, 62, 125, 188, 250]
    """
    if count >= num_frames:
        return list(range(num_frames))
    return sorted({int(i) for i in np.round(np.linspace(0, num_frames - 1, count))})


@dataclasses.dataclass(frozen=True)
class VideoJob:
    """One video to check: its id and path; frames to decode; the build's damage threshold."""
    video_id: str
    path: str
    frames: int
    min_decoded_fraction: float


@dataclasses.dataclass
class VideoCheck:
    """A video's verdict: reason None (good) or why it is bad, in the build's words (it names the
    file); decoded: frames that decode; container: frames the container reports (0: none)."""
    video_id: str
    path: str
    reason: str | None = None
    decoded: int = 0
    container: int = 0


def check_video(job: VideoJob) -> VideoCheck:
    """Checks one video (in a worker); never raises for a bad video (see the module docstring)."""
    check = VideoCheck(job.video_id, job.path)
    try:
        counts = video_lib.probe(job.path)
        check.decoded, check.container = counts.decoded, counts.container
        if counts.decoded < 2 or video_lib.is_damaged(counts.decoded, counts.container,
                                                      job.min_decoded_fraction):
            # The build's own step, so that the reason is the build's, word for word.
            decode_positions(job.path, PrepSettings(
                positions=1, min_decoded_fraction=job.min_decoded_fraction))
        video_lib.read_frames(job.path, spread_indices(counts.decoded, job.frames))
    except video_lib.VideoDecodeError as error:
        check.reason = str(error)
    except (cv2.error, ValueError, OSError) as error:  # as the build words what it does not expect
        check.reason = f"{job.path}: {type(error).__name__}: {error}"
    return check


@dataclasses.dataclass
class VideosReport:
    """What `check_videos` found: the layout, each video's check (id order), the run's time."""
    layout: VideoLayout
    checks: list[VideoCheck]
    seconds: float = 0.0
    num_workers: int = 1

    @property
    def bad(self) -> list[VideoCheck]:
        return [check for check in self.checks if check.reason is not None]

    @property
    def faults(self) -> int:
        """Bad videos and missing ones: what makes the command exit non-zero."""
        return len(self.bad) + len(self.layout.missing)


def check_videos(layout: VideoLayout, frames: int = DEFAULT_FRAMES,
                 min_decoded_fraction: float = video_lib.DEFAULT_MIN_DECODED_FRACTION,
                 num_workers: int | None = None, progress: bool = False) -> VideosReport:
    """Checks every video of `layout` in `num_workers` processes (default: os.cpu_count()).

    frames: frames decoded a video (>= 2: the first and the last, then evenly between).
    min_decoded_fraction: in (0, 1], the build's threshold for a damaged video (its default).
    """
    if frames < 2:
        raise ValueError(f"Expected frames >= 2 (the first and the last). Received: "
                         f"frames={frames}")
    start = time.perf_counter()
    jobs = [VideoJob(video_id, path, frames, min_decoded_fraction)
            for video_id, path in sorted(layout.videos.items())]
    checks = map_in_workers(check_video, jobs, num_workers, progress, desc="videos",
                            unit="video")
    return VideosReport(layout=layout, checks=checks, seconds=time.perf_counter() - start,
                        num_workers=worker_count(num_workers, len(jobs)))


def move_bad_videos(report: VideosReport, destination: str) -> list[tuple[str, str]]:
    """Moves each bad video to `destination/<its id>` (class folders kept); nothing deleted.

    A file already at the target is left alone, and so is the bad video (it is not in the
    returned list). Returns [(from, to)] of the videos moved.
    """
    moved = []
    for check in report.bad:
        target = os.path.join(destination, *check.video_id.split("/"))
        if os.path.exists(target) or not os.path.isfile(check.path):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.move(check.path, target)
        moved.append((check.path, target))
    return moved


def format_videos_report(report: VideosReport, moved: list | None = None,
                         destination: str | None = None) -> str:
    """The report a person reads: counts, each bad video with its reason, each missing video,
    the videos in no split (their count and the first 5 when more than 10), what was moved."""
    layout, bad = report.layout, report.bad
    rate = len(report.checks) / report.seconds if report.seconds else 0.0
    lines = [f"videos: {len(report.checks)} in {layout.video_dir}, {len(report.checks) - len(bad)}"
             f" good, {len(bad)} bad, in {report.seconds:.1f} s ({rate:.1f} videos/s, "
             f"{report.num_workers} worker(s))"]
    lines += [f"bad: {check.reason}" for check in bad]
    if layout.splits_checked:
        lines += [f"missing: {video_id} (listed in the split files, not in {layout.video_dir})"
                  for video_id in layout.missing]
        unlisted = layout.unlisted
        lines += ([f"in no split: {video_id}" for video_id in unlisted] if len(unlisted) <= 10
                  else [f"in no split: {len(unlisted)} videos, e.g. {', '.join(unlisted[:5])}"])
    if moved is not None:
        lines.append(f"moved {len(moved)} of the {len(bad)} bad video(s) to {destination}"
                     + ("" if len(moved) == len(bad) else
                        " (the others: a file of that name is already there)"))
    lines.append(f"videos: {report.faults} fault(s)" if report.faults else "videos: no fault")
    return "\n".join(lines)
