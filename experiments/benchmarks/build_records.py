r"""Benchmark: bare TV-L1 on one core vs the whole record build on all workers.

  python -m experiments.benchmarks.build_records --video_dir=UCF-101

(a) TV-L1 pairs/s on one core (one OpenCV thread) at --frame_size, on exactly the frame pairs
    that (b) computes (TV-L1's cost depends on the content, so both figures use the same pairs);
(b) end-to-end pairs/s of `data_prep.build.build_records` (decode, resize, flow, encode, write)
    with --num_workers workers on the real UCF101 clips, --positions positions each.
Prints both and the efficiency (b) / (workers x (a)); the target is >= 0.9.
"""

import os
import tempfile
import time

import cv2
from absl import app, flags

from data_prep import flow as flow_lib
from data_prep import positions as positions_lib
from data_prep import video as video_lib
from data_prep.build import build_records
from data_prep.extract import PrepSettings

FLAGS = flags.FLAGS
flags.DEFINE_string("video_dir", None, "Videos, one sub-folder per class (e.g. UCF-101); the "
                    "first --max_videos in sorted order are used.", required=True)
flags.DEFINE_integer("max_videos", 6, "Videos measured.", lower_bound=1)
flags.DEFINE_string("frame_size", "340x256", "WIDTHxHEIGHT for both measurements.")
flags.DEFINE_integer("positions", 5, "Positions a video: the pairs (a) and (b) compute.",
                     lower_bound=1)
flags.DEFINE_integer("num_workers", None, "(b): workers (default: os.cpu_count()).")


def bare_tvl1_pairs_per_second(video_paths: list[str], frame_size, positions: int) -> float:
    """(a): TV-L1 alone, one OpenCV thread, on the pairs (k, k + 1) the build stores."""
    flow_lib.use_one_opencv_thread()
    pairs = []
    for path in video_paths:
        num_frames, _ = video_lib.count_frames(path)
        starts = positions_lib.position_indices(num_frames, positions)
        indices = sorted({i for k in starts for i in (k, k + 1)})
        gray = dict(zip(indices, (cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
                                  for f in video_lib.read_frames(path, indices, frame_size))))
        pairs += [(gray[k], gray[k + 1]) for k in starts]
    flow_lib.tvl1(*pairs[0])  # warm-up
    start = time.perf_counter()
    for prev_gray, next_gray in pairs:
        flow_lib.tvl1(prev_gray, next_gray)
    return len(pairs) / (time.perf_counter() - start)


def main(argv):
    del argv
    frame_size = video_lib.parse_frame_size(FLAGS.frame_size)
    workers = FLAGS.num_workers or os.cpu_count()
    video_dir = FLAGS.video_dir
    clips = sorted(os.path.join(root, name) for root, _, names in os.walk(video_dir)
                   for name in names if name.endswith(".avi"))[:FLAGS.max_videos]
    if not clips:
        raise app.UsageError(f"--video_dir={video_dir} holds no .avi videos.")
    rate_a = bare_tvl1_pairs_per_second(clips, frame_size, FLAGS.positions)
    print(f"(a) bare TV-L1, 1 core, {frame_size[0]}x{frame_size[1]}: {rate_a:.3f} pairs/s "
          f"({1 / rate_a:.2f} s a pair)", flush=True)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        videos = os.path.join(out, "videos")
        for clip in clips:
            target = os.path.join(videos, os.path.relpath(clip, video_dir))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.path.abspath(clip), target)
        manifest = build_records("folder", videos, os.path.join(out, "records"),
                                 num_workers=workers, verbose=False,
                                 settings=PrepSettings(positions=FLAGS.positions,
                                                       frame_size=frame_size))
        wall = time.perf_counter() - start
    pairs = manifest["counts"]["positions"]
    rate_b = pairs / wall
    print(f"(b) end-to-end build, {workers} workers: {pairs} pairs in {wall:.1f} s = "
          f"{rate_b:.3f} pairs/s ({manifest['counts']['record_bytes'] / pairs / 1024:.1f} KiB "
          f"a position)")
    print(f"efficiency (b) / ({workers} x (a)) = {rate_b / (workers * rate_a):.2f} (target >= 0.9)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
          f"(other processes on the cores lower both figures, (b) more)")


if __name__ == "__main__":
    app.run(main)
