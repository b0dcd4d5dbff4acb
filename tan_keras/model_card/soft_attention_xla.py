"""XLA's count of the two shares of a `SoftAttentionLSTM`, one compiled program each.

The card puts the layer's attention share and its recurrent share in two parts
(`soft_attention_costs`); XLA compiles a layer whole, so each share is compiled alone here, from
the layer's own methods and weights (JAX backend):

  attention: X [B, T, H, W, D] and h_0..h_{T-1} [B, T, U] -> x_1..x_T [B, T, D]
             (`_calculate_scores`, the float32 softmax over the H W locations, the weighted sum)
  recurrent: X and x_1..x_T -> h_1..h_T [B, T, U]
             (the clip mean, `_initial_states`, the T steps of the cell)

Together they are the layer's `call` (the whole model is compiled whole besides, for the total).
"""

import keras
from keras import ops

from tan_keras.model_card.soft_attention_costs import ATTENTION, RECURRENT


def _flat_maps(maps):
    steps, height, width, channels = maps.shape[1:]
    return ops.reshape(maps, (-1, steps, height * width, channels))  # [B, T, K, D]


def attention_share(layer, maps, hidden):
    """x_t = sum_i softmax_i(e_t) X_{t,i} for each t, with e_t from h_{t-1} = hidden[:, t]."""
    flat = _flat_maps(maps)
    pooled = []
    for step in range(flat.shape[1]):
        scores = layer._calculate_scores(flat[:, step], hidden[:, step])
        weights = ops.softmax(ops.cast(scores, "float32"), axis=-1)
        pooled.append(ops.einsum("bk,bkd->bd", ops.cast(weights, flat.dtype), flat[:, step]))
    return ops.stack(pooled, axis=1)


def recurrent_share(layer, maps, pooled):
    """h_1..h_T of the cell on the pooled inputs, from the clip mean's initial state."""
    states = layer._initial_states(ops.mean(_flat_maps(maps), axis=(1, 2)))
    outputs = []
    for step in range(pooled.shape[1]):
        output, states = layer.cell(pooled[:, step], states, training=False)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        outputs.append(output)
    return ops.stack(outputs, axis=1)


def share_xla_counts(layer, maps) -> dict:
    """{'attention': Count, 'recurrent': Count} of `layer` on maps, a spec [B, T, H, W, D]."""
    batch, steps, _, _, channels = maps.shape
    from tan_keras.model_card.xla import function_xla_count

    hidden = keras.KerasTensor((batch, steps, layer.units), maps.dtype)
    pooled = keras.KerasTensor((batch, steps, channels), maps.dtype)
    return {ATTENTION: function_xla_count(layer, attention_share, (maps, hidden)),
            RECURRENT: function_xla_count(layer, recurrent_share, (maps, pooled))}
