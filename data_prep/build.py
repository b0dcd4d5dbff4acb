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


# The work folder may be remote (gs://...) on Beam: these go through tf.io.gfile there.
def _gfile():
    import tensorflow as tf
    return tf.io.gfile


def _exists(path: str) -> bool:
    return os.path.isfile(path) if files.is_local(path) else _gfile().exists(path)


def _read_bytes(path: str) -> bytes:
    if files.is_local(path):
        with open(path, "rb") as f:
            return f.read()
    with _gfile().GFile(path, "rb") as f:
        return f.read()


def list_dir(directory: str) -> list[str]:
    """The names in `directory` (local or remote); [] when it does not exist."""
    if files.is_local(directory):
        return os.listdir(directory) if os.path.isdir(directory) else []
    return _gfile().listdir(directory) if _gfile().isdir(directory) else []


def _remove_tree(directory: str) -> None:
    if files.is_local(directory):
        shutil.rmtree(directory, ignore_errors=True)
    elif _gfile().isdir(directory):
        _gfile().rmtree(directory)


def cache_result(work_dir: str, result: VideoResult, origin: dict | None = None) -> None:
    """Record first, then the .json that marks the video finished.

    origin: extra fields for the .json, e.g. {"worker": "host:pid", "run": id} (the Beam engine
    counts with them which worker processes built videos, and which videos this run computed).
    """
    key = _key(result.filename)
    if result.record is not None:
        files.write_atomically(os.path.join(work_dir, key + ".rec"), [result.record])
    meta = {k: v for k, v in vars(result).items() if k not in ("record", "seconds")}
    meta.update(origin or {})
    files.write_atomically(os.path.join(work_dir, key + ".json"),
                           [json.dumps(meta, sort_keys=True).encode("utf-8")])


_RESULT_FIELDS = {f.name for f in dataclasses.fields(VideoResult)}


def cached_meta(work_dir: str, video_id: str) -> dict | None:
    """The .json of a finished video (its result fields and origin), or None."""
    path = os.path.join(work_dir, _key(video_id) + ".json")
    if not _exists(path):
        return None
    meta = json.loads(_read_bytes(path))
    return meta if meta.get("filename") == video_id else None


def result_from_meta(meta: dict) -> VideoResult:
    """A finished video's result (without its record bytes) from its .json (`cached_meta`)."""
    return VideoResult(**{k: v for k, v in meta.items() if k in _RESULT_FIELDS})


def load_cached(work_dir: str, video_id: str) -> VideoResult | None:
    """The result of a video an earlier run finished (without its record bytes), or None."""
    meta = cached_meta(work_dir, video_id)
    return None if meta is None else result_from_meta(meta)


def _read_record(work_dir: str, video_id: str) -> bytes:
    return _read_bytes(os.path.join(work_dir, _key(video_id) + ".rec"))


def _worker_init() -> None:
    flow_lib.use_one_opencv_thread()


def _process_and_cache(args) -> VideoResult:
    """Runs in a worker: process one video, cache it, return its result without the record bytes."""
    task, settings, work_dir = args
    result = process_video(task, settings)
    cache_result(work_dir, result)
    result.record = None
    return result


def _decode_job(args) -> tuple:
    """Runs in a worker: ('decoded', task, DecodedVideo), or ('failed', task, result), cached."""
    task, settings, work_dir = args
    decoded = decode_video(task, settings)
    if isinstance(decoded, VideoResult):
        cache_result(work_dir, decoded)
        return "failed", task, decoded
    return "decoded", task, decoded


def _encode_job(args) -> tuple:
    """Runs in a worker: encode one video with its flow, cache it; ('encoded', task, result)."""
    task, settings, work_dir, decoded, flow = args
    result = encode_video(task, settings, decoded, flow)
    cache_result(work_dir, result)
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


def jax_results(tasks: list, settings: PrepSettings):
    """Yields the VideoResult of each task, decoding, flow and encoding all in this process.

    The JAX engine on a Beam worker: the pairs of these videos share flow calls,
    `JAX_POOL_BATCHES` x flow_batch_size pairs a call (as `_run_jax` batches them), so a worker
    compiles once and batches across its videos. A pair's flow depends only on the batch size,
    so the records equal a local JAX build's.
    """
    pool_pairs = settings.flow_batch_size * JAX_POOL_BATCHES
    waiting, pairs = {}, []
    for number, task in enumerate(tasks, 1):
        decoded = decode_video(task, settings)
        if isinstance(decoded, VideoResult):
            yield decoded
        else:
            count, height, width = decoded.prev_gray.shape
            waiting[task.filename] = _AwaitingFlow(
                task, decoded, np.zeros((count, height, width, 2), np.uint8), count)
            pairs += [(task.filename, p) for p in range(count)]
        while len(pairs) >= pool_pairs or (pairs and number == len(tasks)):
            chunk, pairs = pairs[:pool_pairs], pairs[pool_pairs:]
            for filename in _add_flow(chunk, waiting, settings):
                video = waiting.pop(filename)
                yield encode_video(video.task, settings, video.decoded, video.flow)


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
    for f in list_dir(directory):
        if ".tmp-" in f:
            path = os.path.join(directory, f)
            os.remove(path) if files.is_local(path) else _gfile().remove(path)


