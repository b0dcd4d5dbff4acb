"""Where a stage builds its model and how each process gets its data: `place(strategy, ...)`.

    strategy      TensorFlow                          JAX
    default       one device                          one device
    mirrored      tf.distribute.MirroredStrategy      keras.distribution.DataParallel over this
                  over this machine's GPUs (or        machine's devices
                  logical CPUs)
    multi_worker  MultiWorkerMirroredStrategy, the    DataParallel over every process's devices,
                  cluster from TF_CONFIG              after jax.distributed.initialize
"""

import contextlib
import dataclasses
from typing import Callable

import keras

from tan_keras.choices import STRATEGIES
from tan_keras.errors import IncompatibleInputError
from tan_keras.training.distribution.cluster import (JAX_CLUSTER_HINT, ProcessGroup,
                                                     joined_cluster)
from tan_keras.training.distribution.replica_statistics import ReplicaStatisticsAverage


def check_strategy(strategy: str) -> None:
    """Raises when `strategy` cannot run here (see `place`); creates nothing."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Expected strategy in {STRATEGIES}. Received: strategy={strategy!r}")
    if strategy == "default":
        return
    backend = keras.backend.backend()
    if backend not in ("tensorflow", "jax"):
        raise IncompatibleInputError(
            f"Expected the tensorflow or jax Keras backend for strategy={strategy!r}. "
            f"Received: backend={backend!r}")
    if strategy == "multi_worker" and joined_cluster() is None:
        how = (JAX_CLUSTER_HINT if backend == "jax" else "no arguments and TF_CONFIG set")
        raise IncompatibleInputError(
            "Expected this process to have joined its cluster for strategy='multi_worker': call "
            "`tan_keras.training.distribution.join_cluster` first thing in the program, with "
            f"{how}. Received: no cluster joined")


@dataclasses.dataclass
class Placement:
    """Where the model is built and how each process gets its data.

    Attributes:
      scope: the context in which to build and compile the model.
      replicas: model replicas in sync, over all processes (the global batch divides by it).
      process: this process's `ProcessGroup` (index 0 of 1 outside multi-process runs).
      distribute: `(input_context -> tf.data.Dataset) -> dataset for fit`: calls the function
        once for this process's input pipeline, with a `tf.distribute.InputContext` in
        multi-process runs (which shard and batch share to read) and None otherwise.
      callbacks: Keras callbacks the training needs (`ReplicaStatisticsAverage` on TensorFlow
        with several replicas).
    """
    scope: object
    replicas: int
    process: ProcessGroup
    distribute: Callable
    callbacks: list = dataclasses.field(default_factory=list)

    @property
    def is_chief(self) -> bool:
        return self.process.is_chief


def place(strategy: str, batch_size: int) -> Placement:
    """The `Placement` of `strategy` ('default', 'mirrored' or 'multi_worker', see the module
    docstring), checked against the global `batch_size` (`check_global_batch`). On JAX,
    'mirrored' and 'multi_worker' set Keras' global distribution."""
    placement = _place(strategy)
    check_global_batch(batch_size, placement)
    return placement


def _place(strategy: str) -> Placement:
    check_strategy(strategy)
    alone = ProcessGroup(index=0, count=1)
    if strategy == "default":
        return Placement(contextlib.nullcontext(), 1, alone, lambda make: make(None))
    joined = joined_cluster()
    if keras.backend.backend() == "jax":
        import jax

        process = joined if strategy == "multi_worker" else alone
        devices = jax.devices() if strategy == "multi_worker" else jax.local_devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel(
            devices=devices, auto_shard_dataset=False))
        return Placement(contextlib.nullcontext(), len(devices), process,
                         _jax_distribute(process))
    import tensorflow as tf

    if strategy == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        mirrored = tf.distribute.MirroredStrategy(devices=devices)
        return Placement(mirrored.scope(), mirrored.num_replicas_in_sync, alone,
                         lambda make: make(None), [ReplicaStatisticsAverage(mirrored)])
    multi = joined.tf_strategy
    return Placement(multi.scope(), multi.num_replicas_in_sync, joined,
                     multi.distribute_datasets_from_function, [ReplicaStatisticsAverage(multi)])


def _jax_distribute(process: ProcessGroup):
    if process.count == 1:
        return lambda make: make(None)

    def distribute(make):
        import tensorflow as tf

        return make(tf.distribute.InputContext(num_input_pipelines=process.count,
                                               input_pipeline_id=process.index,
                                               num_replicas_in_sync=process.count))
    return distribute


def check_global_batch(batch_size: int, placement: Placement) -> None:
    """Raises unless the global batch divides evenly across the replicas."""
    if batch_size % placement.replicas:
        raise IncompatibleInputError(
            f"Expected batch_size to divide by the {placement.replicas} replicas in sync "
            f"(every replica gets an equal share). Received: batch_size={batch_size}")


def process_note(placement: Placement) -> str:
    """', process 1 of 2 (chief)' in a multi-process run; '' otherwise."""
    process = placement.process
    if process.count == 1:
        return ""
    return f", process {process.index} of {process.count}" + (" (chief)" if process.is_chief
                                                              else "")
