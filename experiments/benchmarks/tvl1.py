r"""Benchmark: TV-L1 pairs/s, OpenCV on one core against the JAX engine at several batch sizes.

First save real frame pairs as .npy (needs OpenCV; the pairs the build would store):

  python -m experiments.benchmarks.tvl1 --save_pairs=pairs.npy --video_dir=clips --positions=4

then time the engines on exactly those pairs (the JAX engine needs only JAX, NumPy and absl-py:
no TensorFlow, no OpenCV):

  python -m experiments.benchmarks.tvl1 --frames_npy=pairs.npy --engines=opencv,jax \
      --batch_sizes=1,16,64,256

It prints, for each engine, schedule and batch size: pairs/s, the compile time (tracing and XLA
compilation of every program that size needs), the waste of the batch (the iterations a masked
batch runs for its pairs against the ones they need, from each pair's own counts), the mean
end-point error against OpenCV when OpenCV ran too, and the projected time of a full UCF101
build at K = 25 (13,320 x 25 = 333,000 pairs) at that rate. A batch larger than the pairs in the
file runs the pairs repeated until the batches are full (the rate counts every pair run).
"""

import datetime
import os
import platform
import time

import numpy as np
from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("frames_npy", None, "Pairs to time: [N, 2, H, W] uint8 (frame k, then k + 1), "
                    "as --save_pairs writes them.")
flags.DEFINE_string("save_pairs", None, "Write the pairs of --video_dir to this .npy and exit.")
flags.DEFINE_string("video_dir", None, "--save_pairs: videos, one sub-folder per class; the "
                    "first --max_videos .avi files in sorted order.")
flags.DEFINE_integer("max_videos", 6, "--save_pairs: videos read.", lower_bound=1)
flags.DEFINE_integer("positions", 4, "--save_pairs: positions a video (TSN spacing).",
                     lower_bound=1)
flags.DEFINE_string("frame_size", "340x256", "--save_pairs: WIDTHxHEIGHT, as the build resizes.")
flags.DEFINE_list("engines", ["opencv", "jax"], "opencv (one core) and/or jax.")
flags.DEFINE_list("schedules", ["grouped", "masked"], "JAX: grouped (regrouped by cost after "
                  "each pyramid level, what the build uses) and/or masked (one compiled call a "
                  "batch, each pair masked when it stops).")
flags.DEFINE_list("batch_sizes", ["1", "16", "64", "256"], "JAX batch sizes.")
flags.DEFINE_float("max_minutes", 20.0, "Skip a JAX batch size whose run would take longer, "
                   "estimated from the rate of the batch sizes before it.")

UCF101_PAIRS_K25 = 13_320 * 25


def save_pairs(video_dir: str, path: str) -> None:
    """The TSN positions' pairs of the first --max_videos videos -> [N, 2, H, W] uint8 .npy."""
    import cv2

    from data_prep.decoding import positions as positions_lib
    from data_prep.decoding import video as video_lib

    size = video_lib.parse_frame_size(FLAGS.frame_size)  # {'frame_width', 'frame_height'}
    clips = sorted(os.path.join(root, name) for root, _, names in os.walk(video_dir)
                   for name in names if name.endswith(".avi"))[:FLAGS.max_videos]
    if not clips:
        raise app.UsageError(f"--video_dir={video_dir} holds no .avi videos.")
    pairs = []
    for clip in clips:
        num_frames, _ = video_lib.count_frames(clip)
        starts = positions_lib.position_indices(num_frames, FLAGS.positions)
        indices = sorted({i for k in starts for i in (k, k + 1)})
        gray = dict(zip(indices, (cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
                                  for f in video_lib.read_frames(clip, indices, **size))))
        pairs += [np.stack([gray[k], gray[k + 1]]) for k in starts]
    np.save(path, np.stack(pairs))
    print(f"saved {len(pairs)} pairs of {size['frame_width']}x{size['frame_height']} from "
          f"{len(clips)} videos to {path}")


def opencv_rate(pairs: np.ndarray) -> tuple[float, np.ndarray]:
    """(pairs/s, [N, H, W, 2] flow): OpenCV's TV-L1 on one thread, after one warm-up pair."""
    import cv2

    cv2.setNumThreads(1)
    algorithm = lambda a, b: cv2.optflow.DualTVL1OpticalFlow_create().calc(a, b, None)
    algorithm(*pairs[0])
    start = time.perf_counter()
    flow = np.stack([algorithm(a, b) for a, b in pairs])
    return len(pairs) / (time.perf_counter() - start), flow


