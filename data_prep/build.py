"""The local runner: worker processes, a resumable per-video cache, then shards and manifest.

Layout of `output_dir` while building (see WORKSPACE.md):
  .work/params.json          the settings and task list of the build in progress
  .work/<key>.json           one finished video: its result (the completion marker)
  .work/<key>.rec            its serialized record (written before the .json)
  <name>-SSSSS-of-NNNNN.tfrecord   shards, each written under a temporary name then renamed
  manifest.json              written last; then .work/ is removed

Killed at any moment and rerun with the same settings, the build reuses every finished video and
shard and writes the same bytes as an uninterrupted run: per-video files are written atomically,
shard contents depend only on the sorted task list, and the manifest holds no timings.
Rerun with other settings (any of the manifest's params, e.g. --on_damaged), it refuses with an
`IncompatibleInputError` naming the settings that differ, before it writes anything.

Two flow engines (`PrepSettings.flow_engine`):
  - 'opencv': each worker process decodes a video, computes its flow with OpenCV on one core and
    encodes its record (`extract.process_video`);
  - 'jax': worker processes decode and encode, while this process gathers the decoded pairs
    across videos and computes their flow with the JAX kernel, `flow_batch_size` pairs a compiled
    call, on the accelerator when there is one (`_run_jax`). A pair's flow does not depend on
    which pairs it was batched with, so a resumed build writes the same bytes here too.
"""

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import queue
import shutil
import time

import numpy as np

from data_prep import files
from data_prep import flow as flow_lib
from data_prep import plan as plan_lib
from data_prep import records
from data_prep import splits as splits_lib
from data_prep.extract import (PrepSettings, VideoResult, decode_video, encode_video,
                               process_video)
from data_prep.summary import RunStats, format_summary
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError

WORK_DIRNAME = ".work"
# The JAX engine's flow call takes this many batches of pairs at once, and regroups them by cost
# after each pyramid level (`tvl1_jax.tvl1_grouped`): more batches, less waste, more memory.
JAX_POOL_BATCHES = 4


def _key(video_id: str) -> str:
    return hashlib.sha1(video_id.encode("utf-8")).hexdigest()[:24]


def _cache_result(work_dir: str, result: VideoResult) -> None:
    """Record first, then the .json that marks the video finished."""
    key = _key(result.filename)
    if result.record is not None:
        files.write_atomically(os.path.join(work_dir, key + ".rec"), [result.record])
    meta = {k: v for k, v in vars(result).items() if k not in ("record", "seconds")}
    files.write_atomically(os.path.join(work_dir, key + ".json"),
                                   [json.dumps(meta, sort_keys=True).encode("utf-8")])


def _load_cached(work_dir: str, video_id: str) -> VideoResult | None:
    path = os.path.join(work_dir, _key(video_id) + ".json")
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        meta = json.loads(f.read())
    if meta.get("filename") != video_id:
        return None
    return VideoResult(**meta)


def _read_record(work_dir: str, video_id: str) -> bytes:
    with open(os.path.join(work_dir, _key(video_id) + ".rec"), "rb") as f:
        return f.read()


def _worker_init() -> None:
    flow_lib.use_one_opencv_thread()


def _process_and_cache(args) -> VideoResult:
    """Runs in a worker: process one video, cache it, return its result without the record bytes."""
    task, settings, work_dir = args
    result = process_video(task, settings)
    _cache_result(work_dir, result)
    result.record = None
    return result


def _decode_job(args) -> tuple:
    """Runs in a worker: ('decoded', task, DecodedVideo), or ('failed', task, result), cached."""
    task, settings, work_dir = args
    decoded = decode_video(task, settings)
    if isinstance(decoded, VideoResult):
        _cache_result(work_dir, decoded)
        return "failed", task, decoded
    return "decoded", task, decoded


def _encode_job(args) -> tuple:
    """Runs in a worker: encode one video with its flow, cache it; ('encoded', task, result)."""
    task, settings, work_dir, decoded, flow = args
    result = encode_video(task, settings, decoded, flow)
    _cache_result(work_dir, result)
    result.record = None
    return "encoded", task, result


