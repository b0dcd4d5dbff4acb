r"""Benchmark: long-video prediction's real-time factor and peak memory, by model, flow engine
and views.

  python -m experiments.benchmarks.long_video --video=clip.avi
  python -m experiments.benchmarks.long_video --video=clip.avi --models=googlenet \
      --engines=opencv --views=1 --seconds=4

For each model, flow engine (opencv, jax) and views (1, 10), a fresh process runs
`tan_keras.inference.predict_windows` over the first --seconds of the video (all of it by
default), with 2 s windows every second (--window, --stride), and prints:

  rtf          seconds of video per second of wall time (real time: 1.0), from the first
               window's result to the last (the first window's time, with the model's and the
               JAX engine's compiles, is printed apart as `first`);
  peak RSS     the process's peak resident memory (getrusage), TensorFlow included.

The models are untrained (random weights: the time does not depend on them), 101 classes:
  tiny       the quickstart's: tiny CNN, 32 px crops of 64x64 frames, T = 5, LSTM 64,
             K = 15 positions;
  googlenet  the paper's: GoogLeNet at 224 px of 340x256 frames, T = 5, LSTM 512, K = 25.
"""

import json
import os
import resource
import subprocess
import sys
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("video", None, "A real video to read (looped to --seconds if shorter).",
                    required=True)
flags.DEFINE_list("models", ["tiny", "googlenet"], "tiny and/or googlenet.")
flags.DEFINE_list("engines", ["opencv", "jax"], "Flow engines: opencv and/or jax.")
flags.DEFINE_list("views", ["1", "10"], "Views a window: 1 and/or 10.")
flags.DEFINE_float("seconds", None, "Seconds of video read (default: all of it).")
flags.DEFINE_float("window", 2.0, "Seconds a window.")
flags.DEFINE_float("stride", 1.0, "Seconds from one window's start to the next.")
flags.DEFINE_string("one", None, "Internal: run one 'model,engine,views' in this process and "
                    "print its JSON line.")

MODELS = {  # name -> (build_tan arguments, frame settings)
    "tiny": ({"backbone": "tiny", "image_size": 32, "rnn_units": 64, "attention_units": 32},
             {"height": 64, "width": 64, "positions": 15}),
    "googlenet": ({"backbone": "googlenet", "image_size": 224, "rnn_units": 512,
                   "attention_units": 256}, {"height": 256, "width": 340, "positions": 25}),
}
NUM_SNIPPETS, NUM_CLASSES = 5, 101


class LoopedCapture:
    """A video file's capture read `frames` frames long, from the start again at its end."""

    def __init__(self, path: str, frames: int | None):
        import cv2

        self._path, self._left = path, frames
        self._capture = cv2.VideoCapture(path)

    def read(self):
        import cv2

        if self._left == 0:
            return False, None
        ok, frame = self._capture.read()
        if not ok and self._left is not None:
            self._capture.release()
            self._capture = cv2.VideoCapture(self._path)
            ok, frame = self._capture.read()
        if self._left is not None:
            self._left -= 1
        return ok, frame

    def get(self, prop):
        return self._capture.get(prop)

    def release(self):
        self._capture.release()


def video_model(name: str):
    """An untrained `VideoModel` of `MODELS[name]` (10 views)."""
    import numpy as np

    from tan_keras.inference import VideoModel
    from tan_keras.models.preprocessed import evaluation_model
    from tan_keras.models.tan import build_tan

    arguments, frames = MODELS[name]
    network = build_tan(NUM_CLASSES, num_snippets=NUM_SNIPPETS, dropout=0.0, **arguments)
    settings = {**frames, "num_snippets": NUM_SNIPPETS}
    model = evaluation_model(network, arguments["backbone"], frame_height=frames["height"],
                             frame_width=frames["width"], classes=[str(c) for c in
                                                                   range(NUM_CLASSES)],
                             frame_settings=settings)

    def predict(inputs):
        return {key: np.asarray(value) for key, value in model.predict_on_batch(inputs).items()}

    return VideoModel(predict, list(range(NUM_CLASSES)), settings, keras_model=model)


def run_one(model_name: str, engine: str, views: int) -> dict:
    """One configuration in this process: its times and peak memory."""
    import cv2

    from tan_keras.inference import predict_windows

    model = video_model(model_name)
    fps = cv2.VideoCapture(FLAGS.video).get(cv2.CAP_PROP_FPS) or 25.0
    frames = None if FLAGS.seconds is None else int(round(FLAGS.seconds * fps))
    started = time.perf_counter()
    done = []
    for result in predict_windows(model, LoopedCapture(FLAGS.video, frames),
                                  window_s=FLAGS.window, stride_s=FLAGS.stride, views=views,
                                  flow_engine=engine):
        done.append((time.perf_counter(), result.end_s))
    if len(done) < 2:
        raise app.UsageError("Fewer than 2 windows: give a longer video or --seconds.")
    video_s = done[-1][1] - done[0][1]
    wall_s = done[-1][0] - done[0][0]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"model": model_name, "engine": engine, "views": views, "windows": len(done),
            "first_s": round(done[0][0] - started, 2), "video_s": round(video_s, 2),
            "wall_s": round(wall_s, 2), "rtf": round(video_s / wall_s, 3),
            "peak_rss_mib": round(peak_kib / 1024)}


def main(argv):
    del argv
    if FLAGS.one:
        model_name, engine, views = FLAGS.one.split(",")
        print("RESULT " + json.dumps(run_one(model_name, engine, int(views))), flush=True)
        return
    print(f"{FLAGS.video}: windows of {FLAGS.window:g} s every {FLAGS.stride:g} s; "
          f"{os.cpu_count()} CPU cores; one process a configuration")
    common = [f"--video={FLAGS.video}", f"--window={FLAGS.window}", f"--stride={FLAGS.stride}"]
    if FLAGS.seconds is not None:
        common.append(f"--seconds={FLAGS.seconds}")
    for model_name in FLAGS.models:
        for engine in FLAGS.engines:
            for views in FLAGS.views:
                run = subprocess.run(
                    [sys.executable, "-m", "experiments.benchmarks.long_video", *common,
                     f"--one={model_name},{engine},{views}"], capture_output=True, text=True)
                lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
                if run.returncode or not lines:
                    print(f"{model_name} {engine} views={views}: failed "
                          f"({(run.stderr.strip().splitlines() or ['?'])[-1]})", flush=True)
                    continue
                found = json.loads(lines[-1][len("RESULT "):])
                print(f"{model_name:9s} {engine:6s} views={views:2s}: rtf {found['rtf']:.3f} "
                      f"({found['video_s']:g} s of video in {found['wall_s']:g} s, "
                      f"{found['windows']} windows; first {found['first_s']:g} s)  "
                      f"peak RSS {found['peak_rss_mib']} MiB", flush=True)


if __name__ == "__main__":
    app.run(main)
