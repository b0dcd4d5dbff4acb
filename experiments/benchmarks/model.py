r"""Benchmarks one model's training the way training runs it: `model.fit`, on any Keras backend.

  KERAS_BACKEND=jax python -m experiments.benchmarks.model --backbone=tiny --image_size=64 \
      --batch_size=4 --num_snippets=5 --steps=10
  KERAS_BACKEND=jax python -m experiments.benchmarks.model --backbone=googlenet \
      --image_size=224 --batch_size=32 --mixed_precision --profile=trace_dir

What is timed. The model (`tan_keras.models.build_model`, compiled by `compile_for_training` with
SGD and momentum) is trained by `model.fit(verbose=0)` on a Python generator that yields the same
batch, already on the device, `--steps` times (on TensorFlow: `tf.data.Dataset.from_tensors(...)
.repeat()`, since Keras would route a generator through a `tf.py_function`). That is the loop the
training stages run (`fit` once an epoch, `steps_per_execution=1`): on JAX, fit keeps the model
and optimizer state on the device between steps and leaves the logs there, and syncs once, at
the end of the call. `model.train_on_batch` in a Python loop (`--loop=train_on_batch`, or
`--loop=fit,train_on_batch` for both in one process; kept for the before/after comparison)
gathers and writes back the whole state and converts the logs to host floats at every call,
which on JAX costs milliseconds of host time a step and so measures Keras low. We time `fit`
rather than a compiled multi-step loop of our own because `fit` is what training runs; and
Keras' `steps_per_execution` on JAX is a Python loop over the same one-step jitted function
(on TensorFlow, a `tf.while_loop`), so on JAX it only saves the per-step dispatch of the
callbacks; `--steps_per_execution` is there to measure that.

Printed figures (and the keys of the `RESULT key=value ...` line):
- build_s: building the model and `compile()` (JAX compiles the initializers here);
- first_call_s: the first call (of the first `--loop`), of one execution (`--steps_per_execution`
  steps): tracing, XLA compilation, the optimizer's build and its steps;
- clips_per_s, step_s: steady state, later calls of `--steps` steps each (after `--warmup_steps`
  untimed ones): batch_size over the time a step of the fastest of `--repeats` calls (as
  `timeit` does: on a shared machine the slower calls are those another job slowed down). With
  two loops the second one's are clips_per_s_<loop>, step_s_<loop>, timed in turn with the
  first's;
- cached_build_s, cached_first_call_s (JAX): the same two in a fresh process whose JAX persistent
  compilation cache was filled by the first run: what a restarted job pays. With
  `--cached_start_up` (on by default on JAX) the command runs itself twice, as it was started
  (`sys.orig_argv`): the full benchmark in one fresh process, then the first call only in a
  second one, sharing `--compilation_cache_dir` (a temporary folder unless given). Neither run
  holds the device while the other runs (JAX takes 75% of a GPU's memory at its first use).
- eval_video_s: `predict_on_batch` on one test video's `--eval_views` views; with
  `--frames=uint8` the evaluation model on one uint8 video (it makes the 10 views itself);
- the devices, the CPU count and the load average.

`--frames=float` (default) feeds the float model normalised clips {'rgb', 'flow'}
[B, T, S, S, 3], the input of the PyTorch eager reference; `--frames=uint8` times the stages'
real training model, `tan_keras.models.preprocessed.training_model`, on uint8 frames at the
stored size (340 x 256 scaled by S / 224) with a random crop (y, x, h, w) and flip per clip: the
crop, resize, flip, flow image and normalisation run in the train step.

`--profile=DIR` writes a trace of `--profile_steps` steady-state steps (JAX: `jax.profiler.trace`
with a Perfetto trace; TensorFlow: `tf.profiler.experimental`), which TensorBoard's profiler or
ui.perfetto.dev opens. On JAX no TensorFlow is imported: this runs where only JAX and Keras are.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
flags.DEFINE_enum("frames", "float", ["float", "uint8"], "float: the float model on normalised "
                  "clips; uint8: preprocessed.training_model on uint8 frames, crop and flip.")
flags.DEFINE_list("loop", ["fit"], "Training loops to time, the first one the headline: fit "
                  "(model.fit over the repeated batch, how training runs) and/or train_on_batch "
                  "(one call a step, the old timing); several are timed in turn in one process.")
flags.DEFINE_integer("steps", 10, "Steps of each timed call (one fit call, or that many "
                     "train_on_batch calls).", lower_bound=1)
flags.DEFINE_integer("repeats", 3, "Timed calls of each loop, taken in turn; the fastest counts.",
                     lower_bound=1)
flags.DEFINE_integer("warmup_steps", 0, "Untimed steps between the first call and the timed one.",
                     lower_bound=0)
flags.DEFINE_integer("steps_per_execution", 1, "Model.compile(steps_per_execution=); --steps "
                     "and --warmup_steps must be multiples of it.", lower_bound=1)
flags.DEFINE_integer("eval_views", 10, "Also time predict_on_batch on this many clips (one test "
                     "video's views: 10 in the paper's protocol); 0 skips it.", lower_bound=0)
flags.DEFINE_string("profile", "", "Write a trace of --profile_steps steady-state steps here.")
flags.DEFINE_integer("profile_steps", 3, "Steps in the --profile trace.", lower_bound=1)
flags.DEFINE_string("compilation_cache_dir", "", "JAX: the persistent compilation cache folder "
                    "(default: a temporary one for the cached start-up). Ignored on TensorFlow.")
flags.DEFINE_bool("cached_start_up", True, "JAX: also measure the start-up of a fresh process "
                  "with the compilation cache filled (the command runs itself twice).")
flags.DEFINE_bool("first_call_only", False, "Stop after the first call (the cached start-up run).")
flags.DEFINE_string("result_json", "", "Write the figures to this JSON file instead of printing "
                    "the report (the runs of --cached_start_up).")

STORED_FRAME = (256, 340)  # (H, W) of the records' frames at S = 224
LOOPS = ("fit", "train_on_batch")


@flags.validator("loop", message=f"Expected --loop to name each of {list(LOOPS)} at most once.")
def _check_loops(loops) -> bool:
    return bool(loops) and len(set(loops)) == len(loops) and set(loops) <= set(LOOPS)


@flags.multi_flags_validator(["steps", "warmup_steps", "steps_per_execution", "loop"],
                             message="Expected --steps and --warmup_steps to be multiples of "
                                     "--steps_per_execution, and --steps_per_execution=1 with "
                                     "--loop=train_on_batch.")
def _check_steps(values) -> bool:
    per_execution = values["steps_per_execution"]
    if "train_on_batch" in values["loop"] and per_execution != 1:
        return False
    return values["steps"] % per_execution == 0 and values["warmup_steps"] % per_execution == 0


@flags.multi_flags_validator(["frames", "eval_views"], message="Expected --eval_views=0 or 10 "
                             "with --frames=uint8 (the evaluation model makes the 10 views).")
def _check_uint8_views(values) -> bool:
    return values["frames"] == "float" or values["eval_views"] in (0, 10)


# Inputs.

def normalised_clips(batch_size: int, num_snippets: int, image_size: int, seed: int = 0) -> dict:
    """Random normalised clips {'rgb', 'flow': [B, T, S, S, 3] float32} in [-1, 1]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shape = (batch_size, num_snippets, image_size, image_size, 3)
    return {stream: rng.uniform(-1.0, 1.0, size=shape).astype("float32")
            for stream in ("rgb", "flow")}


