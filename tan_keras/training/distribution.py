"""Where a stage trains: one device, this machine's devices, or several processes.

    strategy      TensorFlow                          JAX
    default       one device                          one device
    mirrored      tf.distribute.MirroredStrategy      keras.distribution.DataParallel over this
                  over this machine's GPUs (or        machine's devices
                  logical CPUs)
    multi_worker  MultiWorkerMirroredStrategy, the    DataParallel over every process's devices,
                  cluster from TF_CONFIG              after jax.distributed.initialize

A multi-process run starts the same command in every process. `join_cluster` connects them, first
thing in the program (TensorFlow's collectives and JAX's devices must be set up before anything
else runs). Each process then reads its own share of the shards (`Placement.datasets`), trains
the same weights (gradients are summed across processes every step), and only the chief, process
0, writes files: settings, checkpoints, logs, final weights. Every process resumes from the
chief's checkpoints, so the workspace must be on a file system that every process sees.
"""

import contextlib
import dataclasses
import hashlib
import json
import os
from typing import Callable

import keras

from tan_keras.choices import STRATEGIES
from tan_keras.errors import IncompatibleInputError

JAX_CLUSTER_HINT = ("--coordinator_address=HOST:PORT --num_processes=N --process_id=K, or a "
                    "cluster that JAX finds by itself (Slurm, Open MPI, Kubernetes, Cloud TPU)")


@dataclasses.dataclass(frozen=True)
class ProcessGroup:
    """The processes of a multi-process run, as this process sees them.

    Attributes:
      index: this process's rank, 0..count-1; 0 is the chief.
      count: the number of processes.
      tf_strategy: on TensorFlow, the `MultiWorkerMirroredStrategy` made at start-up.
    """
    index: int
    count: int
    tf_strategy: object = None

    @property
    def is_chief(self) -> bool:
        return self.index == 0


_joined: ProcessGroup | None = None


def join_cluster(coordinator_address: str | None = None, num_processes: int | None = None,
                 process_id: int | None = None) -> ProcessGroup:
    """Connects this process to the other processes of a multi-process run; call it once, first.

    On JAX: `jax.distributed.initialize` (through `keras.distribution.initialize`) with the
    coordinator's HOST:PORT (process 0 listens there), the number of processes and this one's id.
    With none of them, JAX reads the cluster from Slurm, Open MPI, Kubernetes or a Cloud TPU VM.
    On TensorFlow: a `tf.distribute.MultiWorkerMirroredStrategy` from the TF_CONFIG environment
    variable; the three arguments must be None.

    Returns:
      This process's `ProcessGroup` (also what `joined_cluster()` returns from then on).
    """
    global _joined
    if _joined is not None:
        return _joined
    backend = keras.backend.backend()
    given = {"coordinator_address": coordinator_address, "num_processes": num_processes,
             "process_id": process_id}
    if backend == "jax":
        _joined = _join_jax(coordinator_address, num_processes, process_id)
    elif backend == "tensorflow":
        named = [f"{name}={value!r}" for name, value in given.items() if value is not None]
        if named:
            raise IncompatibleInputError(
                "Expected the cluster in TF_CONFIG on the tensorflow backend. Received: "
                + ", ".join(named) + " (those are the JAX backend's; set TF_CONFIG instead)")
        _joined = _join_tensorflow()
    else:
        raise IncompatibleInputError(f"Expected the tensorflow or jax Keras backend for a "
                                     f"multi-process run. Received: backend={backend!r}")
    return _joined


def joined_cluster() -> ProcessGroup | None:
    """The `ProcessGroup` of `join_cluster`, or None when this process joined none."""
    return _joined


def _join_jax(coordinator_address, num_processes, process_id) -> ProcessGroup:
    import jax

    try:
        keras.distribution.initialize(coordinator_address, num_processes, process_id)
    except (ValueError, RuntimeError) as error:
        raise IncompatibleInputError(
            f"Expected {JAX_CLUSTER_HINT}. Received: coordinator_address={coordinator_address!r}, "
            f"num_processes={num_processes!r}, process_id={process_id!r}; JAX said: "
            f"{str(error).splitlines()[0]}") from None
    return ProcessGroup(index=jax.process_index(), count=jax.process_count())


