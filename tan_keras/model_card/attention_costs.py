"""The cost of TAN's `TemporalAttention` and of the spatial-attention baseline's pooling.

`TemporalAttention`, one direction (the spatial one; the temporal one swaps the branches), for
one clip of T snippets, key branch of width D_k (h, s), query branch of width D_q (g, t), and
`units` = A:

  1. key = h W1 + s W2            [T, A]: 2 x 2 T D_k A FLOPs, + T A for the add
     query = g W3 + t W4          [T, A]: 2 x 2 T D_q A FLOPs, + T A
     Each projection is computed once per snippet and broadcast, as the layer does: m_ij =
     key_i + query_j costs T^2 A adds, not T^2 x the projections.
  2. m = key_i + query_j          [T, T, A]: T^2 A adds (+ T^2 A for the bias, use_bias=True)
  3. e = v . tanh(m)              T^2 A tanh (transcendentals), T^2 A multiplies,
                                  T^2 (A - 1) adds
  4. alpha = softmax over i       T columns of T: T (4 T - 2) FLOPs, T^2 exps
  5. o_s = alpha^T h              [T, D_k]: 2 T^2 D_k FLOPs

Both directions together: the spatial one with (D_k, D_q) = (D_s, D_t), the temporal one with
(D_t, D_s).

`SpatialAttentionPooling` over an [H, W, C] map with a guide [H, W, C_g] and A units, N = H W:
  tanh(x W_x + c W_c): 2 N C A + 2 N C_g A + N A FLOPs, N A tanh; v . a: N A + N (A - 1);
  softmax over the N locations: 4 N - 2 FLOPs, N exps; the weighted sum: 2 N C.
"""

from tan_keras.layers import SpatialAttentionPooling, TemporalAttention
from tan_keras.model_card.counts import Count, matmul, softmax


def attention_direction_count(steps: int, key_dim: int, query_dim: int, units: int,
                              use_bias: bool = False) -> Count:
    """One direction of `TemporalAttention` for one clip (steps 1-5 of the module docstring)."""
    t, a = steps, units
    projections = (matmul(t, key_dim, a) + matmul(t, key_dim, a) + matmul(t, query_dim, a)
                   + matmul(t, query_dim, a) + Count(flops=2 * t * a))
    global_state = Count(flops=t * t * a * (2 if use_bias else 1))
    scores = Count(flops=t * t * a + t * t * (a - 1), transcendentals=t * t * a)
    weighted_sum = matmul(t, t, key_dim)
    return projections + global_state + scores + softmax(t, t) + weighted_sum


def temporal_attention_count(steps: int, spatial_dim: int, temporal_dim: int, units: int,
                             use_bias: bool = False) -> Count:
    """Both directions of `TemporalAttention` for one clip: h, s [T, D_s]; g, t [T, D_t]."""
    return (attention_direction_count(steps, spatial_dim, temporal_dim, units, use_bias)
            + attention_direction_count(steps, temporal_dim, spatial_dim, units, use_bias))


def _scores_are_tans(layer) -> bool:
    """A subclass with its own `_calculate_scores` scores otherwise: not counted here."""
    return type(layer)._calculate_scores is TemporalAttention._calculate_scores


def temporal_attention(layer, inputs, outputs) -> Count | None:
    if not _scores_are_tans(layer):
        return None
    (batch, steps, spatial_dim), _, (_, _, temporal_dim), _ = inputs
    return batch * temporal_attention_count(steps, spatial_dim, temporal_dim, layer.units,
                                            layer.use_bias)


def spatial_attention_pooling_count(locations: int, channels: int, guide_channels: int,
                                    units: int) -> Count:
    """`SpatialAttentionPooling` for one map of `locations` = H W positions."""
    n, a = locations, units
    hidden = (matmul(n, channels, a) + matmul(n, guide_channels, a)
              + Count(flops=n * a, transcendentals=n * a))
    scores = Count(flops=n * a + n * (a - 1))
    return hidden + scores + softmax(1, n) + matmul(1, n, channels)


def spatial_attention_pooling(layer, inputs, outputs) -> Count:
    (batch, height, width, channels), (_, _, _, guide_channels) = inputs
    return batch * spatial_attention_pooling_count(height * width, channels, guide_channels,
                                                   layer.units)


RULES = (
    (TemporalAttention, temporal_attention),
    (SpatialAttentionPooling, spatial_attention_pooling),
)