def stored_frame_size(image_size: int) -> tuple[int, int]:
    """(H, W) of stored frames for crops of side S: 256 x 340 scaled by S / 224."""
    return tuple(max(1, round(side * image_size / 224)) for side in STORED_FRAME)


def uint8_frames(batch_size: int, num_snippets: int, frame_size: tuple[int, int],
                 seed: int = 0, with_augmentation: bool = True) -> dict:
    """Random uint8 frames as `tan_keras.data.train_frames` hands them over.

    Returns {'rgb': [B, T, H, W, 3], 'flow_x', 'flow_y': [B, T, H, W] uint8} and, with
    `with_augmentation`, 'crop': [B, 4] int32 (y, x, h, w), a square of 0.875 of the short side
    at a random place, and 'flip': [B] int32 (1: mirror).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    height, width = frame_size
    frames = {"rgb": rng.integers(0, 256, (batch_size, num_snippets, height, width, 3)),
              "flow_x": rng.integers(0, 256, (batch_size, num_snippets, height, width)),
              "flow_y": rng.integers(0, 256, (batch_size, num_snippets, height, width))}
    frames = {name: values.astype("uint8") for name, values in frames.items()}
    if with_augmentation:
        side = max(1, int(0.875 * min(height, width)))
        y = rng.integers(0, height - side + 1, batch_size)
        x = rng.integers(0, width - side + 1, batch_size)
        frames["crop"] = np.stack([y, x, np.full_like(y, side), np.full_like(y, side)],
                                  axis=1).astype("int32")
        frames["flip"] = rng.integers(0, 2, batch_size).astype("int32")
    return frames


def random_labels(batch_size: int, num_classes: int, seed: int = 0):
    """[B] int32 labels."""
    import numpy as np

    return np.random.default_rng(seed).integers(0, num_classes, batch_size).astype("int32")


def on_device(structure):
    """A dict of NumPy arrays -> the same dict of backend tensors on the default device."""
    import keras

    return {name: keras.ops.convert_to_tensor(value) for name, value in structure.items()}


# The models.

def build_models(settings: dict):
    """The compiled model to train and the model to time evaluation with.

    Returns (train_model, eval_model): with frames 'float' both are the float model (inputs
    {'rgb', 'flow'} [B, T, S, S, 3]); with 'uint8', `preprocessed.training_model` and
    `preprocessed.evaluation_model` around it, on frames of `stored_frame_size(S)`.
    """
    import keras

    from tan_keras.models import build_model, compile_for_training

    keras.mixed_precision.set_global_policy(
        "mixed_bfloat16" if settings["mixed_precision"] else "float32")
    network = build_model(settings["model"], settings["num_classes"],
                          backbone=settings["backbone"], num_snippets=settings["num_snippets"],
                          image_size=settings["image_size"], rnn_units=settings["rnn_units"],
                          attention_units=settings["attention_units"])
    train_model = eval_model = network
    if settings["frames"] == "uint8":
        from tan_keras.models import preprocessed

        frame_size = stored_frame_size(settings["image_size"])
        train_model = preprocessed.training_model(network, settings["backbone"], frame_size)
        eval_model = preprocessed.evaluation_model(network, settings["backbone"], frame_size,
                                                   flow_planes=True)
    compile_for_training(train_model, keras.optimizers.SGD(0.001, momentum=0.9),
                         jit_compile=settings["jit_compile"],
                         steps_per_execution=settings["steps_per_execution"])
    return train_model, eval_model


def training_batch(settings: dict):
    """(inputs, targets) of one training batch, on the device."""
    from tan_keras.models import training_targets

    batch_size, num_snippets = settings["batch_size"], settings["num_snippets"]
    if settings["frames"] == "uint8":
        inputs = uint8_frames(batch_size, num_snippets, stored_frame_size(settings["image_size"]))
    else:
        inputs = normalised_clips(batch_size, num_snippets, settings["image_size"])
    targets = training_targets(random_labels(batch_size, settings["num_classes"]))
    return on_device(inputs), on_device(targets)


def evaluation_batch(settings: dict) -> dict:
    """One test video: float views [V, T, S, S, 3], or uint8 frames [1, T, H, W(, 3)]."""
    if settings["frames"] == "uint8":
        return on_device(uint8_frames(1, settings["num_snippets"],
                                      stored_frame_size(settings["image_size"]), seed=1,
                                      with_augmentation=False))
    return on_device(normalised_clips(settings["eval_views"], settings["num_snippets"],
                                      settings["image_size"], seed=1))


# The training loops: each returns `run(steps)`, which trains that many steps and waits for them.

def repeated_batch(inputs: dict, targets: dict):
    """What fit reads: the same (inputs, targets) batch forever. On JAX a generator of the
    device arrays (fit keeps them where they are); on TensorFlow a repeated tf.data dataset."""
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.data.Dataset.from_tensors((inputs, targets)).repeat()

    def forever():
        while True:
            yield inputs, targets

    return forever()


def wait_for_training(model) -> None:
    """Blocks until the last step's update is computed (every step before it is, too)."""
    import keras

    keras.ops.convert_to_numpy(model.optimizer.iterations)
    keras.ops.convert_to_numpy(model.trainable_variables[-1])


