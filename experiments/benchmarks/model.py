"""Benchmarks one model's training step on synthetic clips, on any Keras backend.

Prints the first step's time (tracing + compilation + one step) and the steady train-step
throughput in clips/s. No TensorFlow import: pick the backend with KERAS_BACKEND.

  KERAS_BACKEND=jax python -m experiments.benchmarks.model --backbone=tiny --image_size=64 \\
      --batch_size=8 --num_snippets=5 --steps=10
  python -m experiments.benchmarks.model --backbone=googlenet --image_size=112 --mixed_precision
"""

import os
import time

from absl import app, flags

from tan_keras import choices

FLAGS = flags.FLAGS
flags.DEFINE_enum("model", "tan", list(choices.MODELS), "Which model (build_model's name).")
flags.DEFINE_enum("backbone", "tiny", list(choices.BACKBONES), "Per-frame CNN.")
flags.DEFINE_integer("batch_size", 8, "Clips per step (B).", lower_bound=1)
flags.DEFINE_integer("image_size", 64, "Frame side S.", lower_bound=1)
flags.DEFINE_integer("num_snippets", 5, "Snippets per clip (T).", lower_bound=1)
flags.DEFINE_integer("num_classes", 101, "Classes (101 = UCF101).", lower_bound=2)
flags.DEFINE_integer("rnn_units", 512, "Recurrent state size.", lower_bound=1)
flags.DEFINE_integer("attention_units", 256, "Attention state size.", lower_bound=1)
flags.DEFINE_bool("mixed_precision", False, "Use the mixed_bfloat16 policy.")
flags.DEFINE_enum("jit_compile", "auto", ["auto", "true", "false"], "Model.compile(jit_compile=).")
flags.DEFINE_integer("steps", 10, "Timed steps after the first (compiling) step.")
flags.DEFINE_integer("warmup_steps", 1, "Untimed steps after the first one.")
flags.DEFINE_integer("eval_views", 10, "Also time predict_on_batch on this many clips (one test "
                     "video's views: 10 in the paper's protocol); 0 skips it.", lower_bound=0)


def synthetic_batch(batch_size: int, num_snippets: int, image_size: int, num_classes: int,
                    seed: int = 0):
    """Random normalised clips {'rgb', 'flow': [B, T, S, S, 3] float32} and labels [B] int32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shape = (batch_size, num_snippets, image_size, image_size, 3)
    clips = {stream: rng.uniform(-1.0, 1.0, size=shape).astype("float32")
             for stream in ("rgb", "flow")}
    labels = rng.integers(0, num_classes, size=(batch_size,)).astype("int32")
    return clips, labels


def benchmark_train_step(model_name: str, backbone: str, batch_size: int, image_size: int,
                         num_snippets: int, num_classes: int, rnn_units: int,
                         attention_units: int, mixed_precision: bool, jit_compile,
                         steps: int, warmup_steps: int, eval_views: int = 0) -> dict:
    """Builds, compiles and times `model_name`'s train step, and with `eval_views` > 0 its
    prediction on one test video's views ([V, T, S, S, 3], the 10-view protocol's batch).

    Returns the figures as a dict (eval_video_s only with eval_views > 0).
    """
    import keras

    from tan_keras.models import build_model, compile_for_training, training_targets

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if mixed_precision else "float32")
    model = build_model(model_name, num_classes, backbone=backbone, num_snippets=num_snippets,
                        image_size=image_size, rnn_units=rnn_units,
                        attention_units=attention_units)
    compile_for_training(model, keras.optimizers.SGD(0.001, momentum=0.9),
                         jit_compile=jit_compile)
    clips, labels = synthetic_batch(batch_size, num_snippets, image_size, num_classes)
    clips = {k: keras.ops.convert_to_tensor(v) for k, v in clips.items()}
    targets = {k: keras.ops.convert_to_tensor(v) for k, v in training_targets(labels).items()}

    start = time.perf_counter()
    model.train_on_batch(clips, targets)  # returns host floats: waits for the device
    first_step_s = time.perf_counter() - start
    for _ in range(warmup_steps):
        model.train_on_batch(clips, targets)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(clips, targets)
    step_s = (time.perf_counter() - start) / max(steps, 1)
    figures = {}
    if eval_views:
        views, _ = synthetic_batch(eval_views, num_snippets, image_size, num_classes, seed=1)
        model.predict_on_batch(views)  # compiles
        start = time.perf_counter()
        for _ in range(max(steps, 1)):
            model.predict_on_batch(views)
        figures["eval_video_s"] = (time.perf_counter() - start) / max(steps, 1)
    return {**figures, "backend": keras.backend.backend(), "model": model_name, "backbone": backbone,
            "batch_size": batch_size, "image_size": image_size, "num_snippets": num_snippets,
            "mixed_precision": mixed_precision, "jit_compile": jit_compile,
            "params": model.count_params(), "first_step_s": first_step_s, "step_s": step_s,
            "clips_per_s": batch_size / step_s}


def main(argv):
    del argv
    jit_compile = {"auto": "auto", "true": True, "false": False}[FLAGS.jit_compile]
    result = benchmark_train_step(
        FLAGS.model, FLAGS.backbone, FLAGS.batch_size, FLAGS.image_size, FLAGS.num_snippets,
        FLAGS.num_classes, FLAGS.rnn_units, FLAGS.attention_units, FLAGS.mixed_precision,
        jit_compile, FLAGS.steps, FLAGS.warmup_steps, FLAGS.eval_views)
    print(" ".join(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
                   for key, value in result.items()))
    print(f"{result['model']} / {result['backbone']} on {result['backend']} "
          f"(cpu count {os.cpu_count()}): first step (compile) {result['first_step_s']:.1f} s, "
          f"train step {result['step_s'] * 1000:.0f} ms = {result['clips_per_s']:.1f} clips/s"
          + (f"; one test video ({FLAGS.eval_views} views) {result['eval_video_s']:.3f} s"
             if FLAGS.eval_views else ""))


if __name__ == "__main__":
    app.run(main)
