"""The same build as an Apache Beam pipeline: on this machine's cores, a Dask cluster, Dataflow...

Every video goes through `extract.process_video`, the function the local engine uses, with the
same `PrepSettings`; the per-video cache, shard contents and manifest come from `work_folder`
and `plan`, so a Beam build writes the bytes of a local one. With the JAX flow engine a worker takes
a group of videos and batches their pairs for JAX on its own devices (`jax_engine.jax_results`; a
pair's flow depends only on the batch size, so the bytes equal a local JAX build's). Steps:

  driver: open the work folder (output_dir/.work, as the local engine) and list the videos no
          earlier run finished;
  Beam:   videos --spread over the workers--> build each video and write its result to .work
          (record, then the .json that marks it finished) --> (shard, id) --GroupByKey-->
          write each shard from .work;
  driver: write the shards no worker wrote (those of resumed videos), then the manifest (last),
          and remove .work.

Resumable on every runner: a build killed part way and run again skips the videos whose .json
is in .work (and shards already written), and writes the same bytes as an uninterrupted build.
.work must be where the driver and every worker read and write: a local folder for the
multiprocess runner and a local Dask cluster, a shared filesystem for a Dask cluster on many
machines, gs://... (any `tf.io.gfile` filesystem) for Dataflow. Videos may be read from one too
(each is copied to a local temporary file for OpenCV).

Progress: the driver counts the finished-video files in .work (every runner writes them), and
the end report counts the videos this run computed and the worker processes that computed them
(each .json names its worker, "host:pid", and the run).

The runner is chosen by name (`beam_runners`): never one that downloads a binary at run time.
"""

import os
import socket
import threading
import time
import uuid

import apache_beam as beam

from data_prep.build import beam_runners
from data_prep import files
from data_prep.build import jax_engine
from data_prep.build import work_folder
from data_prep.build.local import largest_first
from data_prep.flow import tvl1 as flow_lib
from data_prep.build import plan as plan_lib
from data_prep.build.extract import PrepSettings, process_video
from data_prep.build.summary import RunStats


def worker_id() -> str:
    """'host:pid' of this process, as the per-video files record it."""
    return f"{socket.gethostname()}:{os.getpid()}"


class _VideoBuilder(beam.DoFn):
    """What both flow engines' DoFns hold: the settings, the work folder where each finished
    video's result is made durable, the shard count, and this run's id (recorded per video)."""

    def __init__(self, settings: PrepSettings, work_dir: str, num_shards: int, run_id: str):
        self._settings = settings
        self._work_dir = work_dir
        self._num_shards = num_shards
        self._run_id = run_id


class _BuildVideo(_VideoBuilder):
    """(task index, task) -> (shard, video id), once the video's result is durable in work_dir.

    A video an earlier attempt finished (a retried bundle) is not built again.
    """

    def setup(self):
        flow_lib.use_one_opencv_thread()

    def process(self, element):
        index, task = element
        if work_folder.cached_meta(self._work_dir, task.filename) is None:
            result = process_video(task, self._settings)
            work_folder.cache_result(self._work_dir, result,
                                   {"worker": worker_id(), "run": self._run_id})
        yield plan_lib.shard_index(index, self._num_shards), task.filename


class _BuildVideosJax(_VideoBuilder):
    """(key, [(task index, task), ...]) -> (shard, video id) for each, with the JAX flow engine:
    the pairs of all these videos share JAX flow calls in this worker (`build.jax_results`),
    on its own devices; JAX compiles once a worker process (once a frame size and batch size)."""

    def setup(self):
        flow_lib.require_jax()
        flow_lib.use_one_opencv_thread()

    def process(self, element):
        _, videos = element
        todo = [task for _, task in videos
                if work_folder.cached_meta(self._work_dir, task.filename) is None]
        for result in jax_engine.jax_results(todo, self._settings):
            work_folder.cache_result(self._work_dir, result,
                                   {"worker": worker_id(), "run": self._run_id})
        for index, task in videos:
            yield plan_lib.shard_index(index, self._num_shards), task.filename


