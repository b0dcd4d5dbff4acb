"""Prints per-frame inference speed of the backbones on this machine (any Keras backend).

    python -m experiments.benchmarks.backbones                  # TensorFlow
    KERAS_BACKEND=jax python -m experiments.benchmarks.backbones
    python -m experiments.benchmarks.backbones --cases=resnet50:224 --batch_size=32

For each (backbone, image size): the build time, the first `predict` (which compiles), and
frames/s over a few further `predict` calls on random frames. The model-level training
benchmark is `experiments/benchmarks/model.py`.
"""

import time

from absl import app, flags

from tan_keras import choices

FLAGS = flags.FLAGS
flags.DEFINE_list("cases", ["googlenet:224", "googlenet:64", "tiny:64"],
                  "Comma-separated <backbone>:<image size> pairs.")
flags.DEFINE_integer("batch_size", 16, "Frames per predict call.", lower_bound=1)
flags.DEFINE_integer("repeats", 3, "Timed predict calls after the first.", lower_bound=1)


def _parse_case(case: str) -> tuple[str, int]:
    backbone, _, size = case.partition(":")
    if backbone not in choices.BACKBONES or not size.isdigit():
        raise flags.ValidationError(f"--cases entry {case!r}: expected <backbone>:<image size> "
                                    f"with a backbone in {choices.BACKBONES}.")
    return backbone, int(size)


flags.register_validator("cases", lambda cases: all(_parse_case(c) for c in cases))


def benchmark_backbone(backbone: str, image_size: int, batch_size: int = 16,
                       repeats: int = 3) -> dict:
    """Times one backbone on random frames [batch_size, S, S, 3].

    Returns:
      {'build_s': float, 'first_predict_s': float, 'frames_per_s': float}.
    """
    import numpy as np

    from tan_keras.backbones import build_backbone

    start = time.perf_counter()
    model = build_backbone(backbone, image_size)
    build_s = time.perf_counter() - start
    frames = np.random.default_rng(0).uniform(
        -1, 1, (batch_size, image_size, image_size, 3)).astype("float32")
    start = time.perf_counter()
    model.predict(frames, batch_size=batch_size, verbose=0)
    first_predict_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(repeats):
        model.predict(frames, batch_size=batch_size, verbose=0)
    frames_per_s = repeats * batch_size / (time.perf_counter() - start)
    return {"build_s": build_s, "first_predict_s": first_predict_s, "frames_per_s": frames_per_s}


def main(argv):
    del argv
    import keras

    for backbone, image_size in map(_parse_case, FLAGS.cases):
        figures = benchmark_backbone(backbone, image_size, FLAGS.batch_size, FLAGS.repeats)
        print(f"{keras.backend.backend()} {backbone} S={image_size}: "
              f"build {figures['build_s']:.1f} s, first predict {figures['first_predict_s']:.1f} s, "
              f"{figures['frames_per_s']:.1f} frames/s", flush=True)


if __name__ == "__main__":
    app.run(main)
