r"""Benchmark: bare TV-L1 against the whole record build, with either flow engine and engine.

  python -m experiments.benchmarks.build_records --video_dir=UCF-101
  python -m experiments.benchmarks.build_records --video_dir=UCF-101 --flow_engine=jax
  python -m experiments.benchmarks.build_records --video_dir=UCF-101 --beam
  python -m experiments.benchmarks.build_records --video_dir=clips --max_videos=7 --repeat=20 \
      --positions=10 --frame_size=170x128 --num_workers=2 --flow_engine=jax --beam \
      --beam_runners=multiprocess --opencv_baseline

(a) the flow kernel's own rate on exactly the frame pairs that (b) computes (TV-L1's cost depends
    on the content, so both figures use the same pairs; measured after the builds, so that (b)
    pays for its JAX compile as a user's build does): with opencv, pairs/s on one core (one
    OpenCV thread); with jax, pairs/s of the JAX kernel on all the pairs at --flow_batch_size,
    split among as many calls at once as the build runs (`jax_engine.flow_devices`: one a worker
    on a CPU host, one a device on an accelerator), after a warm-up call that compiles it;
(b) end-to-end pairs/s of `data_prep.build.local.build_records` (decode, resize, flow, encode,
    write) with --num_workers workers on the real UCF101 clips, --positions positions each.
Prints both and the efficiency: (b) / (workers x (a)) with opencv (target >= 0.9), (b) / (a)
with jax (target >= 0.8: the workers' decoding and encoding hide behind the kernel).

--beam also builds the same videos with --engine=beam on each of --beam_runners (Beam's
multiprocess runner, a local Dask cluster), --num_workers processes each (each started for its
build: the figures include starting the workers), prints each one's pairs/s, its speed as a share
of (b)'s (target: >= 0.8 with opencv; with jax the local engine should be at least as fast,
<= 1.0) and whether its files (shards and manifest) are the bytes of (b). Every build also
prints its CPU seconds a pair (this process and the worker processes it started), which other
jobs on a shared machine change less than the wall time. --opencv_baseline, with
--flow_engine=jax, also builds the same videos locally with the OpenCV engine. --repeat lists
every clip that many times under different ids (symbolic links), for a longer build from a few
clips. All builds run one after the other in this process, so their ratios are comparable on a
shared machine.
"""

import concurrent.futures
import dataclasses
import hashlib
import logging
import os
import resource
import tempfile
import time

import cv2
import numpy as np
from absl import app, flags

from data_prep.flow import tvl1 as flow_lib
from data_prep.build import plan as plan_lib
from data_prep.decoding import positions as positions_lib
from data_prep.decoding import video as video_lib
from data_prep.build import jax_engine
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
flags.DEFINE_bool("beam", False, "Also build with --engine=beam on each of --beam_runners, "
                  "against (b), and compare their files with (b)'s.")
flags.DEFINE_list("beam_runners", ["multiprocess", "dask"], "--beam: the runners, in turn "
                  "(dask: a local cluster, pip install -e \".[beam-dask]\").")
flags.DEFINE_bool("opencv_baseline", False, "--flow_engine=jax: also build the same videos "
                  "locally with --flow_engine=opencv, against (b).")
flags.DEFINE_integer("repeat", 1, "Each clip listed this many times under different ids "
                     "(symbolic links named <clip>_rN): a longer build from a few clips.",
                     lower_bound=1)
flags.register_validator("beam_runners", lambda runners: set(runners) <= {"multiprocess", "dask"},
                         "Expected runners among multiprocess, dask.")
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


def jax_kernel_pairs_per_second(pairs: list[tuple], settings: PrepSettings,
                                workers: int) -> float:
    """(a) with jax: the kernel alone on all the pairs, split among as many calls at once as the
    build runs (`jax_engine.flow_devices`), each on its own thread and device."""
    prev_gray = np.stack([a for a, _ in pairs])
    next_gray = np.stack([b for _, b in pairs])
    devices = jax_engine.flow_devices(workers)
    for device in dict.fromkeys(devices):  # compiles the programs (for each device)
        jax_engine.quantized_flow(prev_gray[:1], next_gray[:1], settings, device)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(devices)) as pool:
        list(pool.map(lambda i: jax_engine.quantized_flow(prev_gray[i::len(devices)],
                                                          next_gray[i::len(devices)], settings,
                                                          devices[i]), range(len(devices))))
    return len(pairs) / (time.perf_counter() - start)


def link_clips(clips: list[str], video_dir: str, target_dir: str, repeat: int) -> None:
    """Links each clip into target_dir at its path relative to video_dir, `repeat` times: as
    <name>.avi once, as <name>_r1.avi ... <name>_r{repeat-1}.avi (other ids, the same video)."""
    for clip in clips:
        stem, ext = os.path.splitext(os.path.relpath(clip, video_dir))
        for copy in range(repeat):
            target = os.path.join(target_dir, stem + (f"_r{copy}" if copy else "") + ext)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.path.abspath(clip), target)


