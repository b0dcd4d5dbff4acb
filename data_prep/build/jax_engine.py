"""The JAX flow engine of a build: flow for pairs gathered across videos, in one process.

On the local engine (`run_jax`), worker processes decode and encode while this process gathers
the decoded pairs across videos and computes their flow with the JAX kernel,
`flow_batch_size` pairs a compiled call, in several flow calls at once (`flow_devices`): one
per worker on a CPU host, one per device on an accelerator. On a Beam worker (`jax_results`) one
process does all three for its group of videos. A pair's flow does not depend on which pairs it
was batched with, nor on which call or device of one kind computed it, so a resumed build, a
build with another --num_workers, or a Beam build, writes the same bytes.

Why threads of one process, not one JAX process a core, on a CPU host: XLA's CPU runtime runs
one TV-L1 program on about one core (at 170x128 and at 340x256, batch 1, on the 2-core CPU), and
concurrent calls from several threads run side by side on XLA's own thread pool. So `run_jax`
leaves XLA's threading as it is (no XLA_FLAGS), compiles once a build (concurrent first calls
wait for one compile, about 10 s of one core), and needs no compilation cache; JAX's persistent
one (`JAX_COMPILATION_CACHE_DIR`) still spares a resumed or a second build that compile.
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
# `run_jax` decodes at least this many pairs ahead of the flow calls: the workers go on decoding
# while the first call compiles (about 10 s of one core), instead of waiting on a short queue.
MIN_PAIRS_AHEAD = 128


def worker_init() -> None:
    """Each worker process (and a 1-worker build's own process) uses one OpenCV thread."""
    flow_lib.use_one_opencv_thread()


def flow_devices(num_workers: int) -> list:
    """The device of each flow call `run_jax` runs at once (loads JAX).

    On a CPU host, `num_workers` calls (one a core with the default --num_workers) on the CPU
    device(s); on an accelerator, one call a device (each GPU or TPU of this process).
    """
    import jax
    devices = jax.local_devices()
    if jax.default_backend() == "cpu":
        return [devices[i % len(devices)] for i in range(num_workers)]
    return devices


def quantized_flow(prev_gray: np.ndarray, next_gray: np.ndarray, settings: PrepSettings,
                   device=None) -> np.ndarray:
    """[N, H, W] uint8 x 2 -> [N, H, W, 2] uint8: the pairs' quantised JAX flow on `device`
    (None: JAX's default device), `settings.flow_batch_size` pairs a compiled call."""
    context = contextlib.nullcontext()
    if device is not None:
        import jax
        context = jax.default_device(device)  # thread-local: each flow thread its own device
    with context:
        flow = flow_lib.tvl1_jax(prev_gray, next_gray, settings.flow_batch_size)
    return flow_lib.quantize(flow, settings.flow_bound)


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

    # The caller may have loaded TensorFlow: never fork.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(num_workers, mp_context=context,
                                                initializer=worker_init) as pool:
        yield lambda job, args: pool.submit(job, args).add_done_callback(deliver)


@contextlib.contextmanager
def _flow_runner(num_calls: int, inline: bool, settings: PrepSettings, results: queue.Queue):
    """`submit(chunk, device, prev_gray, next_gray)`: computes the chunk's flow on a thread of
    this process (`num_calls` at once; here, in turn, when `inline`) and puts ('flow', (chunk,
    device), [N, H, W, 2] uint8), or ('error', None, exception), on `results`."""
    def run(chunk, device, prev_gray, next_gray):
        try:
            flow = quantized_flow(prev_gray, next_gray, settings, device)
        except Exception as error:  # noqa: BLE001 (raised again by run_jax's loop)
            results.put(("error", None, error))
            return
        results.put(("flow", (chunk, device), flow))

    if inline:
        yield run
        return
    with concurrent.futures.ThreadPoolExecutor(num_calls, thread_name_prefix="tvl1") as pool:
        yield lambda *args: pool.submit(run, *args)


@dataclasses.dataclass
class _AwaitingFlow:
    """A decoded video in the JAX engine, while its pairs get their flow."""
    task: object
    decoded: object
    flow: np.ndarray  # [P, H, W, 2] uint8, filled as the flow calls return
    pairs_left: int


