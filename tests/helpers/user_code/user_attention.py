"""A TemporalAttention subclass as a user writes it, in a module of their own outside the
tan-keras packages: tests/conftest.py puts this folder on sys.path, and `commands.command_env` on
PYTHONPATH, as a user's installed package would be. The shared tiny run is trained with it from
the command line (`--attention_layer=user_attention:ScaledAttention`)."""

import keras
from keras import ops

from tan_keras.layers import TemporalAttention


@keras.saving.register_keras_serializable(package="user_attention")
class ScaledAttention(TemporalAttention):
    """TAN's additive scores times a learned scale (a weight of its own beside w1..w8)."""

    def build(self, input_shape):
        super().build(input_shape)
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def _calculate_scores(self, key_output, key_state, query_output, query_state, direction):
        scores = super()._calculate_scores(key_output, key_state, query_output, query_state,
                                           direction)
        return scores * ops.cast(self.scale, scores.dtype)
