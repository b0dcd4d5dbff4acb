"""The local runner: worker processes, a resumable per-video cache, then shards and manifest.

The build resumes from its work folder (`work_folder`: the per-video cache, shared with the Beam
engine): killed at any moment and rerun with the same settings, it writes the same bytes as an
uninterrupted run.

Two flow engines (`PrepSettings.flow_engine`):
  - 'opencv': each worker process decodes a video, computes its flow with OpenCV on one core and
    encodes its record (`extract.process_video`);
  - 'jax': worker processes decode and encode, while this process gathers the decoded pairs
    across videos and computes their flow with the JAX kernel, `flow_batch_size` pairs a compiled
    call, several calls at once: one a worker on a CPU host, one a device on an accelerator
    (`jax_engine.run_jax`). A pair's flow does not depend on which pairs it was batched with, nor
    on how many calls ran at once, so a resumed build writes the same bytes here too.
"""

import multiprocessing
import os
import time

from data_prep.build import plan as plan_lib
from data_prep.build.extract import PrepSettings, VideoResult, process_video
from data_prep.build.jax_engine import run_jax, worker_init
from data_prep.build.summary import RunStats, format_summary
from data_prep.build.work_folder import cache_result, finish_work_folder, open_work_folder
from data_prep.datasets import splits as splits_lib
from data_prep.flow import tvl1 as flow_lib


def _process_and_cache(args) -> VideoResult:
    """Runs in a worker: process one video, cache it, return its result without the record bytes."""
    task, settings, work_dir = args
    result = process_video(task, settings)
    cache_result(work_dir, result)
    result.record = None
    return result


def run_local(plan: plan_lib.BuildPlan, output_dir: str, settings: PrepSettings,
              num_workers: int | None = None, progress: bool = True) -> tuple[dict, RunStats]:
    """Builds `plan` into `output_dir` with worker processes; returns (manifest, this run's stats).

    num_workers: processes, each with one OpenCV thread; default os.cpu_count(). With 1, videos
    are processed in this process (which then also uses one OpenCV thread). With the JAX flow
    engine they decode and encode, and this process computes the flow, num_workers calls at once
    on a CPU host, one a device on an accelerator (see `jax_engine.run_jax`).
    """
    if settings.flow_engine == "jax":
        flow_lib.require_jax()  # before anything is written
    num_workers = num_workers or os.cpu_count() or 1
    stats = RunStats(num_workers=num_workers)
    folder = open_work_folder(plan, output_dir)
    if folder.finished is not None:
        counts = folder.finished["counts"]
        stats.videos_resumed = counts["videos"] + counts["failed"]
        return folder.finished, stats
    work_dir = folder.work_dir
    results = dict(folder.results)
    stats.videos_resumed = len(results)
    todo = largest_first([t for t in plan.tasks if t.filename not in results])

    from tqdm import tqdm
    bar = tqdm(total=len(plan.tasks), initial=len(results), unit="video", disable=not progress,
               desc=f"{plan.name}: TV-L1 + records", dynamic_ncols=True)
    start = time.perf_counter()

    def collect(result: VideoResult) -> None:
        results[result.filename] = result
        stats.videos_done += 1
        stats.pairs_done += result.num_positions
        stats.bytes_done += result.record_bytes
        elapsed = time.perf_counter() - start
        bar.set_postfix(pairs_per_s=f"{stats.pairs_done / elapsed:.2f}",
                        failed=sum(not r.ok for r in results.values()), refresh=False)
        bar.update(1)

    jobs = [(t, settings, work_dir) for t in todo]
    if todo and settings.flow_engine == "jax":
        run_jax(todo, settings, work_dir, num_workers, collect)
    elif todo and num_workers == 1:
        worker_init()
        for job in jobs:
            collect(_process_and_cache(job))
    elif todo:
        # The caller may have loaded TensorFlow: never fork.
        context = multiprocessing.get_context("spawn")
        with context.Pool(min(num_workers, len(todo)), initializer=worker_init) as pool:
            for result in pool.imap_unordered(_process_and_cache, jobs, chunksize=1):
                collect(result)
    stats.wall_seconds = time.perf_counter() - start
    bar.close()
    return finish_work_folder(plan, folder, results), stats


def largest_first(tasks: list) -> list:
    """Orders work longest-first (by file size: long or high-motion videos are big files).

    With a few videos a worker, starting the longest last leaves the other workers idle while it
    finishes; longest-first keeps them busy (on the 6 real test clips, one of which holds 44% of
    the TV-L1 work, 2 workers went from 0.74 to 0.78 of twice the one-core rate with it).
    The output does not depend on the order: records are cached per video and sharded by id.
    """
    def size(task) -> int:
        try:
            return os.path.getsize(task.path)
        except OSError:  # remote (gs://) or vanished: keep its place among the unknowns
            return 0
    return sorted(tasks, key=size, reverse=True)


def build_records(dataset: str, video_dir: str, output_dir: str, *, splits_dir: str | None = None,
                  name: str | None = None, settings: PrepSettings | None = None,
                  num_workers: int | None = None, num_shards: int = 0,
                  videos_per_shard: int = plan_lib.DEFAULT_VIDEOS_PER_SHARD,
                  on_missing: str = "stop",
                  test_fraction: float = splits_lib.DEFAULT_TEST_FRACTION,
                  verbose: bool = True) -> dict:
    """Videos -> TV-L1 flow -> sharded TFRecords and manifest.json in `output_dir`, on this machine.

    Args:
      dataset: 'ucf101', 'hmdb51' (official split files in `splits_dir`) or 'folder' (one
        sub-folder of `video_dir` per class; optional UCF101-format split files in `splits_dir`).
      video_dir: the video root; a video's id is its path relative to it.
      output_dir: a local directory for shards and manifest (resumable, see the module doc).
      name: shard file prefix; defaults to `dataset`.
      settings: positions, frame size, flow bound and formats, and what a damaged video does
        (`PrepSettings()` by default: it fails).
      num_workers: worker processes (default: os.cpu_count()).
      num_shards: shard count, or 0 for ceil(videos / videos_per_shard).
      on_missing: 'stop' or 'continue' when split files list videos absent from `video_dir`.
      test_fraction: the hash-based test side of a folder dataset without split files.
      verbose: show the progress bar and print the summary.

    Returns:
      The manifest dict (also written to output_dir/manifest.json).
    """
    settings = settings or PrepSettings()
    plan = plan_lib.make_plan(dataset, video_dir, name or dataset, settings, splits_dir=splits_dir,
                              test_fraction=test_fraction, num_shards=num_shards,
                              videos_per_shard=videos_per_shard, on_missing=on_missing)
    manifest, stats = run_local(plan, output_dir, settings, num_workers, progress=verbose)
    if verbose:
        print(format_summary(manifest, stats), flush=True)
    return manifest
