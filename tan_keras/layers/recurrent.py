"""A recurrent layer that returns its outputs and its cell states at every step."""

import keras
from keras import ops

RNN_TYPES = ("lstm", "gru")


class _OutputAndStateCell(keras.layers.Layer):
    """Wraps an LSTMCell or GRUCell so that the per-step output is concat(h, s) [B, 2 U].

    s is the LSTM cell state c, or h itself for a GRU (which has no separate cell).
    Private: `RecurrentWithStates` rebuilds it from its own config, so it needs none.
    """

    def __init__(self, cell, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell
        self.state_size = cell.state_size
        self.output_size = 2 * cell.units

    def build(self, input_shape):
        self.cell.build(input_shape)

    def get_initial_state(self, batch_size=None):
        return self.cell.get_initial_state(batch_size=batch_size)

    def call(self, inputs, states, training=False):
        output, new_states = self.cell(inputs, states, training=training)
        if isinstance(self.cell, keras.layers.LSTMCell):
            cell_state = new_states[1]
        else:
            cell_state = output
        return ops.concatenate([output, cell_state], axis=-1), new_states


@keras.saving.register_keras_serializable(package="tan_keras")
class RecurrentWithStates(keras.layers.Layer):
    """Runs an LSTM or GRU over snippets and returns outputs and cell states of every step.

    TAN's attention needs h_i and s_i for every i; `keras.layers.LSTM` returns only the last
    cell state. Internally this is `keras.layers.RNN` over a cell whose per-step output is
    concat(h_i, s_i), split afterwards:

      x [B, T, D] -> RNN -> [B, T, 2 U] -> h = [..., :U], s = [..., U:]

    With rnn="lstm", s is the LSTM cell state (the reading of equations 1-2). With rnn="gru"
    (the paper's "we use GRU as our LSTM implementation") there is no separate cell, so s = h.
    The cells are Keras' own `LSTMCell` / `GRUCell` with their defaults, reachable as `.cell`.

    Args:
      units: U, the state size.
      rnn: "lstm" or "gru".
      unroll: unroll the loop over T (faster to run for small fixed T; larger graph).

    Call arguments:
      inputs: x [B, T, D] float.
      mask: optional [B, T] bool, passed to `keras.layers.RNN`.
      training: passed to the cell.

    Returns:
      `(h, s)`, each [B, T, U].
    """

    def __init__(self, units: int, rnn: str = "lstm", unroll: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"Expected `units` to be a positive integer. Received: units={units!r}")
        if rnn not in RNN_TYPES:
            raise ValueError(f"Expected `rnn` in {RNN_TYPES}. Received: rnn={rnn!r}")
        self.units = units
        self.rnn = rnn
        self.unroll = bool(unroll)
        cell_class = keras.layers.LSTMCell if rnn == "lstm" else keras.layers.GRUCell
        self.cell = cell_class(units, name=f"{rnn}_cell", dtype=self.dtype_policy)
        self.sequence = keras.layers.RNN(
            _OutputAndStateCell(self.cell, name="output_and_state_cell", dtype=self.dtype_policy),
            return_sequences=True, unroll=self.unroll, name="rnn", dtype=self.dtype_policy)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"Expected inputs [B, T, D]. Received: input_shape={tuple(input_shape)}")
        self.sequence.build(input_shape)

    def call(self, inputs, mask=None, training=None):
        both = self.sequence(inputs, mask=mask, training=training)
        return both[..., : self.units], both[..., self.units:]

    def compute_output_shape(self, input_shape):
        shape = (input_shape[0], input_shape[1], self.units)
        return shape, shape

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else [mask, mask]

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "rnn": self.rnn, "unroll": self.unroll})
        return config