def loop_runner(loop: str, model, inputs: dict, targets: dict):
    """run(steps) of `loop` ('fit' or 'train_on_batch')."""
    return {"fit": fit_runner, "train_on_batch": train_on_batch_runner}[loop](model, inputs,
                                                                               targets)


def fit_runner(model, inputs: dict, targets: dict):
    """run(steps): one `model.fit` call of `steps` steps (one epoch), then a wait."""
    def run(steps: int) -> None:
        model.fit(repeated_batch(inputs, targets), steps_per_epoch=steps, epochs=1, verbose=0,
                  shuffle=False)
        wait_for_training(model)
    return run


def train_on_batch_runner(model, inputs: dict, targets: dict):
    """run(steps): `model.train_on_batch` `steps` times (each returns host floats)."""
    def run(steps: int) -> None:
        for _ in range(steps):
            model.train_on_batch(inputs, targets)
    return run


def seconds(call, *args) -> float:
    """Wall-clock seconds of `call(*args)`."""
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


# Profiling, compilation cache and devices: the backend-specific parts.

def profiled(run, steps: int, directory: str) -> list[str]:
    """Runs `run(steps)` under the backend's profiler, writing to `directory`.

    Returns the trace files written (*.xplane.pb for TensorBoard's profiler; on JAX also
    perfetto_trace.json.gz for ui.perfetto.dev).
    """
    import keras

    if keras.backend.backend() == "jax":
        import jax

        with jax.profiler.trace(directory, create_perfetto_trace=True):
            run(steps)
    elif keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.profiler.experimental.start(directory)
        try:
            run(steps)
        finally:
            tf.profiler.experimental.stop()
    else:
        raise ValueError("Expected KERAS_BACKEND jax or tensorflow for --profile. "
                         f"Received: {keras.backend.backend()!r}")
    return sorted(path for pattern in ("*.xplane.pb", "*perfetto_trace.json.gz")
                  for path in glob.glob(os.path.join(directory, "**", pattern), recursive=True))


