"""Attention pooling over the locations of a CNN feature map (the spatial-attention baseline)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tan_keras")
class SpatialAttentionPooling(keras.layers.Layer):
    """Pools a feature map with learned weights over its H x W locations.

    The spatial-domain counterpart of TAN's temporal attention. For each location k:

    1. a_k = tanh(x_k w_x + c_k w_c)           # [B, H*W, units]; c is a guide map (may be x)
    2. e_k = v . a_k                          # [B, H*W]
    3. gamma = softmax over k of e_k          # float32, sums to 1 over the H*W locations
    4. pooled = sum_k gamma_k x_k             # [B, C]

    Args:
      units: size of the hidden state a.

    Call arguments:
      inputs: list `[x, c]`: x [B, H, W, C] the map to pool, c [B, H, W, Cg] the guide.
      return_attention_scores: also return gamma [B, H, W].

    Returns:
      pooled [B, C], or `(pooled, gamma)`.
    """

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"Expected `units` to be a positive integer. Received: units={units!r}")
        self.units = units

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or any(
                len(shape) != 4 for shape in input_shape):
            raise ValueError("Expected inputs [x, c], each [B, H, W, C]. "
                             f"Received: input_shape={input_shape!r}")
        x_shape, c_shape = input_shape
        if tuple(x_shape[1:3]) != tuple(c_shape[1:3]):
            raise ValueError("Expected x and c to have the same H x W. "
                             f"Received: x.shape={tuple(x_shape)}, c.shape={tuple(c_shape)}")
        self.w_x = self.add_weight(shape=(x_shape[-1], self.units), name="w_x",
                                   initializer="glorot_uniform")
        self.w_c = self.add_weight(shape=(c_shape[-1], self.units), name="w_c",
                                   initializer="glorot_uniform")
        self.v = self.add_weight(shape=(self.units,), name="v", initializer="glorot_uniform")

    def call(self, inputs, return_attention_scores=False):
        x, c = inputs
        height, width, channels = x.shape[1], x.shape[2], x.shape[3]
        hidden = ops.tanh(ops.matmul(x, self.w_x) + ops.matmul(c, self.w_c))  # [B, H, W, U]
        scores = ops.reshape(ops.sum(hidden * self.v, axis=-1), (-1, height * width))
        gamma = ops.softmax(ops.cast(scores, "float32"), axis=-1)  # [B, H*W]
        flat = ops.reshape(x, (-1, height * width, channels))
        pooled = ops.einsum("bk,bkc->bc", ops.cast(gamma, x.dtype), flat)
        if return_attention_scores:
            return pooled, ops.reshape(gamma, (-1, height, width))
        return pooled

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config
