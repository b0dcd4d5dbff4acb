"""The JAX flow engine of a build: flow for pairs gathered across videos, in one process.

On the local engine (`run_jax`), worker processes decode and encode while this process gathers the
decoded pairs across videos and computes their flow with the JAX kernel, `flow_batch_size` pairs a
compiled call, on the accelerator when there is one. On a Beam worker (`jax_results`) one process
does all three for its group of videos. A pair's flow does not depend on which pairs it was
batched with, so a resumed build, or a Beam build, writes the same bytes.
"""

import concurrent.futures
import contextlib
import dataclasses
import multiprocessing
import queue

import numpy as np

from data_prep.build.extract import PrepSettings, VideoResult, decode_video, encode_video
from data_prep.build.work_folder import cache_result
from data_prep.flow import tvl1 as flow_lib

# The JAX engine's flow call takes this many batches of pairs at once, and regroups them by cost
# after each pyramid level (`tvl1_jax.tvl1_grouped`): more batches, less waste, more memory.
JAX_POOL_BATCHES = 4


def worker_init() -> None:
    """Each worker process (and a 1-worker build's own process) uses one OpenCV thread."""
    flow_lib.use_one_opencv_thread()


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
        worker_init()
        yield lambda job, args: results.put(job(args))
        return

    def deliver(future):
        error = future.exception()
        results.put(("error", None, error) if error else future.result())

    context = multiprocessing.get_context("spawn")  # the caller may have loaded TensorFlow: never fork.
    with concurrent.futures.ProcessPoolExecutor(num_workers, mp_context=context,
                                                initializer=worker_init) as pool:
        yield lambda job, args: pool.submit(job, args).add_done_callback(deliver)


@dataclasses.dataclass
class _AwaitingFlow:
    """A decoded video in the JAX engine, while its pairs get their flow."""
    task: object
    decoded: object
    flow: np.ndarray  # [P, H, W, 2] uint8, filled as the flow calls return
    pairs_left: int


def run_jax(todo: list, settings: PrepSettings, work_dir: str, num_workers: int,
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
    `JAX_POOL_BATCHES` x flow_batch_size pairs a call (as `run_jax` batches them), so a worker
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