def use_compilation_cache(directory: str) -> None:
    """JAX: cache every compiled program in `directory`, however small or quick to compile."""
    import jax

    jax.config.update("jax_compilation_cache_dir", directory)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


def device_description() -> str:
    """'<count>x<kind>' of the backend's devices, e.g. '1xNVIDIA_H200' or '1xcpu'."""
    import keras

    if keras.backend.backend() == "jax":
        import jax

        devices = jax.devices()
        kind = devices[0].device_kind
    else:
        devices = keras.distribution.list_devices()
        kind = devices[0].split(":")[0]
    return f"{len(devices)}x{kind.replace(' ', '_')}"


# One measuring run.

def measure(settings: dict) -> dict:
    """Builds the models and times them as the docstring of this module says.

    Args:
      settings: this command's flags by name (jit_compile as 'auto', True or False).

    Returns:
      The figures: build_s, first_call_s and, unless settings['first_call_only'], step_s,
      clips_per_s, eval_video_s (with eval_views > 0) and trace_files (with a profile dir).
    """
    import keras

    start = time.perf_counter()
    train_model, eval_model = build_models(settings)
    figures = {"backend": keras.backend.backend(), "device": device_description(),
               "params": train_model.count_params(), "build_s": time.perf_counter() - start}
    inputs, targets = training_batch(settings)
    loops = settings["loop"]
    runs = {loop: loop_runner(loop, train_model, inputs, targets) for loop in loops}
    figures["first_call_s"] = seconds(runs[loops[0]], settings["steps_per_execution"])
    if settings["first_call_only"]:
        return figures
    for loop in loops[1:]:
        runs[loop](1)  # TensorFlow traces train_on_batch's step apart from fit's
    if settings["warmup_steps"]:
        runs[loops[0]](settings["warmup_steps"])
    figures.update(steady_state(runs, settings["steps"], settings["repeats"],
                                settings["batch_size"]))
    if settings["profile"]:
        figures["trace_files"] = profiled(runs[loops[0]], settings["profile_steps"],
                                          settings["profile"])
    if settings["eval_views"]:
        figures["eval_video_s"] = time_one_test_video(eval_model, evaluation_batch(settings),
                                                      settings["steps"])
    return figures


