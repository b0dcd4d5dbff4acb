"""TensorFlow's `MultiWorkerMirroredStrategy`, patched for what Keras 3's `fit` asks of it.

Imports TensorFlow: `cluster.join_cluster` imports this module only on the tensorflow backend.
"""

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
