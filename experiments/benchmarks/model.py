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

This module is the command (flags, the cached start-up's runs, the report); `model_setup` makes
the batches and models, and `model_timing` times them.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from absl import app, flags

from experiments.benchmarks.model_timing import measure, use_compilation_cache
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