def steady_state(runs: dict, steps: int, repeats: int, batch_size: int) -> dict:
    """Times `repeats` calls of `steps` steps of each loop, the loops in turn (so that a load
    from elsewhere falls on all of them), and keeps each loop's fastest call.

    Returns step_s and clips_per_s of the first loop, and step_s_<loop>, clips_per_s_<loop> of
    the others.
    """
    times = {loop: [] for loop in runs}
    for _ in range(repeats):
        for loop, run in runs.items():
            times[loop].append(seconds(run, steps) / steps)
    figures = {}
    for index, (loop, loop_times) in enumerate(times.items()):
        suffix = "" if index == 0 else f"_{loop}"
        figures[f"step_s{suffix}"] = min(loop_times)
        figures[f"clips_per_s{suffix}"] = batch_size / figures[f"step_s{suffix}"]
    return figures


def time_one_test_video(model, video: dict, repeats: int) -> float:
    """Seconds of `model.predict_on_batch(video)`, the mean of `repeats` after a first call."""
    model.predict_on_batch(video)  # compiles
    return seconds(lambda: [model.predict_on_batch(video) for _ in range(repeats)]) / repeats


# The cached start-up: the same command twice, in fresh processes.

def run_myself(*extra_flags: str) -> dict:
    """Runs this command again as it was started (interpreter, options, flags), with
    `extra_flags` after its own, and returns the figures it wrote."""
    with tempfile.TemporaryDirectory() as scratch:
        result_path = os.path.join(scratch, "figures.json")
        command = [sys.executable, *sys.orig_argv[1:], *extra_flags,
                   f"--result_json={result_path}", "--nocached_start_up"]
        finished = subprocess.run(command)
        if finished.returncode != 0:
            raise RuntimeError(f"Expected the benchmark run to succeed. Received: exit status "
                               f"{finished.returncode} from {' '.join(command[:4])} ...")
        with open(result_path) as file:
            return json.load(file)


def measure_with_cached_start_up(cache_dir: str) -> dict:
    """The whole benchmark in a fresh process that fills `cache_dir`, then the first call in a
    second fresh process that reads it. Returns the first run's figures plus cached_build_s and
    cached_first_call_s, and cache_entries_before (the cache's files before the first run)."""
    entries_before = len(os.listdir(cache_dir)) if os.path.isdir(cache_dir) else 0
    cache_flag = f"--compilation_cache_dir={cache_dir}"
    figures = run_myself(cache_flag)
    cached = run_myself(cache_flag, "--first_call_only", "--eval_views=0", "--profile=")
    return {**figures, "cached_build_s": cached["build_s"],
            "cached_first_call_s": cached["first_call_s"],
            "cache_entries_before": entries_before}


# The report.

def result_line(settings: dict, figures: dict) -> str:
    """'RESULT key=value ...': the settings that change the figures, then the figures."""
    keys = ("model", "backbone", "frames", "batch_size", "image_size", "num_snippets",
            "mixed_precision", "jit_compile", "steps_per_execution", "steps")
    fields = {**{key: settings[key] for key in keys}, "loop": ",".join(settings["loop"]),
              **figures,
              "cpu_count": os.cpu_count(), "load_average": os.getloadavg()[0]}
    fields.pop("trace_files", None)
    return "RESULT " + " ".join(f"{key}={value:.4g}" if isinstance(value, float)
                                else f"{key}={value}" for key, value in fields.items())


