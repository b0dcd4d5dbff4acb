"""A TemporalAttention subclass with a weight of its own, as a Keras user would write one."""

import keras
from keras import ops

from tan_keras.layers import TemporalAttention


@keras.saving.register_keras_serializable(package="tan_keras_tests")
class TemperedTemporalAttention(TemporalAttention):
    """TAN's additive scores times a learned temperature: a weight of its own beside w1..w8."""

    def build(self, input_shape):
        super().build(input_shape)
        self.temperature = self.add_weight(shape=(), initializer="ones", name="temperature")

    def _calculate_scores(self, key_output, key_state, query_output, query_state, direction):
        scores = super()._calculate_scores(key_output, key_state, query_output, query_state,
                                           direction)
        return scores * ops.cast(self.temperature, scores.dtype)