def _repeated(pairs: np.ndarray, batch_size: int) -> np.ndarray:
    """The pairs, repeated until every batch of batch_size is full."""
    total = -(-len(pairs) // batch_size) * batch_size
    return pairs[np.arange(total) % len(pairs)]


def jax_run(pairs: np.ndarray, batch_size: int, schedule: str) -> dict:
    """Compiles every program the schedule needs, then times it on all the (repeated) pairs."""
    from data_prep.flow import tvl1_jax

    run = tvl1_jax.tvl1_grouped if schedule == "grouped" else tvl1_jax.tvl1_pairs
    height, width = pairs.shape[2:]
    compile_s = tvl1_jax.compile_programs(batch_size, height, width, schedule)
    work = _repeated(pairs, batch_size)
    start = time.perf_counter()
    flow, iterations = run(work[:, 0], work[:, 1], batch_size, return_iterations=True)
    seconds = time.perf_counter() - start
    done, needed = tvl1_jax.batch_work(iterations, height, width, batch_size, schedule)
    return {"rate": len(work) / seconds, "compile_s": compile_s, "seconds": seconds,
            "pairs": len(work), "waste": done / needed, "flow": flow[:len(pairs)]}


def _epe(flow: np.ndarray, reference: np.ndarray) -> str:
    epe = np.sqrt(((flow - reference) ** 2).sum(-1)).mean(axis=(1, 2))
    return f"EPE vs OpenCV mean {epe.mean():.4f} px, worst pair {epe.max():.4f} px"


def _projection(rate: float, what: str) -> str:
    hours = UCF101_PAIRS_K25 / rate / 3600
    return f"UCF101 at K=25 ({UCF101_PAIRS_K25:,} pairs): {hours:,.1f} h {what}"


def _machine() -> str:
    line = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f}, {datetime.date.today().isoformat()}")
    if "jax" in FLAGS.engines:
        import jax
        line += f"; JAX {jax.__version__} on {', '.join(str(d) for d in jax.devices())}"
    return line


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if FLAGS.save_pairs:
        if not FLAGS.video_dir:
            raise app.UsageError("--save_pairs needs --video_dir.")
        return save_pairs(FLAGS.video_dir, FLAGS.save_pairs)
    if not FLAGS.frames_npy:
        raise app.UsageError("Expected --frames_npy=pairs.npy (write one with --save_pairs).")
    for name, values, known in (("engines", FLAGS.engines, ("opencv", "jax")),
                                ("schedules", FLAGS.schedules, ("grouped", "masked"))):
        if not set(values) <= set(known):
            raise app.UsageError(f"Expected --{name} among {known}. Received: {values}")
    pairs = np.load(FLAGS.frames_npy)
    if pairs.ndim != 4 or pairs.shape[1] != 2 or pairs.dtype != np.uint8:
        raise app.UsageError(f"Expected --frames_npy of shape [N, 2, H, W] uint8. Received: "
                             f"shape={pairs.shape}, dtype={pairs.dtype}")
    height, width = pairs.shape[2:]
    print(f"{len(pairs)} pairs of {width}x{height} from {FLAGS.frames_npy}", flush=True)
    reference = None
    if "opencv" in FLAGS.engines:
        rate, reference = opencv_rate(pairs)
        cores = os.cpu_count()
        print(f"opencv, 1 core: {rate:.3f} pairs/s ({1 / rate:.2f} s a pair); "
              f"{_projection(rate, 'on one core')}; "
              f"{_projection(rate * cores, f'on {cores} cores if they scaled')}", flush=True)
    if "jax" in FLAGS.engines:
        for schedule in FLAGS.schedules:
            slowest = None  # s a pair, from the batch sizes run so far
            for batch_size in map(int, FLAGS.batch_sizes):
                count = len(_repeated(pairs, batch_size))
                if slowest and slowest * count > 60 * FLAGS.max_minutes:
                    print(f"jax {schedule}, batch {batch_size}: skipped (about "
                          f"{slowest * count / 60:.0f} min for {count} pairs at the rate so far, "
                          f"over --max_minutes={FLAGS.max_minutes:g})", flush=True)
                    continue
                result = jax_run(pairs, batch_size, schedule)
                slowest = max(slowest or 0, 1 / result["rate"])
                accuracy = "" if reference is None else f"; {_epe(result['flow'], reference)}"
                print(f"jax {schedule}, batch {batch_size}: {result['rate']:.3f} pairs/s "
                      f"({result['pairs']} pairs in {result['seconds']:.1f} s), compile "
                      f"{result['compile_s']:.1f} s, waste {result['waste']:.2f}x{accuracy}; "
                      f"{_projection(result['rate'], 'on this machine')}", flush=True)
    print(f"machine: {_machine()}")


if __name__ == "__main__":
    app.run(main)