def _chunk_size(waiting_pairs: int, pool_pairs: int, free_calls: int, batch_size: int,
                last: bool) -> int:
    """Pairs of the next flow call: `pool_pairs`; for the last pairs of a build, shared evenly
    among the idle calls (whole batches), so that no call finishes the build alone."""
    if not last:
        return pool_pairs
    share = -(-waiting_pairs // free_calls)
    return min(pool_pairs, -(-share // batch_size) * batch_size)


def run_jax(todo: list, settings: PrepSettings, work_dir: str, num_workers: int,
            collect) -> None:
    """The JAX engine: workers decode and encode; this process computes the flow.

    1. Workers decode up to 2 x num_workers videos ahead (`_decode_job`), while fewer pairs
       wait than the flow calls take at once plus one call's worth (at least MIN_PAIRS_AHEAD).
    2. Each flow call (one a `flow_devices` entry, at most that many at once, on threads of this
       process) takes `JAX_POOL_BATCHES` x flow_batch_size waiting pairs, whatever videos they
       come from (the last pairs of a build: shared among the idle calls), computes their flow
       and quantises it.
    3. A video whose pairs all have their flow goes back to a worker to be encoded and cached
       (`_encode_job`); `collect` gets every video's result.
    With 1 worker everything runs in turn in this process, as with the OpenCV engine.
    """
    flow_lib.require_jax()
    devices = flow_devices(num_workers)
    free = list(reversed(devices))  # devices with no flow call running; pop() takes the first
    pool_pairs = settings.flow_batch_size * JAX_POOL_BATCHES
    results = queue.Queue()
    tasks = iter(todo)
    waiting = {}   # filename -> _AwaitingFlow
    pairs = []     # (filename, position) waiting for flow, in arrival order
    decoding = encoding = flowing = 0
    exhausted = False
    with _job_runner(num_workers, results) as submit, \
            _flow_runner(len(devices), num_workers == 1, settings, results) as submit_flow:
        while True:
            ahead = max((len(devices) + 1) * pool_pairs, MIN_PAIRS_AHEAD)
            while not exhausted and decoding < 2 * num_workers and len(pairs) < ahead:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                decoding += 1
                submit(_decode_job, (task, settings, work_dir))
            last = exhausted and not decoding
            while free and pairs and (len(pairs) >= pool_pairs or last):
                size = _chunk_size(len(pairs), pool_pairs, len(free), settings.flow_batch_size,
                                   last)
                chunk, pairs = pairs[:size], pairs[size:]
                flowing += 1
                submit_flow(chunk, free.pop(), *_frames(chunk, waiting))
            if not (decoding or encoding or flowing):
                break
            kind, key, value = results.get()
            if kind == "error":
                raise value
            if kind == "flow":
                flowing -= 1
                chunk, device = key
                free.append(device)
                for filename in _store_flow(chunk, value, waiting):
                    video = waiting.pop(filename)
                    decoded = dataclasses.replace(video.decoded, prev_gray=None, next_gray=None)
                    encoding += 1
                    submit(_encode_job, (video.task, settings, work_dir, decoded, video.flow))
                continue
            if kind == "decoded":
                decoding -= 1
                count, height, width = value.prev_gray.shape
                flow = np.zeros((count, height, width, 2), np.uint8)
                waiting[key.filename] = _AwaitingFlow(key, value, flow, count)
                pairs += [(key.filename, p) for p in range(count)]
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
            flow = quantized_flow(*_frames(chunk, waiting), settings)
            for filename in _store_flow(chunk, flow, waiting):
                video = waiting.pop(filename)
                yield encode_video(video.task, settings, video.decoded, video.flow)


def _frames(chunk: list, waiting: dict) -> tuple[np.ndarray, np.ndarray]:
    """The chunk's pairs [(filename, position)] -> (prev_gray, next_gray), [N, H, W] uint8 each."""
    prev_gray = np.stack([waiting[f].decoded.prev_gray[p] for f, p in chunk])
    next_gray = np.stack([waiting[f].decoded.next_gray[p] for f, p in chunk])
    return prev_gray, next_gray


def _store_flow(chunk: list, flow: np.ndarray, waiting: dict) -> list[str]:
    """Puts the chunk's [N, H, W, 2] uint8 flow into `waiting`; returns the videos it completed."""
    completed = []
    for (filename, position), pair_flow in zip(chunk, flow):
        video = waiting[filename]
        video.flow[position] = pair_flow
        video.pairs_left -= 1
        if not video.pairs_left:
            completed.append(filename)
    return completed
