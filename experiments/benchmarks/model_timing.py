"""How `experiments.benchmarks.model` times training: `fit` and `train_on_batch` runners, the
steady state, one test video, profiling, the JAX compilation cache and the devices.

Nothing here imports TensorFlow on the JAX backend.
"""

import glob
import os
import time

from experiments.benchmarks.model_setup import build_models, evaluation_batch, training_batch


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