def _digests(output_dir: str) -> dict:
    """{file name: SHA-256} of a build's files (shards and manifest)."""
    out = {}
    for name in sorted(os.listdir(output_dir)):
        with open(os.path.join(output_dir, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def same_bytes(ours: dict, reference: dict) -> str:
    """'identical', or which files differ between two `_digests`."""
    if ours == reference:
        return "identical"
    names = sorted(n for n in set(ours) | set(reference) if ours.get(n) != reference.get(n))
    return "DIFFERENT: " + ", ".join(names)


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its finished child processes so far."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


@dataclasses.dataclass
class Build:
    """A timed build: its manifest, wall and CPU seconds (this process and the worker processes
    it started), and the SHA-256 of each file it wrote."""
    manifest: dict
    wall: float
    cpu: float
    digests: dict

    def rate(self) -> str:
        pairs = self.manifest["counts"]["positions"]
        return (f"{pairs / self.wall:.3f} pairs/s in {self.wall:.1f} s, "
                f"{self.cpu / pairs:.3f} CPU s a pair")


def _timed_build(engine: str, videos: str, settings: PrepSettings, workers: int) -> Build:
    """A whole build of the folder dataset `videos` in a temporary folder: engine 'local' (b),
    or a Beam runner ('multiprocess', 'dask': a local cluster of `workers` processes). The
    manifest names `videos`: every build reads the same."""
    with tempfile.TemporaryDirectory() as output_dir:
        start, cpu = time.perf_counter(), _cpu_seconds()
        if engine == "local":
            manifest = build_records("folder", videos, output_dir, num_workers=workers,
                                     verbose=False, settings=settings)
        else:
            from data_prep.build.beam_pipeline import run_beam
            plan = plan_lib.make_plan("folder", videos, "folder", settings)
            manifest, _ = run_beam(plan, output_dir, settings, engine, num_workers=workers,
                                   progress=False)
        return Build(manifest, time.perf_counter() - start, _cpu_seconds() - cpu,
                     _digests(output_dir))


def _compare_builds(videos: str, settings: PrepSettings, workers: int) -> float:
    """Builds `videos` with (b), then on each --beam_runners (with --beam) and with the OpenCV
    engine (--opencv_baseline), one after the other; prints each. Returns (b)'s pairs/s.

    (b) runs first, in this process, so it pays for its JAX compile as a user's build does.
    """
    jax_used = settings.flow_engine == "jax"
    local = _timed_build("local", videos, settings, workers)
    counts = local.manifest["counts"]
    rate_b = counts["positions"] / local.wall
    print(f"(b) end-to-end build, {settings.flow_engine}, {workers} workers, {counts['videos']} "
          f"videos, {counts['positions']} pairs: {local.rate()} "
          f"({counts['record_bytes'] / counts['positions'] / 1024:.1f} KiB a position)",
          flush=True)
    target = "<= 1.0: the local engine at least as fast" if jax_used else ">= 0.8"
    for runner in FLAGS.beam_runners if FLAGS.beam else ():
        beam = _timed_build(runner, videos, settings, workers)
        print(f"Beam {runner}, {settings.flow_engine}, {workers} workers: {beam.rate()}; "
              f"{local.wall / beam.wall:.2f} of (b)'s speed (target {target}); bytes "
              f"{same_bytes(beam.digests, local.digests)} to (b)'s", flush=True)
    if FLAGS.opencv_baseline and jax_used:
        opencv = _timed_build("local", videos, dataclasses.replace(settings, flow_engine="opencv"),
                              workers)
        print(f"local opencv, {workers} workers: {opencv.rate()}; (b) is "
              f"{opencv.wall / local.wall:.2f}x as fast", flush=True)
    return rate_b


def main(argv):
    del argv
    for name in ("apache_beam", "jax"):  # their INFO lines would bury the figures
        logging.getLogger(name).setLevel(logging.WARNING)
    size = video_lib.parse_frame_size(FLAGS.frame_size)  # {'frame_width', 'frame_height'}
    workers = FLAGS.num_workers or os.cpu_count()
    video_dir = FLAGS.video_dir
    clips = sorted(os.path.join(root, name)
                   for root, _, names in os.walk(video_dir, followlinks=True)
                   for name in names if name.endswith(".avi"))[:FLAGS.max_videos]
    if not clips:
        raise app.UsageError(f"--video_dir={video_dir} holds no .avi videos.")
    jax_used = FLAGS.flow_engine == "jax"
    batch_size = flow_lib.DEFAULT_JAX_BATCH_SIZE
    if jax_used:
        batch_size = FLAGS.flow_batch_size or flow_lib.auto_jax_batch_size()
    settings = PrepSettings(positions=FLAGS.positions, **size,
                            flow_engine=FLAGS.flow_engine, flow_batch_size=batch_size)
    with tempfile.TemporaryDirectory() as videos:
        link_clips(clips, video_dir, videos, FLAGS.repeat)
        rate_b = _compare_builds(videos, settings, workers)
    # (a) on the distinct pairs: the clips listed again (--repeat) are the same pairs.
    pairs_ab = _pairs(clips, FLAGS.positions, **size)
    if jax_used:
        rate_a = jax_kernel_pairs_per_second(pairs_ab, settings, workers)
        calls = len(jax_engine.flow_devices(workers))
        what = f"JAX kernel, batch {batch_size}, {calls} call(s) at once"
    else:
        rate_a = bare_tvl1_pairs_per_second(pairs_ab)
        what = "OpenCV, 1 core"
    print(f"(a) bare TV-L1, {what}, {size['frame_width']}x{size['frame_height']}: "
          f"{rate_a:.3f} pairs/s ({1 / rate_a:.2f} s a pair)")
    if jax_used:
        print(f"efficiency (b) / (a) = {rate_b / rate_a:.2f} (target >= 0.8)")
    else:
        print(f"efficiency (b) / ({workers} x (a)) = {rate_b / (workers * rate_a):.2f} "
              "(target >= 0.9)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
          f"(other processes on the cores lower every figure)")


if __name__ == "__main__":
    app.run(main)
