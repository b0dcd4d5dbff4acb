"""Joining the processes of a multi-process run: `join_cluster`, first thing in each process.

On JAX, `jax.distributed.initialize` (through `keras.distribution.initialize`); on TensorFlow, a
`MultiWorkerMirroredStrategy` (`multi_worker_strategy`) over the cluster in TF_CONFIG
(`tf_config`). The joined `ProcessGroup` is kept for the process's lifetime (`joined_cluster`).
"""

import dataclasses

import keras

from tan_keras.errors import IncompatibleInputError

# What `join_cluster` needs on JAX, in its arguments' names (a command shows them as its flags).
JAX_CLUSTER_HINT = ("coordinator_address='HOST:PORT', num_processes=N and process_id=K, or a "
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


def _join_tensorflow() -> ProcessGroup:
    from tan_keras.training.distribution.multi_worker_strategy import MultiWorkerStrategy
    from tan_keras.training.distribution.tf_config import tf_config_process

    role = tf_config_process()
    return ProcessGroup(index=role["index"], count=role["count"],
                        tf_strategy=MultiWorkerStrategy())
