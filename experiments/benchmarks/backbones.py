"""Prints per-frame inference speed of the backbones on this machine (any Keras backend).

    python -m experiments.benchmarks.backbones                  # TensorFlow
    KERAS_BACKEND=jax python -m experiments.benchmarks.backbones

For each (backbone, image size): the build time, the first `predict` (which compiles), and
frames/s over a few further `predict` calls on random frames. The model-level training
benchmark is `experiments/benchmarks/model.py`.
"""

import time

import keras
import numpy as np

from tan_keras.backbones import build_backbone

DEFAULT_CASES = (("googlenet", 224), ("googlenet", 64), ("tiny", 64))


def benchmark_backbone(backbone: str, image_size: int, batch_size: int = 16,
                       repeats: int = 3) -> dict:
    """Times one backbone on random frames [batch_size, S, S, 3].

    Returns:
      {'build_s': float, 'first_predict_s': float, 'frames_per_s': float}.
    """
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


def main() -> None:
    for backbone, image_size in DEFAULT_CASES:
        figures = benchmark_backbone(backbone, image_size)
        print(f"{keras.backend.backend()} {backbone} S={image_size}: "
              f"build {figures['build_s']:.1f} s, first predict {figures['first_predict_s']:.1f} s, "
              f"{figures['frames_per_s']:.1f} frames/s", flush=True)


if __name__ == "__main__":
    main()