@contextlib.contextmanager
def _job_runner(num_workers: int, results: queue.Queue):
    """`submit(job, args)`: runs a job in a worker process (or here, with 1 worker) and puts its
    return value, or ('error', None, exception), on `results`. A worker that dies (killed, out of
    memory) is an error too, not a job that never ends."""
    if num_workers == 1:
        _worker_init()
        yield lambda job, args: results.put(job(args))
        return

    def deliver(future):
        error = future.exception()
        results.put(("error", None, error) if error else future.result())

    context = multiprocessing.get_context("spawn")  # the caller may have loaded TensorFlow: never fork.
    with concurrent.futures.ProcessPoolExecutor(num_workers, mp_context=context,
                                                initializer=_worker_init) as pool:
        yield lambda job, args: pool.submit(job, args).add_done_callback(deliver)


@dataclasses.dataclass
class _AwaitingFlow:
    """A decoded video in the JAX engine, while its pairs get their flow."""
    task: object
    decoded: object
    flow: np.ndarray  # [P, H, W, 2] uint8, filled as the flow calls return
    pairs_left: int


def _run_jax(todo: list, settings: PrepSettings, work_dir: str, num_workers: int,
             collect) -> None:
    """The JAX engine: workers decode and encode; this process computes the flow.

    1. Workers decode up to 2 x num_workers videos ahead (`_decode_job`), while fewer than two
       flow calls' worth of pairs wait.
    2. When `JAX_POOL_BATCHES` x flow_batch_size pairs wait (or no more can come), their flow is
       computed in one call, whatever videos they come from, and quantised.
    3. A video whose pairs all have their flow goes back to a worker to be encoded and cached
       (`_encode_job`); `collect` gets every video's result.
    """
    flow_lib.require_jax()
    pool_pairs = settings.flow_batch_size * JAX_POOL_BATCHES
    results = queue.Queue()
    tasks = iter(todo)
    waiting = {}   # filename -> _AwaitingFlow
    pairs = []     # (filename, position) waiting for flow, in arrival order
    decoding = encoding = 0
    exhausted = False
    with _job_runner(num_workers, results) as submit:
        while True:
            while not exhausted and decoding < 2 * num_workers and len(pairs) < 2 * pool_pairs:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                decoding += 1
                submit(_decode_job, (task, settings, work_dir))
            if len(pairs) >= pool_pairs or (pairs and exhausted and not decoding):
                chunk, pairs = pairs[:pool_pairs], pairs[pool_pairs:]
                for filename in _add_flow(chunk, waiting, settings):
                    video = waiting.pop(filename)
                    decoded = dataclasses.replace(video.decoded, prev_gray=None, next_gray=None)
                    encoding += 1
                    submit(_encode_job, (video.task, settings, work_dir, decoded, video.flow))
                continue
            if not (decoding or encoding):
                break
            kind, task, value = results.get()
            if kind == "error":
                raise value
            if kind == "decoded":
                decoding -= 1
                count, height, width = value.prev_gray.shape
                flow = np.zeros((count, height, width, 2), np.uint8)
                waiting[task.filename] = _AwaitingFlow(task, value, flow, count)
                pairs += [(task.filename, p) for p in range(count)]
                continue
            if kind == "failed":
                decoding -= 1
            else:
                encoding -= 1
            collect(value)


def _add_flow(chunk: list, waiting: dict, settings: PrepSettings) -> list[str]:
    """Computes the flow of `chunk`'s pairs into `waiting`; returns the videos it completed."""
    prev_gray = np.stack([waiting[f].decoded.prev_gray[p] for f, p in chunk])
    next_gray = np.stack([waiting[f].decoded.next_gray[p] for f, p in chunk])
    flow = flow_lib.quantize(flow_lib.tvl1_jax(prev_gray, next_gray, settings.flow_batch_size),
                             settings.flow_bound)
    completed = []
    for (filename, position), pair_flow in zip(chunk, flow):
        video = waiting[filename]
        video.flow[position] = pair_flow
        video.pairs_left -= 1
        if not video.pairs_left:
            completed.append(filename)
    return completed


def _remove_temporaries(directory: str) -> None:
    for f in os.listdir(directory):
        if ".tmp-" in f:
            os.remove(os.path.join(directory, f))


