"""The cost of `SoftAttentionLSTM` (the soft-attention baseline), split in two shares.

The layer is one Keras layer but two of the card's parts: its **attention** share (the additive
scores, the softmax over locations and the weighted sum: what pools each map, as
`SpatialAttentionPooling` does in the spatial-attention baseline) goes to 'attention'; its
**recurrent** share (the clip mean, the initial state and the LSTM or GRU steps: what a plain
recurrent branch and its initial state do) goes to the branch's recurrent part, 'spatial_rnn' or
'temporal_rnn' (`tan_keras.model_card.parts`). The weights split the same way: w_x, w_h, b, v
(and whatever a subclass's `_build_scores` adds) are the attention's; the cell's and
w_init_h, b_init_h, w_init_c, b_init_c the recurrent part's.

For one clip of T maps of K = H W locations of D channels, U units, A attention units:

  attention, each step:
    q = h_{t-1} w_h + b             2 U A + A FLOPs
    X_t w_x                         [K, D] x [D, A]: 2 K D A FLOPs
    tanh(X_t w_x + q)               K A adds (q broadcast over the K locations), K A tanh
    e = v . tanh(...)               K A multiplies, K (A - 1) adds
    l = softmax over the K          4 K - 2 FLOPs, K exps (`counts.softmax`)
    x_t = l X_t                     [1, K] x [K, D]: 2 K D FLOPs
  recurrent:
    the clip mean                   T K D (the adds and one divide a channel, as global average
                                    pooling)
    h_0 (and c_0 for an LSTM)       each 2 D U + U FLOPs (matmul and bias), U tanh
    T steps of the cell on x_t [D]  `recurrent_costs.lstm_count` / `gru_count`
"""

import math

from tan_keras.layers import SoftAttentionLSTM
from tan_keras.model_card.counts import Count, matmul, softmax
from tan_keras.model_card.recurrent_costs import cell_count

ATTENTION, RECURRENT = "attention", "recurrent"
# The weights of the recurrent share that the layer holds itself (the cell's are the cell's).
INITIAL_STATE_WEIGHTS = ("w_init_h", "b_init_h", "w_init_c", "b_init_c")


def soft_attention_step_count(locations: int, channels: int, units: int,
                              attention_units: int) -> Count:
    """The attention share of one step: the map X_t [K, D] pooled into x_t [D] from h_{t-1}."""
    k, a = locations, attention_units
    query = matmul(1, units, a) + Count(flops=a)
    hidden = matmul(k, channels, a) + Count(flops=k * a, transcendentals=k * a)
    scores = Count(flops=k * a + k * (a - 1))
    return query + hidden + scores + softmax(1, k) + matmul(1, k, channels)


def initial_state_count(steps: int, locations: int, channels: int, units: int,
                        num_states: int) -> Count:
    """The clip mean over T K locations, then `num_states` states tanh(mean w + b) [U]."""
    one_state = matmul(1, channels, units) + Count(flops=units, transcendentals=units)
    return Count(flops=steps * locations * channels) + num_states * one_state


def _scores_are_the_layers(layer) -> bool:
    """A subclass with its own `_calculate_scores` scores otherwise: not counted here."""
    return type(layer)._calculate_scores is SoftAttentionLSTM._calculate_scores


def soft_attention_lstm(layer, inputs, outputs) -> dict | None:
    """{'attention': Count, 'recurrent': Count} of one call on X [B, T, H, W, D] (None: a
    subclass's own scores, or a cell that is not counted)."""
    if not _scores_are_the_layers(layer):
        return None
    batch, steps, height, width, channels = inputs[0]
    locations = height * width
    recurrent = cell_count(layer.cell, batch, steps, channels)
    if recurrent is None:
        return None
    num_states = 2 if layer.rnn == "lstm" else 1
    recurrent = recurrent + batch * initial_state_count(steps, locations, channels, layer.units,
                                                        num_states)
    attention = batch * steps * soft_attention_step_count(locations, channels, layer.units,
                                                          layer.attention_units)
    return {ATTENTION: attention, RECURRENT: recurrent}


def soft_attention_params(layer) -> dict:
    """{'attention': the score weights, 'recurrent': the cell and the initial state's}."""
    recurrent = layer.cell.count_params() + sum(
        math.prod(getattr(layer, name).shape) for name in INITIAL_STATE_WEIGHTS
        if hasattr(layer, name))
    return {ATTENTION: layer.count_params() - recurrent, RECURRENT: recurrent}


RULES = ((SoftAttentionLSTM, soft_attention_lstm),)
