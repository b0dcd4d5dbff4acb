"""The cost of the recurrent branches: Keras' LSTM and GRU cells over T steps.

Per step, for input x_t [D] and state h [U] (Keras' `LSTMCell`, `GRUCell`):

  LSTM  z = x_t W + h R + b            W [D, 4U], R [U, 4U]: 2 D 4U + 2 U 4U FLOPs, 4U + 4U adds
        i, f, o = sigmoid(z_i, z_f, z_o); g = tanh(z_g)        3U + U transcendentals
        c = f c + i g; h = o tanh(c)   4U FLOPs, U transcendentals
        => 8 U (D + U) + 12 U FLOPs and 5 U transcendentals a step (8 U (D + U) + 8 U without
           a bias)
  GRU   (reset_after=True, Keras' default)
        x_t W + b_x, h R + b_h         W [D, 3U], R [U, 3U]: 6 U (D + U) FLOPs, 3U + 3U adds
        z = sigmoid(x_z + r_z), r = sigmoid(x_r + r_r), n = tanh(x_n + r * r_n)
                                       4U FLOPs, 3U transcendentals
        h = z h + (1 - z) n            4U FLOPs
        => 6 U (D + U) + 14 U FLOPs and 3 U transcendentals a step

Every step is counted in full, the first one too (its state is zero; XLA may fold products with
a zero constant away). `RecurrentWithStates` adds nothing: its concatenation and split of (h, s)
move data.
"""

import keras

from tan_keras.layers import RecurrentWithStates
from tan_keras.model_card.counts import Count
from tan_keras.model_card.layer_costs import activation_name

_TANH_SIGMOID = ("tanh", "sigmoid")


def lstm_count(steps: int, input_dim: int, units: int, use_bias: bool = True) -> Count:
    """One sequence of `steps` LSTM steps, [T, D] -> [T, U]."""
    step = 8 * units * (input_dim + units) + (12 if use_bias else 8) * units
    return Count(flops=steps * step, transcendentals=steps * 5 * units)


def gru_count(steps: int, input_dim: int, units: int, use_bias: bool = True,
              reset_after: bool = True) -> Count:
    """One sequence of `steps` GRU steps, [T, D] -> [T, U] (Keras' `GRUCell`).

    reset_after=False applies the reset gate before the candidate's recurrent matmul,
    (r * h) R_n: the same FLOPs but for the biases, of which it has only the input one (3U)."""
    matmuls = 6 * units * (input_dim + units)
    biases = (6 if reset_after else 3) * units if use_bias else 0
    step = matmuls + biases + 8 * units
    return Count(flops=steps * step, transcendentals=steps * 3 * units)


def _activations_are_default(cell) -> bool:
    names = (activation_name(cell.activation), activation_name(cell.recurrent_activation))
    return names == _TANH_SIGMOID


def cell_count(cell, batch: int, steps: int, input_dim: int) -> Count | None:
    """An `LSTMCell` or `GRUCell` run over [B, T, D] (None: another cell, or activations that
    are not tanh and sigmoid)."""
    if not _activations_are_default(cell):
        return None
    if isinstance(cell, keras.layers.LSTMCell):
        return batch * lstm_count(steps, input_dim, cell.units, cell.use_bias)
    if isinstance(cell, keras.layers.GRUCell):
        return batch * gru_count(steps, input_dim, cell.units, cell.use_bias, cell.reset_after)
    return None


def recurrent_with_states(layer, inputs, outputs) -> Count | None:
    batch, steps, input_dim = inputs[0]
    return cell_count(layer.cell, batch, steps, input_dim)


def keras_rnn(layer, inputs, outputs) -> Count | None:
    """keras.layers.LSTM and GRU (their cell is `.cell`)."""
    batch, steps, input_dim = inputs[0]
    return cell_count(layer.cell, batch, steps, input_dim)


RULES = (
    (RecurrentWithStates, recurrent_with_states),
    (keras.layers.LSTM, keras_rnn),
    (keras.layers.GRU, keras_rnn),
)
