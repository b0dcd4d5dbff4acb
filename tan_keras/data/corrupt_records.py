"""Counting the records that the reader skipped (`skip_corrupt=counter`)."""

import tensorflow as tf


class CorruptRecordCounter:
    """A running count of skipped corrupt records, shared by every dataset it is passed to.

    Create it outside `strategy.scope()` (inside, the variable would become a mirrored one).

    Example:
      counter = CorruptRecordCounter()
      ds = train_dataset(records_dir, skip_corrupt=counter)  # skip, log and count
      for batch in ds: ...
      print(counter.count)
    """

    def __init__(self):
        with tf.init_scope(), tf.device("/CPU:0"):
            self._skipped = tf.Variable(0, dtype=tf.int64, trainable=False,
                                        name="skipped_corrupt_records")

    @property
    def count(self) -> int:
        """Records skipped so far."""
        return int(self._skipped.numpy())

    def add(self, n: tf.Tensor) -> tf.Operation:
        """Adds n ([] int) skipped records; for use inside tf.data functions."""
        return self._skipped.assign_add(tf.cast(n, tf.int64))
