"""Fold the snippet axis into the batch for a per-frame CNN, and unfold it back."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tan_keras")
class FoldSnippets(keras.layers.Layer):
    """[B, T, ...] -> [B * T, ...], so a per-frame CNN sees all snippets as one batch.

    Unlike `TimeDistributed` (a Python loop over T when T is static), the CNN runs once on
    B * T frames: a graph T times smaller, and batch norm sees every frame of the batch.
    """

    def call(self, inputs):
        return ops.reshape(inputs, (-1,) + tuple(inputs.shape[2:]))

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"Expected inputs [B, T, ...]. Received: input_shape={tuple(input_shape)}")
        batch, steps = input_shape[0], input_shape[1]
        merged = None if batch is None or steps is None else batch * steps
        return (merged,) + tuple(input_shape[2:])


@keras.saving.register_keras_serializable(package="tan_keras")
class UnfoldSnippets(keras.layers.Layer):
    """[B * T, ...] -> [B, T, ...], the inverse of `FoldSnippets`.

    Args:
      num_snippets: T.
    """

    def __init__(self, num_snippets: int, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_snippets, int) or num_snippets < 1:
            raise ValueError("Expected `num_snippets` to be a positive integer. "
                             f"Received: num_snippets={num_snippets!r}")
        self.num_snippets = num_snippets

    def call(self, inputs):
        return ops.reshape(inputs, (-1, self.num_snippets) + tuple(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        merged = input_shape[0]
        batch = None if merged is None else merged // self.num_snippets
        return (batch, self.num_snippets) + tuple(input_shape[1:])

    def get_config(self):
        config = super().get_config()
        config.update({"num_snippets": self.num_snippets})
        return config


@keras.saving.register_keras_serializable(package="tan_keras")
class LastSnippet(keras.layers.Layer):
    """[B, T, ...] -> [B, ...], the last step j = T (TAN keeps only the last prediction)."""

    def call(self, inputs):
        return inputs[:, -1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])