def _jax_groups(todo: list, settings: PrepSettings, bins: int) -> list:
    """[(key, [(index, task), ...])]: one group a worker (bins > 0), else groups of about one
    flow call's worth of pairs, so that a runner can spread them and each batches its pairs."""
    if bins:
        groups = {}
        for key, element in _balanced_bins(todo, bins):
            groups.setdefault(key, []).append(element)
        return sorted(groups.items())
    per_video = settings.positions or 100  # every frame: a guess at a short video's frames
    size = max(1, -(-jax_engine.JAX_POOL_BATCHES * settings.flow_batch_size // per_video))
    ordered = _largest_first(todo)
    return [(i, ordered[i:i + size]) for i in range(0, len(ordered), size)]


def _write_shard(element, plan: plan_lib.BuildPlan, output_dir: str, work_dir: str) -> int:
    shard, _ = element
    work_folder.write_shard_from_cache(plan, shard, output_dir, work_dir)
    return shard


def _largest_first(todo: list) -> list:
    """todo ([(index, task)]) longest first, as the local engine orders it (by file size)."""
    index = {task.filename: i for i, task in todo}
    return [(index[task.filename], task) for task in largest_first([t for _, t in todo])]


def _file_size(task) -> int:
    try:
        return os.path.getsize(task.path)
    except OSError:  # remote (gs://) or vanished
        return 0


def _balanced_bins(todo: list, num_bins: int) -> list:
    """[(bin, (index, task))]: largest file first into the least loaded bin (LPT scheduling).

    Beam's multiprocess runner hands each worker a fixed share of the keys; one bin a worker,
    balanced by file size (long or high-motion videos are big files), keeps them all busy.
    """
    loads = [0] * num_bins
    out = []
    for index, task in _largest_first(todo):
        target = loads.index(min(loads))
        loads[target] += _file_size(task) + 1
        out.append((target, (index, task)))
    return out


def build_pipeline(pipeline: beam.Pipeline, plan: plan_lib.BuildPlan, todo: list,
                   output_dir: str, work_dir: str, settings: PrepSettings, run_id: str,
                   bins: int = 0) -> None:
    """Adds the build's steps to `pipeline` (run it to build).

    todo: [(index in plan.tasks, task)] of the videos to build. bins: > 0 spreads them over
    that many workers by file size (the multiprocess runner); 0 lets the runner spread them
    (a Reshuffle: Dask schedules one partition a video, Dataflow rebalances by itself). With
    the JAX flow engine, videos travel in groups whose pairs share flow calls on one worker.
    """
    args = (settings, work_dir, plan.num_shards, run_id)
    if settings.flow_engine == "jax":
        built = (pipeline
                 | "VideoGroups" >> beam.Create(_jax_groups(todo, settings, bins))
                 | "ToWorkers" >> beam.Reshuffle()
                 | "TVL1AndEncode" >> beam.ParDo(_BuildVideosJax(*args)))
    elif bins:
        built = (pipeline
                 | "Videos" >> beam.Create(_balanced_bins(todo, bins))
                 | "ToWorkers" >> beam.GroupByKey()
                 | "Unbin" >> beam.FlatMap(lambda element: element[1])
                 | "TVL1AndEncode" >> beam.ParDo(_BuildVideo(*args)))
    else:
        built = (pipeline
                 | "Videos" >> beam.Create(_largest_first(todo))
                 | "ToWorkers" >> beam.Reshuffle()
                 | "TVL1AndEncode" >> beam.ParDo(_BuildVideo(*args)))
    _ = (built
         | "ByShard" >> beam.GroupByKey()
         | "WriteShards" >> beam.Map(_write_shard, plan=plan, output_dir=output_dir,
                                     work_dir=work_dir))


class _Progress(threading.Thread):
    """A tqdm bar of the finished-video files in work_dir, counted every `interval` seconds."""

    def __init__(self, work_dir: str, total: int, initial: int, desc: str, enabled: bool,
                 interval: float):
        super().__init__(daemon=True)
        from tqdm import tqdm
        self._work_dir, self._interval = work_dir, interval
        self._bar = tqdm(total=total, initial=initial, unit="video", disable=not enabled,
                         desc=desc, dynamic_ncols=True)
        self._done = threading.Event()

    def _count(self) -> int:
        return sum(f.endswith(".json") and f != "params.json"
                   for f in files.list_dir(self._work_dir))

    def run(self):
        while not self._done.wait(self._interval):
            self._bar.update(max(self._count() - self._bar.n, 0))

    def stop(self):
        self._done.set()
        self.join()
        self._bar.update(max(self._count() - self._bar.n, 0))
        self._bar.close()


def run_beam(plan: plan_lib.BuildPlan, output_dir: str, settings: PrepSettings,
             runner: str | None = None, *, pipeline_args=(), num_workers: int | None = None,
             dask_address: str | None = None, progress: bool = True) -> tuple[dict, RunStats]:
    """Builds `plan` into `output_dir` on a Beam runner; returns (manifest, this run's stats).

    Args:
      runner: 'multiprocess' (Beam's multi-process runner on this machine), 'dask', or None:
        the runner --runner in `pipeline_args` names (DataflowRunner, FlinkRunner, ...), else
        'multiprocess' (see `beam_runners`; DirectRunner and PrismRunner are refused).
      pipeline_args: Beam's own command-line options, e.g. ['--runner=DataflowRunner',
        '--project=my-project', '--region=us-central1', '--temp_location=gs://bucket/tmp',
        '--setup_file=./setup.py'].
      num_workers: worker processes of the multiprocess runner or of a local Dask cluster
        (default: os.cpu_count()).
      dask_address: 'HOST:PORT' of an existing Dask scheduler (runner='dask'); None starts a
        local cluster of num_workers processes for this build.
      progress: show a progress bar (finished videos, counted in output_dir/.work).
    """
    runner = beam_runners.resolve_runner(runner, pipeline_args, dask_address)
    if settings.flow_engine == "jax":
        flow_lib.require_jax()  # here too, before anything is written
    folder = work_folder.open_work_folder(plan, output_dir)
    stats = RunStats(num_workers=0)
    if folder.finished is not None:
        counts = folder.finished["counts"]
        stats.videos_resumed = counts["videos"] + counts["failed"]
        return folder.finished, stats
    work_dir = folder.work_dir
    stats.videos_resumed = len(folder.results)
    todo = [(i, t) for i, t in enumerate(plan.tasks) if t.filename not in folder.results]
    run_id = uuid.uuid4().hex
    if todo:
        start = time.perf_counter()  # starting the workers (a local Dask cluster) counts too
        with beam_runners.start_runner(runner, pipeline_args, num_workers, dask_address,
                                       len(todo)) as started:
            stats.num_workers, stats.runner = started.num_workers, started.description
            bar = _Progress(work_dir, len(plan.tasks), stats.videos_resumed,
                            f"{plan.name}: TV-L1 + records", progress,
                            interval=1.0 if files.is_local(work_dir) else 15.0)
            bar.start()
            pipeline = beam.Pipeline(runner=started.runner, options=started.options)
            build_pipeline(pipeline, plan, todo, output_dir, work_dir, settings, run_id,
                           bins=started.num_workers if runner == "multiprocess" else 0)
            result = pipeline.run()
            try:
                result.wait_until_finish()
            finally:
                stats.wall_seconds = time.perf_counter() - start
                bar.stop()
                if hasattr(result, "client"):  # the DaskRunner's client
                    result.client.close()
    results, workers = {}, set()
    for task in plan.tasks:
        meta = work_folder.cached_meta(work_dir, task.filename)
        results[task.filename] = work_folder.result_from_meta(meta)
        if meta.get("run") == run_id:
            stats.videos_done += 1
            stats.pairs_done += meta["num_positions"]
            stats.bytes_done += meta["record_bytes"]
            workers.add(meta["worker"])
    stats.worker_ids = tuple(sorted(workers))
    return work_folder.finish_work_folder(plan, folder, results), stats