def _differences(found: dict, wanted: dict) -> str:
    """'on_damaged: 'fail' there, 'build' here; ...' for the keys whose values differ."""
    keys = sorted(k for k in set(found) | set(wanted) if found.get(k) != wanted.get(k))
    return "; ".join(f"{k}: {found.get(k)!r} there, {wanted.get(k)!r} here" for k in keys)


def _check_or_start(work_dir: str, output_dir: str, plan: plan_lib.BuildPlan) -> None:
    """Refuses to mix two builds' files in one output_dir."""
    fingerprint = {"name": plan.name, "params": plan.params,
                   "videos": [t.filename for t in plan.tasks]}
    path = os.path.join(work_dir, "params.json")
    if _exists(path):
        found = json.loads(_read_bytes(path))
        if found != fingerprint:
            differ = _differences({"name": found.get("name"), **found.get("params", {})},
                                  {"name": plan.name, **plan.params})
            raise IncompatibleInputError(
                f"{output_dir} holds an unfinished build with other settings or videos ({path}: "
                f"{differ or 'other videos'}). Use a new output_dir or delete that one.")
        return
    if files.is_local(work_dir):
        os.makedirs(work_dir, exist_ok=True)
    else:
        _gfile().makedirs(work_dir)
    files.write_atomically(path, [json.dumps(fingerprint, sort_keys=True).encode("utf-8")])


@dataclasses.dataclass
class Workspace:
    """A build in `output_dir` (local or remote), as `open_workspace` found it.

    finished: the manifest of a finished build of the same plan (nothing is left to do), or None;
    results: the videos an earlier, interrupted run finished, by id (from work_dir's .json files).
    """
    output_dir: str
    work_dir: str
    finished: dict | None
    results: dict


def open_workspace(plan: plan_lib.BuildPlan, output_dir: str) -> Workspace:
    """Starts or resumes a build of `plan` in `output_dir` (the local and Beam engines share it).

    Raises IncompatibleInputError, before anything is written, when output_dir holds a finished
    or unfinished build with other settings or videos.
    """
    if files.is_local(output_dir):
        os.makedirs(output_dir, exist_ok=True)
    else:
        _gfile().makedirs(output_dir)
    manifest_path = os.path.join(output_dir, rf.MANIFEST_FILENAME)
    work_dir = os.path.join(output_dir, WORK_DIRNAME)
    if _exists(manifest_path):
        manifest = records.read_manifest(output_dir)
        if manifest.get("params") != plan.params or manifest.get("name") != plan.name:
            differ = _differences({"name": manifest.get("name"), **manifest.get("params", {})},
                                  {"name": plan.name, **plan.params})
            raise IncompatibleInputError(
                f"{output_dir} already holds a finished build with other settings "
                f"({manifest_path}: {differ}). Use a new output_dir or delete that one.")
        _remove_tree(work_dir)
        return Workspace(output_dir, work_dir, manifest, {})
    _check_or_start(work_dir, output_dir, plan)
    _remove_temporaries(work_dir)
    _remove_temporaries(output_dir)
    results = {}
    for task in plan.tasks:
        cached = load_cached(work_dir, task.filename)
        if cached is not None:
            results[task.filename] = cached
    return Workspace(output_dir, work_dir, None, results)


def write_shard_from_cache(plan: plan_lib.BuildPlan, shard: int, output_dir: str,
                           work_dir: str) -> None:
    """Writes shard `shard` from the finished videos in work_dir, unless a run already wrote it."""
    path = plan.shard_paths(output_dir)[shard]
    if _exists(path):
        return
    ok = {}
    for i, task in enumerate(plan.tasks):
        if plan_lib.shard_index(i, plan.num_shards) == shard:
            ok[task.filename] = load_cached(work_dir, task.filename).ok
    records.write_shard(path, plan_lib.records_for_shard(
        plan, shard, lambda v: _read_record(work_dir, v) if ok[v] else None))


def finish_workspace(plan: plan_lib.BuildPlan, workspace: Workspace, results: dict) -> dict:
    """Writes the shards no run has written yet, then the manifest (last); removes work_dir.

    results: every task's VideoResult, by id. Returns the manifest.
    """
    for shard in range(plan.num_shards):
        write_shard_from_cache(plan, shard, workspace.output_dir, workspace.work_dir)
    manifest = plan_lib.assemble_manifest(plan, results)
    records.write_manifest(workspace.output_dir, manifest)
    _remove_tree(workspace.work_dir)
    return manifest


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
    workspace = open_workspace(plan, output_dir)
    if workspace.finished is not None:
        counts = workspace.finished["counts"]
        stats.videos_resumed = counts["videos"] + counts["failed"]
        return workspace.finished, stats
    work_dir = workspace.work_dir
    results = dict(workspace.results)
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
    return finish_workspace(plan, workspace, results), stats


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