def tf_config_process() -> dict:
    """{'index': this process's rank, 'count': the number of processes}, from TF_CONFIG; a chief
    task, where the cluster has one, is rank 0, then the workers in order."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        raise IncompatibleInputError("Expected the TF_CONFIG environment variable for "
                                     "strategy='multi_worker'. Received: TF_CONFIG is not set")
    try:
        config = json.loads(text)
        cluster, task = config["cluster"], config["task"]
        workers = list(cluster.get("chief", [])) + list(cluster.get("worker", []))
        index = (0 if task["type"] == "chief"
                 else len(cluster.get("chief", [])) + int(task["index"]))
    except (ValueError, KeyError, TypeError) as error:
        raise IncompatibleInputError(
            "Expected TF_CONFIG to be JSON like {\"cluster\": {\"worker\": [\"host0:port\", "
            "\"host1:port\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}. Received: "
            f"{text!r} ({type(error).__name__}: {error})") from None
    if not 0 <= index < len(workers):
        raise IncompatibleInputError(f"Expected TF_CONFIG's task to be one of its cluster's "
                                     f"{len(workers)} workers. Received: {text!r}")
    return {"index": index, "count": len(workers)}


def _join_tensorflow() -> ProcessGroup:
    import tensorflow as tf

    class MultiWorkerStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        """`MultiWorkerMirroredStrategy.reduce` for what Keras 3's `fit` asks of it
        (keras-team/keras#20329, #20585):

        - a nested structure, which the parent refuses: `fit` asks for one only to learn the
          shapes of the first batch (a dict of uint8 frames, which collectives cannot add), so
          it gets this worker's first replica's values: the shapes and dtypes of every replica's;
        - the mean of scalar logs (the loss, the metrics) along axis 0, which scalars lack: the
          mean over the replicas, which is what `fit` means by it.
        """

        def reduce(self, reduce_op, value, axis):
            if isinstance(value, (dict, list, tuple)):
                return tf.nest.map_structure(
                    lambda leaf: self.experimental_local_results(leaf)[0], value)
            if axis is not None and self.experimental_local_results(value)[0].shape.rank == 0:
                axis = None
            return super().reduce(reduce_op, value, axis)

    role = tf_config_process()
    return ProcessGroup(index=role["index"], count=role["count"],
                        tf_strategy=MultiWorkerStrategy())


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
    if strategy == "multi_worker" and _joined is None:
        how = (JAX_CLUSTER_HINT if backend == "jax" else "TF_CONFIG set")
        raise IncompatibleInputError(
            "Expected this process to have joined its cluster for strategy='multi_worker' "
            "(tan_keras.training.distribution.join_cluster(), first thing in the program; the "
            f"commands do it when given --strategy=multi_worker with {how}). Received: no "
            "cluster joined")


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
    if keras.backend.backend() == "jax":
        import jax

        process = _joined if strategy == "multi_worker" else alone
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
    multi = _joined.tf_strategy
    return Placement(multi.scope(), multi.num_replicas_in_sync, _joined,
                     multi.distribute_datasets_from_function, [ReplicaStatisticsAverage(multi)])


class ReplicaStatisticsAverage(keras.callbacks.Callback):
    """At the end of every epoch, sets each float non-trainable variable (batch norm's moving
    mean and variance) to its mean over a `tf.distribute` strategy's replicas.

    TensorFlow's replicas update these statistics from their own share of the batch, so without
    this each replica (and each process) would end with its own; the weights and the optimizer's
    state are equal everywhere already. (On JAX, one program computes them over the global
    batch.)
    """

    def __init__(self, strategy):
        super().__init__()
        self.strategy = strategy
        self._replica_means = None  # traced once, at the first epoch's end

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        variables = [v.value for v in self.model.non_trainable_variables
                     if "float" in str(v.dtype)]
        if not variables:
            return
        if self._replica_means is None:
            def local_means():
                context = tf.distribute.get_replica_context()
                return context.all_reduce("MEAN", [tf.identity(v) for v in variables])
            self._replica_means = tf.function(lambda: self.strategy.run(local_means))
        for variable, mean in zip(variables, self._replica_means()):
            variable.assign(self.strategy.experimental_local_results(mean)[0])


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
            f"Expected --batch_size to divide by the {placement.replicas} replicas in sync "
            f"(every replica gets an equal share). Received: batch_size={batch_size}")


def process_note(placement: Placement) -> str:
    """', process 1 of 2 (chief)' in a multi-process run; '' otherwise."""
    process = placement.process
    if process.count == 1:
        return ""
    return f", process {process.index} of {process.count}" + (" (chief)" if process.is_chief
                                                              else "")


def report_weights(placement: Placement, model) -> None:
    """In a multi-process run, prints this process's `weights_digest`: every process of a run
    prints the same one, which is how to check that they trained in sync."""
    if placement.process.count > 1:
        print(f"process {placement.process.index} of {placement.process.count}: weights sha256 "
              f"{weights_digest(model)}", flush=True)


def weights_digest(model) -> str:
    """SHA-256 of every variable's values, in order: equal digests, equal weights."""
    import numpy as np

    digest = hashlib.sha256()
    for variable in model.variables:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(variable.value)).tobytes())
    return digest.hexdigest()
