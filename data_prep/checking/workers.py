"""Running a check on many items in worker processes, in order, with a progress bar."""

import multiprocessing
import os

from data_prep.flow.tvl1 import use_one_opencv_thread


MIN_JOBS_PER_WORKER = 4  # a worker process takes about a second to start: not for fewer jobs


def worker_count(num_workers: int | None, num_jobs: int) -> int:
    """The processes `map_in_workers` uses for `num_jobs` jobs (1: this process alone)."""
    return max(1, min(num_workers or os.cpu_count() or 1, num_jobs // MIN_JOBS_PER_WORKER))


def map_in_workers(function, jobs: list, num_workers: int | None = None, progress: bool = False,
                   desc: str = "", unit: str = "item") -> list:
    """[function(job) for job in jobs], on up to `num_workers` processes; results in job order.

    num_workers: processes (default: os.cpu_count()), each with one OpenCV thread, started with
    the spawn method (the caller may have loaded TensorFlow: never fork); no more than one per
    MIN_JOBS_PER_WORKER jobs. With one, the jobs run in this process. `function` and the jobs
    must be picklable (module-level functions, plain data); `function` must not raise for bad
    input (it reports it instead).
    """
    from tqdm import tqdm

    num_workers = worker_count(num_workers, len(jobs))
    bar = tqdm(total=len(jobs), unit=unit, desc=desc, disable=not progress, dynamic_ncols=True)
    results = []
    if num_workers == 1:
        use_one_opencv_thread()
        for job in jobs:
            results.append(function(job))
            bar.update(1)
    else:
        chunksize = max(1, min(16, len(jobs) // (num_workers * 8)))
        context = multiprocessing.get_context("spawn")
        with context.Pool(num_workers, initializer=use_one_opencv_thread) as pool:
            for result in pool.imap(function, jobs, chunksize=chunksize):
                results.append(result)
                bar.update(1)
    bar.close()
    return results
