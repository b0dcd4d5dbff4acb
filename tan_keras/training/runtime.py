"""Process-wide training switches: determinism, mixed precision, logical CPU devices.

These touch global state (TensorFlow's devices and op determinism, Keras' dtype policy), so the
stages call them once, at the start, before building a model. Where training runs (devices,
processes) is `distribution`'s.
"""

import os

import keras

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
                f"before JAX starts, or call `split_cpu` before anything uses JAX)")
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


def compile_options(run) -> dict:
    """`Model.compile`'s `jit_compile` and `run_eagerly` for a stage's train step (`RunOptions`).

    On TensorFlow, `jit_compile` chooses XLA over TensorFlow's own graph. On JAX the step is
    always jitted unless `run_eagerly` asks otherwise: XLA is JAX's compiler, and without jit
    Keras runs the step op by op, compiling each op on its own (the tiny TAN of the tests took
    about 20 s a step on the CPU that way).
    """
    if run.run_eagerly:
        return {"jit_compile": False, "run_eagerly": True}
    jit = True if keras.backend.backend() == "jax" else bool(run.jit_compile)
    return {"jit_compile": jit, "run_eagerly": False}
