"""Where a stage trains: one device, this machine's devices, or several processes (the strategies
`default`, `mirrored` and `multi_worker`, on TensorFlow and JAX: the table in `placement`).

A multi-process run starts the same command in every process. `join_cluster` connects them, first
thing in the program (TensorFlow's collectives and JAX's devices must be set up before anything
else runs). Each process then reads its own share of the shards (`Placement.distribute`), trains
the same weights (gradients are summed across processes every step), and only the chief, process
0, writes files: settings, checkpoints, logs, final weights. Every process resumes from the
chief's checkpoints, so the workspace must be on a file system that every process sees.

This package's `__init__` only re-exports; each module has one job:

  cluster                join_cluster, joined_cluster, ProcessGroup: joining the processes.
  tf_config              tf_config_process: this process's rank in TF_CONFIG.
  multi_worker_strategy  MultiWorkerStrategy: TensorFlow's MultiWorkerMirroredStrategy patched for
                         Keras 3's fit (imports TensorFlow; loaded only on that backend).
  placement              place, Placement, check_strategy, check_global_batch, process_note.
  replica_statistics     ReplicaStatisticsAverage: batch norm's statistics averaged over replicas.
  weights_digest         weights_digest, report_weights: the digest every process prints.
"""

from tan_keras.training.distribution.cluster import (JAX_CLUSTER_HINT, ProcessGroup, join_cluster,
                                                     joined_cluster)
from tan_keras.training.distribution.placement import (Placement, check_global_batch,
                                                       check_strategy, place, process_note)
from tan_keras.training.distribution.replica_statistics import ReplicaStatisticsAverage
from tan_keras.training.distribution.tf_config import tf_config_process
from tan_keras.training.distribution.weights_digest import report_weights, weights_digest

__all__ = ["JAX_CLUSTER_HINT", "Placement", "ProcessGroup", "ReplicaStatisticsAverage",
           "check_global_batch", "check_strategy", "join_cluster", "joined_cluster", "place",
           "process_note", "report_weights", "tf_config_process", "weights_digest"]
