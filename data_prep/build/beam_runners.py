"""Which Beam runner a `--engine=beam` build runs on, chosen by name; never one fetched at run time.

  'multiprocess' (the default): Beam's FnApiRunner with `direct_running_mode=multi_processing`,
      `num_workers` SDK worker processes on this machine (Python only, nothing downloaded);
  'dask': Beam's DaskRunner on a `dask.distributed` cluster: a LocalCluster of `num_workers`
      worker processes (one thread each) started here, or an existing cluster at `dask_address`
      (`dask scheduler` / `dask worker` by hand, Kubernetes, Slurm through dask-jobqueue). Needs
      the `beam-dask` extra: pip install -e ".[beam-dask]";
  any other runner Beam's own options name (`--runner=DataflowRunner`, FlinkRunner, SparkRunner,
      ... in `pipeline_args`), configured by those options.

Beam's DirectRunner and PrismRunner are refused: in Beam >= 2.6x the DirectRunner first tries
the Prism runner, which downloads a Go binary from the internet and runs it.
"""

import contextlib
import dataclasses
import logging
import os
import shlex

from tan_keras.errors import IncompatibleInputError

RUNNERS = ("multiprocess", "dask")
# Runners that may download and run a binary, or that run everything in one process.
REFUSED_RUNNERS = ("directrunner", "prismrunner", "switchingdirectrunner", "direct", "prism")
DASK_INSTALL = 'pip install -e ".[beam-dask]"'


def runner_in_options(pipeline_args) -> str | None:
    """The value of --runner in Beam's options (a list, or one string to split), or None."""
    args = shlex.split(pipeline_args) if isinstance(pipeline_args, str) else list(pipeline_args)
    for i, arg in enumerate(args):
        if arg.startswith("--runner="):
            return arg.split("=", 1)[1]
        if arg == "--runner" and i + 1 < len(args):
            return args[i + 1]
    return None


def resolve_runner(runner: str | None, pipeline_args=(), dask_address: str | None = None) -> str:
    """'multiprocess', 'dask', or the runner --runner names in pipeline_args.

    runner: 'multiprocess', 'dask', or None: the runner pipeline_args name, else 'multiprocess'.

    Raises:
      IncompatibleInputError: an unknown runner, both `runner` and --runner given, a refused
        runner (DirectRunner, PrismRunner), DaskRunner through the options (use runner='dask'),
        or dask_address without runner='dask'.
    """
    named = runner_in_options(pipeline_args)
    if runner is not None and runner not in RUNNERS:
        raise IncompatibleInputError(f"Expected a Beam runner in {RUNNERS}, or none and Beam's "
                                     f"--runner option. Received: runner={runner!r}")
    if runner is not None and named is not None:
        raise IncompatibleInputError(
            f"Expected one runner: --beam_runner or --runner in --beam_options. Received: "
            f"beam_runner={runner!r}, --runner={named!r}")
    if named is not None and named.lower() in REFUSED_RUNNERS:
        raise IncompatibleInputError(
            f"Expected a runner that runs without downloading anything: Beam's {named} first "
            f"tries the Prism runner, which fetches a binary at run time. Received: "
            f"--runner={named}. Use --beam_runner=multiprocess (this machine's cores) or "
            f"--beam_runner=dask.")
    if named is not None and named.lower() in ("daskrunner", "dask"):
        raise IncompatibleInputError(
            f"Expected --beam_runner=dask (with --dask_address=HOST:PORT for an existing "
            f"cluster) for Dask. Received: --runner={named} in --beam_options")
    resolved = runner or named or "multiprocess"
    if dask_address and resolved != "dask":
        raise IncompatibleInputError(f"Expected --beam_runner=dask with --dask_address. "
                                     f"Received: dask_address={dask_address!r}, runner="
                                     f"{resolved!r}")
    return resolved


@dataclasses.dataclass
class StartedRunner:
    """What `start_runner` yields: a Beam runner object (None: Beam picks it from `options`),
    its PipelineOptions, a description for the report, and its worker slots (0: unknown)."""
    runner: object
    options: object
    description: str
    num_workers: int


@contextlib.contextmanager
def start_runner(runner: str, pipeline_args=(), num_workers: int | None = None,
                 dask_address: str | None = None, num_tasks: int = 1):
    """Yields a `StartedRunner`; a local Dask cluster it starts is closed on exit.

    runner: resolved by `resolve_runner`. num_workers: worker processes of the multiprocess
    runner or of a local Dask cluster (default: os.cpu_count()). num_tasks: the videos to build
    (the Dask bag gets one partition each, so that the scheduler spreads them over the workers).
    """
    from apache_beam.options.pipeline_options import PipelineOptions

    args = list(pipeline_args)
    workers = num_workers or os.cpu_count() or 1
    if runner == "multiprocess":
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner
        quiet = [] if any(a.startswith("--default_sdk_harness_log_level") for a in args) \
            else ["--default_sdk_harness_log_level=ERROR"]  # workers log each bundle at INFO
        options = PipelineOptions(args + quiet + [f"--direct_num_workers={workers}",
                                                  "--direct_running_mode=multi_processing"])
        yield StartedRunner(FnApiRunner(), options,
                            f"Beam multiprocess runner, {workers} worker process(es)", workers)
        return
    if runner == "dask":
        with _dask_cluster(dask_address, workers) as (address, slots, where):
            from apache_beam.runners.dask.dask_runner import DaskRunner
            options = PipelineOptions(args + [f"--dask_client_address={address}",
                                              f"--dask_npartitions={max(num_tasks, 1)}"])
            yield StartedRunner(DaskRunner(), options, f"Beam on Dask, {where}", slots)
        return
    options = PipelineOptions(args)
    described = runner_in_options(args)
    yield StartedRunner(None, options, f"Beam {described}", _workers_in_options(options))


def _workers_in_options(options) -> int:
    from apache_beam.options.pipeline_options import WorkerOptions
    worker_options = options.view_as(WorkerOptions)
    return worker_options.num_workers or worker_options.max_num_workers or 0


def _import_dask():
    try:
        import distributed
    except ImportError as error:
        raise IncompatibleInputError(
            f"--beam_runner=dask needs dask.distributed, which is not installed here. Install "
            f"it with {DASK_INSTALL}.") from error
    return distributed


@contextlib.contextmanager
def _dask_cluster(address: str | None, num_workers: int):
    """Yields (scheduler address, worker threads, description) of an existing or a new cluster."""
    distributed = _import_dask()
    if address:
        with distributed.Client(address, timeout=30) as client:
            threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
            count = len(client.scheduler_info()["workers"])
        yield address, threads, f"the cluster at {address} ({count} worker(s), {threads} thread(s))"
        return
    for name in ("distributed", "tornado"):  # its shutdown logs closed connections as errors
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = distributed.LocalCluster(n_workers=num_workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    try:
        yield (cluster.scheduler_address, num_workers,
               f"a local cluster of {num_workers} worker process(es)")
    finally:
        cluster.close()