def _differences(found: dict, wanted: dict) -> str:
    """'on_damaged: 'fail' there, 'build' here; ...' for the keys whose values differ."""
    keys = sorted(k for k in set(found) | set(wanted) if found.get(k) != wanted.get(k))
    return "; ".join(f"{k}: {found.get(k)!r} there, {wanted.get(k)!r} here" for k in keys)


def _check_or_start(work_dir: str, output_dir: str, plan: plan_lib.BuildPlan) -> None:
    """Refuses to mix two builds' files in one output_dir."""
    fingerprint = {"name": plan.name, "params": plan.params,
                   "videos": [t.filename for t in plan.tasks]}
    path = os.path.join(work_dir, "params.json")
    if os.path.isfile(path):
        with open(path) as f:
            found = json.load(f)
        if found != fingerprint:
            differ = _differences({"name": found.get("name"), **found.get("params", {})},
                                  {"name": plan.name, **plan.params})
            raise IncompatibleInputError(
                f"{output_dir} holds an unfinished build with other settings or videos ({path}: "
                f"{differ or 'other videos'}). Use a new output_dir or delete that one.")
        return
    os.makedirs(work_dir, exist_ok=True)
    files.write_atomically(path, [json.dumps(fingerprint, sort_keys=True).encode("utf-8")])


def run_local(plan: plan_lib.BuildPlan, output_dir: str, settings: PrepSettings,
              num_workers: int | None = None, progress: bool = True) -> tuple[dict, RunStats]:
    """Builds `plan` into `output_dir` with worker processes; returns (manifest, this run's stats).

    num_workers: processes, each with one OpenCV thread; default os.cpu_count(). With 1, videos
    are processed in this process (which then also uses one OpenCV thread). With the JAX flow
    engine they decode and encode, and this process computes the flow (see `_run_jax`).
    """
    if settings.flow_engine == "jax":
        flow_lib.require_jax()  # before anything is written
    num_workers = num_workers or os.cpu_count() or 1
    stats = RunStats(num_workers=num_workers)
    os.makedirs(output_dir, exist_ok=True)
    manifest_path = os.path.join(output_dir, rf.MANIFEST_FILENAME)
    work_dir = os.path.join(output_dir, WORK_DIRNAME)
    if os.path.isfile(manifest_path):
        manifest = records.read_manifest(output_dir)
        if manifest.get("params") != plan.params or manifest.get("name") != plan.name:
            differ = _differences({"name": manifest.get("name"), **manifest.get("params", {})},
                                  {"name": plan.name, **plan.params})
            raise IncompatibleInputError(
                f"{output_dir} already holds a finished build with other settings "
                f"({manifest_path}: {differ}). Use a new output_dir or delete that one.")
        shutil.rmtree(work_dir, ignore_errors=True)
        stats.videos_resumed = manifest["counts"]["videos"] + manifest["counts"]["failed"]
        return manifest, stats
    _check_or_start(work_dir, output_dir, plan)
    _remove_temporaries(work_dir)
    _remove_temporaries(output_dir)

    results = {}
    for task in plan.tasks:
        cached = _load_cached(work_dir, task.filename)
        if cached is not None:
            results[task.filename] = cached
    stats.videos_resumed = len(results)
    todo = _largest_first([t for t in plan.tasks if t.filename not in results])

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
        _run_jax(todo, settings, work_dir, num_workers, collect)
    elif todo and num_workers == 1:
        _worker_init()
        for job in jobs:
            collect(_process_and_cache(job))
    elif todo:
        context = multiprocessing.get_context("spawn")  # the caller may have loaded TensorFlow: never fork.
        with context.Pool(min(num_workers, len(todo)), initializer=_worker_init) as pool:
            for result in pool.imap_unordered(_process_and_cache, jobs, chunksize=1):
                collect(result)
    stats.wall_seconds = time.perf_counter() - start
    bar.close()

    for shard, path in enumerate(plan.shard_paths(output_dir)):
        if not os.path.isfile(path):
            records.write_shard(path, plan_lib.records_for_shard(
                plan, shard, lambda v: _read_record(work_dir, v) if results[v].ok else None))
    manifest = plan_lib.assemble_manifest(plan, results)
    records.write_manifest(output_dir, manifest)
    shutil.rmtree(work_dir, ignore_errors=True)
    return manifest, stats


def _largest_first(tasks: list) -> list:
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
