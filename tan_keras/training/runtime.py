"""Process-wide training switches: determinism, mixed precision, distribution strategy.

These touch global state (TensorFlow's devices and op determinism, Keras' dtype policy), so the
stages call them once, at the start, before building a model.
"""

import contextlib
import os

import keras

from tan_keras.choices import STRATEGIES
from tan_keras.errors import IncompatibleInputError


def make_deterministic(seed: int) -> None:
    """Seeds Python, NumPy and the backend, and asks TensorFlow for deterministic kernels."""
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def split_cpu(num_devices: int) -> None:
    """Splits the CPU into `num_devices` logical devices (to try `mirrored` without GPUs).

    Must run before the backend initialises its devices: on TensorFlow, logical CPU devices; on
    JAX, XLA's host platform device count (`--xla_force_host_platform_device_count`).
    """
    if keras.backend.backend() == "jax":
        flag = f"--xla_force_host_platform_device_count={num_devices}"
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flag}".strip()
        import jax

        if len(jax.devices("cpu")) != num_devices:
            raise IncompatibleInputError(
                f"Expected {num_devices} CPU devices after setting XLA_FLAGS={flag}. Received: "
                f"{len(jax.devices('cpu'))} (JAX had started its devices already; set XLA_FLAGS "
                f"before starting the command)")
        return
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(num_devices)])


def set_mixed_precision(enabled: bool) -> str:
    """Sets Keras' global dtype policy and returns its name.

    mixed_float16 on GPUs (with loss scaling, which `compile` adds); mixed_bfloat16 on CPUs,
    where float16 kernels are slow or missing.
    """
    if not enabled:
        policy = "float32"
    elif keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        policy = "mixed_float16" if tf.config.list_physical_devices("GPU") else "mixed_bfloat16"
    else:
        policy = "mixed_bfloat16"
    keras.mixed_precision.set_global_policy(policy)
    return policy


def check_strategy(strategy: str) -> None:
    """Raises when `strategy` cannot run here (see `strategy_scope`); creates nothing."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Expected strategy in {STRATEGIES}. Received: strategy={strategy!r}")
    if strategy == "default":
        return
    backend = keras.backend.backend()
    if backend == "jax" and strategy == "multi_worker":
        raise IncompatibleInputError(
            "strategy='multi_worker' is not built on the JAX backend yet. Expected "
            "KERAS_BACKEND=tensorflow with TF_CONFIG, or strategy='mirrored' on one machine")
    if backend not in ("tensorflow", "jax"):
        raise IncompatibleInputError(
            f"Expected the tensorflow or jax Keras backend for strategy={strategy!r}. "
            f"Received: backend={backend!r}")
    if strategy == "multi_worker" and "TF_CONFIG" not in os.environ:
        raise IncompatibleInputError("Expected the TF_CONFIG environment variable for "
                                     "strategy='multi_worker'. Received: TF_CONFIG is not set")


def strategy_scope(strategy: str):
    """A context in which to build and compile the model, and the number of replicas.

    Args:
      strategy: 'default' (one device); 'mirrored', data parallel over this machine's devices
        (all local GPUs, or all logical CPUs when there is no GPU): on TensorFlow a
        `tf.distribute.MirroredStrategy`, on JAX `keras.distribution.DataParallel` (set globally;
        each batch is split across the devices); or 'multi_worker'
        (tf.distribute.MultiWorkerMirroredStrategy; reads the cluster from TF_CONFIG).

    Returns:
      (context manager, number of replicas).
    """
    check_strategy(strategy)
    if strategy == "default":
        return contextlib.nullcontext(), 1
    if keras.backend.backend() == "jax":
        import jax

        devices = jax.devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        return contextlib.nullcontext(), len(devices)
    import tensorflow as tf

    if strategy == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        distribution = tf.distribute.MirroredStrategy(devices=devices)
    else:
        distribution = tf.distribute.MultiWorkerMirroredStrategy()
    return distribution.scope(), distribution.num_replicas_in_sync
