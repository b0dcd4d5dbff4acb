"""The analytic counts against a small TAN counted by hand here, from the formulas written out
(not from the library's helpers), and the parameters against Keras' own count."""

import pytest

from tan_keras.model_card import count_model
from tan_keras.model_card.building import build_card_model
from user_attention import ScaledAttention

# A small TAN whose sizes are all different, so that a swapped dimension shows.
T, S, U, A, C = 2, 16, 4, 3, 5
D = 64  # the tiny backbone's features
SMALL = {"backbone": "tiny", "num_snippets": T, "image_size": S, "rnn": "lstm", "rnn_units": U,
         "attention_units": A, "dropout": 0.5}


@pytest.fixture(scope="module")
def tan():
    return build_card_model("tan", C, SMALL)


@pytest.fixture(scope="module")
def counted(tan):
    return count_model(tan)


def test_parameters_add_up_to_keras_count(tan, counted):
    assert counted.params == tan.count_params()
    assert list(counted.parts) == ["rgb_backbone", "flow_backbone", "spatial_rnn",
                                   "temporal_rnn", "attention", "spatial_classifier",
                                   "temporal_classifier", "fusion"]
    assert counted.uncounted == ()


def test_lstm_branch_by_hand(counted):
    part = counted.parts["spatial_rnn"]
    assert part.params == 4 * (D * U + U * U + U)
    per_step_matmuls = 2 * D * (4 * U) + 2 * U * (4 * U)
    per_step_adds = 4 * U + 4 * U            # x W + h R, then + b
    per_step_gates = 2 * U + U + U           # f c + i g (3), o tanh(c) (1)
    assert part.count.flops == T * (per_step_matmuls + per_step_adds + per_step_gates)
    assert part.count.transcendentals == T * (3 * U + U + U)  # 3 sigmoids, tanh(g), tanh(c)
    temporal = counted.parts["temporal_rnn"]
    assert (temporal.params, temporal.count) == (part.params, part.count)


def test_attention_by_hand(counted):
    part = counted.parts["attention"]
    assert part.params == 8 * U * A + 2 * A  # w1..w8 [U, A] (both branches are U wide), v, u
    one_direction = (
        4 * (2 * T * U * A)           # h w1, s w2, g w3, t w4: once per snippet
        + 2 * T * A                   # key = h w1 + s w2; query = g w3 + t w4
        + T * T * A                   # m_ij = key_i + query_j, broadcast
        + T * T * A                   # tanh(m) * v
        + T * T * (A - 1)             # the sum over the A units
        + T * ((T - 1) + T + (T - 1) + T)  # softmax over i, for each j: max, sub, sum, div
        + 2 * T * T * U               # o_j = sum_i alpha_ij h_i
    )
    assert part.count.flops == 2 * one_direction
    assert part.count.transcendentals == 2 * (T * T * A + T * T)  # tanh, exp


def test_classifiers_and_fusion_by_hand(counted):
    spatial = counted.parts["spatial_classifier"]
    assert spatial.params == U * C + C
    assert spatial.count.flops == 2 * U * C + C
    fusion = counted.parts["fusion"]
    softmax = (C - 1) + C + (C - 1) + C
    assert fusion.count.flops == 2 * softmax + 2 * C  # two softmaxes, then (a + b) / 2
    assert fusion.count.transcendentals == 2 * C


def test_backbone_by_hand_with_its_padding(counted):
    """The tiny CNN at 16 px: four 3x3 'same' convolutions (no bias), batch norm, ReLU, 2x2
    max pool; then global average pooling. Its T frames run as one batch."""
    flops, padding = 0, 0
    side, channels = S, 3
    for width in (16, 32, 64, 64):
        every_tap = 2 * 9 * channels * width * side * side
        read_taps = 3 * side - 2  # per axis: the first and last rows lose one tap each
        flops += every_tap + 2 * width * side * side + width * side * side  # conv, BN, ReLU
        padding += every_tap - 2 * channels * width * read_taps * read_taps
        side //= 2
        flops += width * side * side * 3  # max pool: 3 compares an output
        channels = width
    flops += channels * side * side  # global average pool: the adds and a divide a channel
    part = counted.parts["rgb_backbone"]
    assert part.count.flops == T * flops
    assert part.count.padding_flops == T * padding
    assert part.params == sum(9 * c_in * c_out + 4 * c_out for c_in, c_out in
                              ((3, 16), (16, 32), (32, 64), (64, 64)))


def test_gru_and_two_stream_parameters_match_keras():
    gru = build_card_model("tan", C, {**SMALL, "rnn": "gru"})
    counted = count_model(gru)
    assert counted.params == gru.count_params()
    part = counted.parts["spatial_rnn"]
    assert part.params == 3 * (D * U + U * U) + 2 * 3 * U  # reset_after: input and recurrent bias
    per_step = 2 * D * 3 * U + 2 * U * 3 * U + 6 * U + 4 * U + 4 * U
    assert part.count.flops == T * per_step
    assert part.count.transcendentals == T * 3 * U
    two_stream = build_card_model("two_stream", C, SMALL)
    counted = count_model(two_stream)
    assert counted.params == two_stream.count_params()
    assert "attention" not in counted.parts


def test_a_subclass_with_its_own_scores_is_listed_not_guessed():
    model = build_card_model("tan", C, SMALL, attention_layer=ScaledAttention)
    counted = count_model(model)
    assert counted.uncounted == ("temporal_attention (ScaledAttention)",)
    assert counted.parts["attention"].count.flops == 0
    assert counted.params == model.count_params()
