"""The soft-attention baseline's card: `SoftAttentionLSTM` counted by hand here, from the
formulas written out (not from the library's helpers), split between 'attention' and the
recurrent parts; the parameters against Keras' own count. (The split and the total against XLA's
cost analysis: `python -m experiments.model_card --model=soft_attention --xla`, docs/model_card.md;
the suite runs that comparison for TAN, tests/experiments/test_model_card.py.)"""

import keras
import pytest

from tan_keras.layers import SoftAttentionLSTM
from tan_keras.model_card import count_model
from tan_keras.model_card.building import build_card_model

# Sizes all different, so that a swapped dimension shows: the tiny CNN at 48 px ends on a
# 3 x 3 x 64 map.
T, S, U, A, C = 2, 48, 4, 3, 5
K, D = 9, 64
SMALL = {"backbone": "tiny", "num_snippets": T, "image_size": S, "rnn": "lstm", "rnn_units": U,
         "attention_units": A, "dropout": 0.5}


@pytest.fixture(scope="module")
def model():
    return build_card_model("soft_attention", C, SMALL)


@pytest.fixture(scope="module")
def counted(model):
    return count_model(model)


def test_every_layer_is_counted_and_the_parameters_add_up(model, counted):
    assert counted.uncounted == ()
    assert counted.params == model.count_params()
    assert list(counted.parts) == ["rgb_backbone", "flow_backbone", "spatial_rnn",
                                   "temporal_rnn", "attention", "spatial_classifier",
                                   "temporal_classifier", "fusion"]
    assert counted.parts["spatial_rnn"].layers == ("spatial_soft_attention",)
    assert counted.parts["attention"].layers == ("spatial_soft_attention",
                                                 "temporal_soft_attention")


def test_attention_share_by_hand(counted):
    part = counted.parts["attention"]
    assert part.params == 2 * (D * A + U * A + A + A)  # w_x, w_h, b, v; two streams
    one_step = (
        2 * U * A + A                 # q = h_{t-1} w_h + b
        + 2 * K * D * A               # X_t w_x
        + K * A                       # + q, broadcast over the K locations
        + K * A + K * (A - 1)         # v . tanh(...)
        + (K - 1) + K + (K - 1) + K   # softmax over K: max, subtract, sum, divide
        + 2 * K * D                   # x_t = sum_i l_i X_i
    )
    assert part.count.flops == 2 * T * one_step
    assert part.count.transcendentals == 2 * T * (K * A + K)  # tanh, exp


def test_recurrent_share_by_hand(counted):
    part = counted.parts["spatial_rnn"]
    lstm = 4 * (D * U + U * U + U)
    initial_state = 2 * (D * U + U)  # w_init_h, b_init_h, w_init_c, b_init_c
    assert part.params == lstm + initial_state
    clip_mean = T * K * D
    initial = 2 * (2 * D * U + U)  # h_0 and c_0
    per_step = 2 * D * 4 * U + 2 * U * 4 * U + 4 * U + 4 * U + 2 * U + U + U
    assert part.count.flops == clip_mean + initial + T * per_step
    assert part.count.transcendentals == 2 * U + T * 5 * U
    temporal = counted.parts["temporal_rnn"]
    assert (temporal.params, temporal.count) == (part.params, part.count)


def test_classifiers_step_means_and_fusion_by_hand(counted):
    assert counted.parts["spatial_classifier"].count.flops == T * (2 * U * C + C)
    softmax = (C - 1) + C + (C - 1) + C
    step_mean = T * C  # the T adds and a divide a class
    assert counted.parts["fusion"].count.flops == 2 * step_mean + 2 * softmax + 2 * C


def test_gru_split_and_parameters():
    """The layer alone in a small model (named as in the baseline), with a GRU: no c_0."""
    maps = keras.Input((T, 3, 3, D))
    layer = SoftAttentionLSTM(U, A, rnn="gru", name="temporal_soft_attention")
    model = keras.Model(maps, layer(maps))
    counted = count_model(model)
    assert counted.uncounted == ()
    assert counted.params == model.count_params()
    part = counted.parts["temporal_rnn"]
    assert part.params == 3 * (D * U + U * U) + 2 * 3 * U + D * U + U  # no c_0 weights
    per_step = 2 * D * 3 * U + 2 * U * 3 * U + 6 * U + 4 * U + 4 * U
    assert part.count.flops == T * K * D + 2 * D * U + U + T * per_step
    assert part.count.transcendentals == U + T * 3 * U
    assert counted.parts["attention"].params == D * A + U * A + 2 * A
