"""Batch norm's moving statistics averaged over a `tf.distribute` strategy's replicas."""

import keras


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
