"""Mixes the two branches' class probabilities with per-clip gate weights (branch selection)."""

import keras


@keras.saving.register_keras_serializable(package="tan_keras")
class GatedFusion(keras.layers.Layer):
    """fused = gate[:, 0] * p_spatial + gate[:, 1] * p_temporal.

    Call arguments:
      inputs: list `[gate, p_spatial, p_temporal]`: gate [B, 2] (rows sum to 1, e.g. a
        softmax), p_spatial and p_temporal [B, C] class probabilities.

    Returns:
      fused class probabilities [B, C].
    """

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 3:
            raise ValueError("Expected inputs [gate, p_spatial, p_temporal]. "
                             f"Received: inputs={inputs!r}")
        gate, p_spatial, p_temporal = inputs
        if gate.shape[-1] != 2:
            raise ValueError(f"Expected gate [B, 2]. Received: gate.shape={gate.shape}")
        return gate[:, :1] * p_spatial + gate[:, 1:] * p_temporal

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[1])