def report_sentences(settings: dict, figures: dict) -> list[str]:
    """The figures in words, one line each."""
    lines = [
        f"{settings['model']} / {settings['backbone']} on {figures['backend']} "
        f"({figures['device']}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}), "
        f"B = {settings['batch_size']}, S = {settings['image_size']}, "
        f"T = {settings['num_snippets']}, {settings['frames']} frames, "
        f"{'mixed_bfloat16' if settings['mixed_precision'] else 'float32'}, "
        f"loop {settings['loop'][0]}:",
        f"  build + compile() {figures['build_s']:.1f} s; first call (tracing + compilation + "
        f"{settings['steps_per_execution']} step(s)) {figures['first_call_s']:.1f} s"]
    if "step_s" not in figures:  # --first_call_only
        return lines
    lines += [
        f"  steady state, the fastest of {settings['repeats']} calls of {settings['steps']} steps: "
        f"{figures['step_s'] * 1000:.0f} ms a step = {figures['clips_per_s']:.1f} clips/s"]
    for loop in settings["loop"][1:]:
        lines.append(f"  {loop} in the same process: {figures[f'step_s_{loop}'] * 1000:.0f} ms a "
                     f"step = {figures[f'clips_per_s_{loop}']:.1f} clips/s; "
                     f"{settings['loop'][0]} / {loop} = "
                     f"{figures['clips_per_s'] / figures[f'clips_per_s_{loop}']:.2f}")
    if "cached_first_call_s" not in figures:
        lines.append("  cached start-up: not measured (it is JAX's persistent compilation cache, "
                     "with --cached_start_up on JAX)")
    else:
        lines.append(f"  fresh process with the compilation cache filled: build "
                     f"{figures['cached_build_s']:.1f} s, first call "
                     f"{figures['cached_first_call_s']:.1f} s")
        if figures["cache_entries_before"]:
            lines.append(f"  (the cache held {figures['cache_entries_before']} files before the "
                         "run: its first call may have read them too)")
    if "eval_video_s" in figures:
        lines.append(f"  one test video ({NUM_VIEWS_TEXT[settings['frames']]}): "
                     f"{figures['eval_video_s']:.3f} s")
    if figures.get("trace_files") is not None:
        lines.append(f"  profile of {settings['profile_steps']} steps in {settings['profile']}: "
                     + (", ".join(figures["trace_files"]) or "no trace file was written"))
    return lines


NUM_VIEWS_TEXT = {"float": "predict_on_batch on its views",
                  "uint8": "the evaluation model on its uint8 frames, 10 views"}


def flag_settings() -> dict:
    names = ("model", "backbone", "batch_size", "image_size", "num_snippets", "num_classes",
             "rnn_units", "attention_units", "mixed_precision", "frames", "loop", "steps",
             "repeats", "warmup_steps", "steps_per_execution", "eval_views", "profile",
             "profile_steps", "first_call_only")
    settings = {name: FLAGS[name].value for name in names}
    settings["jit_compile"] = {"auto": "auto", "true": True, "false": False}[FLAGS.jit_compile]
    return settings


def main(argv):
    del argv
    import keras

    settings = flag_settings()
    backend = keras.backend.backend()
    if backend != "jax" and FLAGS.compilation_cache_dir:
        print(f"--compilation_cache_dir is ignored on {backend}: it is JAX's persistent "
              "cache, so no cached start-up is measured.")
    if backend == "jax" and FLAGS.cached_start_up:
        cache_dir = FLAGS.compilation_cache_dir or tempfile.mkdtemp(prefix="jax_cache_")
        try:
            figures = measure_with_cached_start_up(cache_dir)
        finally:
            if not FLAGS.compilation_cache_dir:
                shutil.rmtree(cache_dir, ignore_errors=True)
    else:
        if backend == "jax" and FLAGS.compilation_cache_dir:
            use_compilation_cache(FLAGS.compilation_cache_dir)
        figures = measure(settings)
    if FLAGS.result_json:
        with open(FLAGS.result_json, "w") as file:
            json.dump(figures, file)
        return
    print(result_line(settings, figures))
    print("\n".join(report_sentences(settings, figures)), flush=True)


if __name__ == "__main__":
    app.run(main)
