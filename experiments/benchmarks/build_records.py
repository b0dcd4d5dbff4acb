r"""Benchmark: bare TV-L1 against the whole record build, with either flow engine.

  python -m experiments.benchmarks.build_records --video_dir=UCF-101
  python -m experiments.benchmarks.build_records --video_dir=UCF-101 --flow_engine=jax
  python -m experiments.benchmarks.build_records --video_dir=UCF-101 --beam

(a) the flow kernel's own rate on exactly the frame pairs that (b) computes (TV-L1's cost depends
    on the content, so both figures use the same pairs): with opencv, pairs/s on one core (one
    OpenCV thread); with jax, pairs/s of the JAX kernel in one call over all the pairs at
    --flow_batch_size, after a warm-up call that compiles it;
(b) end-to-end pairs/s of `data_prep.build.local.build_records` (decode, resize, flow, encode, write)
    with --num_workers workers on the real UCF101 clips, --positions positions each.
Prints both and the efficiency: (b) / (workers x (a)) with opencv (target >= 0.9), (b) / (a)
with jax (target >= 0.8: the workers' decoding and encoding hide behind the kernel).

--beam also builds the same videos with --engine=beam on Beam's multiprocess runner and on a local
Dask cluster, --num_workers processes each (each started for its build: the figures include
starting the workers), and prints each one's pairs/s and its ratio to (b) (target >= 0.8).
"""

import os
import tempfile
import time

import cv2
import numpy as np
from absl import app, flags

from data_prep.flow import tvl1 as flow_lib
from data_prep.build import plan as plan_lib
from data_prep.decoding import positions as positions_lib
from data_prep.decoding import video as video_lib
from data_prep.build.local import build_records
from data_prep.build.extract import PrepSettings

FLAGS = flags.FLAGS
flags.DEFINE_string("video_dir", None, "Videos, one sub-folder per class (e.g. UCF-101); the "
                    "first --max_videos in sorted order are used.", required=True)
flags.DEFINE_integer("max_videos", 6, "Videos measured.", lower_bound=1)
flags.DEFINE_string("frame_size", "340x256", "WIDTHxHEIGHT for both measurements.")
flags.DEFINE_integer("positions", 5, "Positions a video: the pairs (a) and (b) compute.",
                     lower_bound=1)
flags.DEFINE_integer("num_workers", None, "(b): workers (default: os.cpu_count()).")
flags.DEFINE_enum("flow_engine", "opencv", list(flow_lib.FLOW_ENGINES), "The flow engine.")
flags.DEFINE_bool("beam", False, "Also build with --engine=beam: the multiprocess runner and a "
                  "local Dask cluster (pip install -e \".[beam-dask]\"), against (b).")
flags.DEFINE_integer("flow_batch_size", None, "--flow_engine=jax: pairs a compiled call "
                     "(default: 1 where JAX runs on the CPU, 64 on an accelerator).",
                     lower_bound=1)


def _pairs(video_paths: list[str], positions: int, *, frame_height: int,
           frame_width: int) -> list[tuple]:
    """The grayscale pairs (k, k + 1) the build stores, at frame_height x frame_width."""
    pairs = []
    for path in video_paths:
        num_frames, _ = video_lib.count_frames(path)
        starts = positions_lib.position_indices(num_frames, positions)
        indices = sorted({i for k in starts for i in (k, k + 1)})
        gray = dict(zip(indices, (cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
                                  for f in video_lib.read_frames(
                                      path, indices, frame_height=frame_height,
                                      frame_width=frame_width))))
        pairs += [(gray[k], gray[k + 1]) for k in starts]
    return pairs


def bare_tvl1_pairs_per_second(pairs: list[tuple]) -> float:
    """(a) with opencv: TV-L1 alone, one OpenCV thread."""
    flow_lib.use_one_opencv_thread()
    flow_lib.tvl1(*pairs[0])  # warm-up
    start = time.perf_counter()
    for prev_gray, next_gray in pairs:
        flow_lib.tvl1(prev_gray, next_gray)
    return len(pairs) / (time.perf_counter() - start)


