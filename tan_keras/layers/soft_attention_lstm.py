"""An LSTM whose input at each step is a feature map pooled with soft attention (Sharma et al.)."""

import keras
from keras import ops

from tan_keras.layers.recurrent import RNN_TYPES


@keras.saving.register_keras_serializable(package="tan_keras")
class SoftAttentionLSTM(keras.layers.Layer):
    """Soft attention over feature-map locations, driven by the previous hidden state.

    The recurrent attention model of Sharma, Kiros and Salakhutdinov, "Action Recognition using
    Visual Attention" (2015; TAN's reference [17], Table 4's "Soft attention"). A clip is T
    feature maps X_t of K = H * W locations X_{t,i} [D]. The computation:

    0. Initial state from the mean feature of the whole clip (as Sharma et al.):
       mean = (1 / (T K)) sum_t sum_i X_{t,i}                      # [B, D]
       h_0 = tanh(mean w_init_h + b_init_h)                        # [B, U]
       c_0 = tanh(mean w_init_c + b_init_c)                        # [B, U] (LSTM only)
    Then for t = 1..T:
    1. e_{t,i} = v . tanh(X_{t,i} w_x + h_{t-1} w_h + b)          # [B, K]  (`_calculate_scores`)
    2. l_t = softmax over i of e_t                                 # float32, sums to 1 over K
    3. x_t = sum_i l_{t,i} X_{t,i}                                 # [B, D]
    4. h_t, c_t = LSTMCell(x_t, (h_{t-1}, c_{t-1}))                # Keras' cell, gates i f c o
    (b is the released code's `b_att`; its scalar bias on e, which the softmax cancels, is left
    out.)

    Step 1 is the additive score of the authors' released code (its `lstm_cond_layer`), which
    sees both the location's feature and h_{t-1}; the paper prints the location softmax
    l_{t,i} = exp(W_i h_{t-1}) / sum_j exp(W_j h_{t-1}), which sees h_{t-1} only. A subclass
    gets that form (or any other) by overriding `_build_scores` (its weights) and
    `_calculate_scores`; the initial state, the softmax, the pooling and the recurrence stay.
    The loop over T is unrolled in Python (T is fixed and small), with `keras.ops` only, so it
    runs on every backend. A mixed-precision policy computes the softmax in float32.

    With rnn='gru' the cell is Keras' `GRUCell` and there is no c_0 (no `w_init_c`, `b_init_c`).

    Args:
      units: U, the recurrent state size.
      attention_units: A, the size of the additive score's hidden layer (w_x, w_h, b, v).
      rnn: 'lstm' (Sharma et al.) or 'gru'.

    Call arguments:
      inputs: X [B, T, H, W, D], T feature maps of one clip (T, H, W and D known).
      return_attention_scores: also return l [B, T, H, W].
      training: passed to the cell.

    Returns:
      h [B, T, U] (h_1..h_T), or `(h, l)` with l [B, T, H, W] float32, l[b, t] summing to 1.

    Example:

    >>> import numpy as np
    >>> layer = SoftAttentionLSTM(8, attention_units=4)
    >>> h, l = layer(np.ones((2, 3, 2, 2, 5), "float32"), return_attention_scores=True)
    >>> tuple(h.shape), tuple(l.shape)
    ((2, 3, 8), (2, 3, 2, 2))
    """

    def __init__(self, units: int, attention_units: int, rnn: str = "lstm", **kwargs):
        super().__init__(**kwargs)
        for name, value in (("units", units), ("attention_units", attention_units)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Expected `{name}` to be a positive integer. "
                                 f"Received: {name}={value!r}")
        if rnn not in RNN_TYPES:
            raise ValueError(f"Expected `rnn` in {RNN_TYPES}. Received: rnn={rnn!r}")
        self.units = units
        self.attention_units = attention_units
        self.rnn = rnn
        cell_class = keras.layers.LSTMCell if rnn == "lstm" else keras.layers.GRUCell
        self.cell = cell_class(units, name=f"{rnn}_cell", dtype=self.dtype_policy)

    # --- shapes and weights -------------------------------------------------------------------

    def build(self, input_shape):
        if len(input_shape) != 5 or any(dim is None for dim in input_shape[1:]):
            raise ValueError("Expected inputs [B, T, H, W, D] with T, H, W and D known. "
                             f"Received: input_shape={tuple(input_shape)}")
        channels = input_shape[-1]
        self.cell.build((None, channels))
        self._build_scores(input_shape)
        self.w_init_h = self.add_weight(shape=(channels, self.units), name="w_init_h",
                                        initializer="glorot_uniform")
        self.b_init_h = self.add_weight(shape=(self.units,), name="b_init_h",
                                        initializer="zeros")
        if self.rnn == "lstm":
            self.w_init_c = self.add_weight(shape=(channels, self.units), name="w_init_c",
                                            initializer="glorot_uniform")
            self.b_init_c = self.add_weight(shape=(self.units,), name="b_init_c",
                                            initializer="zeros")

    def _build_scores(self, input_shape):
        """The weights of `_calculate_scores` for inputs [B, T, H, W, D]: w_x [D, A], w_h [U, A],
        b [A], v [A]."""
        channels = input_shape[-1]
        self.w_x = self.add_weight(shape=(channels, self.attention_units), name="w_x",
                                   initializer="glorot_uniform")
        self.w_h = self.add_weight(shape=(self.units, self.attention_units), name="w_h",
                                   initializer="glorot_uniform")
        self.b = self.add_weight(shape=(self.attention_units,), name="b", initializer="zeros")
        self.v = self.add_weight(shape=(self.attention_units,), name="v",
                                 initializer="glorot_uniform")

    # --- the hook -----------------------------------------------------------------------------

    def _calculate_scores(self, maps, hidden):
        """Raw scores of one step (step 1), before the softmax over locations.

        Args:
          maps: X_t [B, K, D], the step's feature map, locations flattened.
          hidden: h_{t-1} [B, U].

        Returns:
          e_t [B, K].
        """
        query = ops.matmul(hidden, self.w_h) + self.b  # [B, A]
        hidden_layer = ops.tanh(ops.matmul(maps, self.w_x) + ops.expand_dims(query, 1))
        return ops.sum(hidden_layer * self.v, axis=-1)

    # --- call ---------------------------------------------------------------------------------

    def _initial_states(self, mean):
        """Step 0: [h_0] (GRU) or [h_0, c_0] (LSTM), each [B, U]."""
        states = [ops.tanh(ops.matmul(mean, self.w_init_h) + self.b_init_h)]
        if self.rnn == "lstm":
            states.append(ops.tanh(ops.matmul(mean, self.w_init_c) + self.b_init_c))
        return states

    def call(self, inputs, return_attention_scores=False, training=None):
        steps, height, width, channels = inputs.shape[1:]
        maps = ops.reshape(inputs, (-1, steps, height * width, channels))  # [B, T, K, D]
        states = self._initial_states(ops.mean(maps, axis=(1, 2)))
        outputs, weights = [], []
        for step in range(steps):
            step_maps = maps[:, step]  # [B, K, D]
            scores = self._calculate_scores(step_maps, states[0])
            attention = ops.softmax(ops.cast(scores, "float32"), axis=-1)  # [B, K]
            pooled = ops.einsum("bk,bkd->bd", ops.cast(attention, step_maps.dtype), step_maps)
            output, states = self.cell(pooled, states, training=training)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            outputs.append(output)
            weights.append(attention)
        hidden = ops.stack(outputs, axis=1)  # [B, T, U]
        if return_attention_scores:
            return hidden, ops.reshape(ops.stack(weights, axis=1), (-1, steps, height, width))
        return hidden

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "attention_units": self.attention_units,
                       "rnn": self.rnn})
        return config