def jax_kernel_pairs_per_second(pairs: list[tuple], batch_size: int) -> float:
    """(a) with jax: the kernel alone on all the pairs in one call (as the build batches them)."""
    prev_gray = np.stack([a for a, _ in pairs])
    next_gray = np.stack([b for _, b in pairs])
    flow_lib.tvl1_jax(prev_gray, next_gray, batch_size)  # compiles every program it needs
    start = time.perf_counter()
    flow_lib.tvl1_jax(prev_gray, next_gray, batch_size)
    return len(pairs) / (time.perf_counter() - start)


def _timed_build(engine: str, clips: list[str], video_dir: str, settings: PrepSettings,
                 workers: int) -> tuple[dict, float]:
    """(manifest, wall seconds) of a whole build of `clips` in a temporary folder: engine 'local'
    (b), or a Beam runner ('multiprocess', 'dask': a local cluster of `workers` processes)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        videos = os.path.join(out, "videos")
        for clip in clips:
            target = os.path.join(videos, os.path.relpath(clip, video_dir))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.path.abspath(clip), target)
        output_dir = os.path.join(out, "records")
        if engine == "local":
            manifest = build_records("folder", videos, output_dir, num_workers=workers,
                                     verbose=False, settings=settings)
        else:
            from data_prep.build.beam_pipeline import run_beam
            plan = plan_lib.make_plan("folder", videos, "folder", settings)
            manifest, _ = run_beam(plan, output_dir, settings, engine, num_workers=workers,
                                   progress=False)
        return manifest, time.perf_counter() - start


def main(argv):
    del argv
    size = video_lib.parse_frame_size(FLAGS.frame_size)  # {'frame_width', 'frame_height'}
    workers = FLAGS.num_workers or os.cpu_count()
    video_dir = FLAGS.video_dir
    clips = sorted(os.path.join(root, name) for root, _, names in os.walk(video_dir)
                   for name in names if name.endswith(".avi"))[:FLAGS.max_videos]
    if not clips:
        raise app.UsageError(f"--video_dir={video_dir} holds no .avi videos.")
    pairs_ab = _pairs(clips, FLAGS.positions, **size)
    jax_engine = FLAGS.flow_engine == "jax"
    if jax_engine:
        batch_size = FLAGS.flow_batch_size or flow_lib.auto_jax_batch_size()
        rate_a = jax_kernel_pairs_per_second(pairs_ab, batch_size)
        what = f"JAX kernel, batch {batch_size}"
    else:
        batch_size = flow_lib.DEFAULT_JAX_BATCH_SIZE
        rate_a = bare_tvl1_pairs_per_second(pairs_ab)
        what = "OpenCV, 1 core"
    print(f"(a) bare TV-L1, {what}, {size['frame_width']}x{size['frame_height']}: "
          f"{rate_a:.3f} pairs/s "
          f"({1 / rate_a:.2f} s a pair)", flush=True)
    settings = PrepSettings(positions=FLAGS.positions, **size,
                            flow_engine=FLAGS.flow_engine, flow_batch_size=batch_size)
    manifest, wall = _timed_build("local", clips, video_dir, settings, workers)
    pairs = manifest["counts"]["positions"]
    rate_b = pairs / wall
    print(f"(b) end-to-end build, {workers} workers: {pairs} pairs in {wall:.1f} s = "
          f"{rate_b:.3f} pairs/s ({manifest['counts']['record_bytes'] / pairs / 1024:.1f} KiB "
          f"a position)")
    if jax_engine:
        print(f"efficiency (b) / (a) = {rate_b / rate_a:.2f} (target >= 0.8)")
    else:
        print(f"efficiency (b) / ({workers} x (a)) = {rate_b / (workers * rate_a):.2f} "
              "(target >= 0.9)")
    if FLAGS.beam:
        for runner in ("multiprocess", "dask"):
            manifest, wall = _timed_build(runner, clips, video_dir, settings, workers)
            rate = manifest["counts"]["positions"] / wall
            print(f"Beam {runner}, {workers} workers: {rate:.3f} pairs/s in {wall:.1f} s, "
                  f"{rate / rate_b:.2f} of (b) (target >= 0.8)", flush=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
          f"(other processes on the cores lower both figures, (b) more)")


if __name__ == "__main__":
    app.run(main)
