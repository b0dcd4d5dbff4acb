"""The TAN temporal attention layer: equations 1-5 of the paper, in both directions."""

import keras
from keras import ops

# Added to the scores of padded snippets before the softmax (computed in float32).
_MASKED_SCORE = -1e9


@keras.saving.register_keras_serializable(package="tan_keras")
class TemporalAttention(keras.layers.Layer):
    """Cross-branch temporal attention of TAN (ICME 2018, equations 1-5).

    Symbols follow the paper: spatial-branch recurrent outputs h_i and cell states s_i, temporal
    branch outputs g_j and cell states t_j, i, j = 1..T. The computation:

    1. Spatial direction (weights over the spatial snippets i, one set per temporal step j):
       m_ij = h_i w1 + s_i w2 + g_j w3 + t_j w4             # [B, T_i, T_j, units]
       e_ij = v . tanh(m_ij)                               # [B, T_i, T_j]
       alpha_ij = exp(e_ij) / sum_d exp(e_dj)              # softmax over i
       o_s[:, j] = sum_i alpha_ij h_i                      # [B, T, Ds]
    2. Temporal direction (weights over the temporal snippets k, one set per spatial step l):
       n_kl = g_k w5 + t_k w6 + h_l w7 + s_l w8            # [B, T_k, T_l, units]
       f_kl = u . tanh(n_kl);  beta_kl = softmax over k of f_kl
       o_t[:, l] = sum_k beta_kl g_k                       # [B, T, Dt]

    alpha and beta are the only path between the branches (the paper's "sharing gates").
    The softmax runs in float32, also under a `mixed_bfloat16` policy.

    Subclassing: both directions call `_calculate_scores(...)`, which returns the raw scores
    [B, T_key, T_query]. A subclass replaces the additive scoring (for example with dot-product
    scores) by overriding `build` and `_calculate_scores`; masking, the softmax and the weighted
    sums stay in `call`.

    Args:
      units: size of the global states m and n (the rows of w1..w8, the length of v and u).
      use_bias: add a bias [units] to m and to n (the paper has none; default False).
      kernel_initializer: initializer of w1..w8, v and u.
      bias_initializer: initializer of the biases when `use_bias=True`.

    Call arguments:
      inputs: list `[h, s, g, t]`: h and s [B, T, Ds], g and t [B, T, Dt].
      return_attention_scores: also return alpha and beta.
      mask: optional snippet mask [B, T] (bool; True = real snippet), or a list of such masks,
        one per input (they are combined with a logical and). Padded snippets get zero weight.

    Returns:
      `(o_s, o_t)`: o_s [B, T, Ds], o_t [B, T, Dt], in the layer's compute dtype; with
      `return_attention_scores=True`, `(o_s, o_t, alpha, beta)`, alpha and beta [B, T, T]
      float32 with alpha[b, i, j] = alpha_ij (sums to 1 over i) and beta[b, k, l] = beta_kl.
    """

    def __init__(self, units: int, use_bias: bool = False,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"Expected `units` to be a positive integer. Received: units={units!r}")
        self.units = units
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.supports_masking = True

    # --- shapes -----------------------------------------------------------------------------

    @staticmethod
    def _validate_input_shapes(input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 4 or not all(
                isinstance(shape, (list, tuple)) for shape in input_shape):
            raise ValueError(
                "Expected `inputs` to be a list of 4 tensors [h, s, g, t]. "
                f"Received: inputs shapes={input_shape!r}")
        h_shape, s_shape, g_shape, t_shape = (tuple(shape) for shape in input_shape)
        for name, shape in zip("hsgt", (h_shape, s_shape, g_shape, t_shape)):
            if len(shape) != 3:
                raise ValueError(f"Expected {name} to be rank 3 [B, T, D]. Received: {name}.shape={shape}")
        if h_shape[-1] != s_shape[-1]:
            raise ValueError(f"Expected h and s to have the same last dimension Ds. "
                             f"Received: h.shape={h_shape}, s.shape={s_shape}")
        if g_shape[-1] != t_shape[-1]:
            raise ValueError(f"Expected g and t to have the same last dimension Dt. "
                             f"Received: g.shape={g_shape}, t.shape={t_shape}")
        steps = {shape[1] for shape in (h_shape, s_shape, g_shape, t_shape)} - {None}
        if len(steps) > 1:
            raise ValueError("Expected h, s, g and t to have the same number of snippets T. "
                             f"Received: shapes={[h_shape, s_shape, g_shape, t_shape]}")
        return h_shape, g_shape

    def build(self, input_shape):
        h_shape, g_shape = self._validate_input_shapes(input_shape)
        spatial_dim, temporal_dim = h_shape[-1], g_shape[-1]
        for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"):
            dim = spatial_dim if name in ("w1", "w2", "w7", "w8") else temporal_dim
            setattr(self, name, self.add_weight(
                shape=(dim, self.units), name=name, initializer=self.kernel_initializer))
        self.v = self.add_weight(shape=(self.units,), name="v", initializer=self.kernel_initializer)
        self.u = self.add_weight(shape=(self.units,), name="u", initializer=self.kernel_initializer)
        if self.use_bias:
            self.m_bias = self.add_weight(shape=(self.units,), name="m_bias",
                                          initializer=self.bias_initializer)
            self.n_bias = self.add_weight(shape=(self.units,), name="n_bias",
                                          initializer=self.bias_initializer)

    # --- the hook ---------------------------------------------------------------------------

    def _calculate_scores(self, key_output, key_state, query_output, query_state, direction):
        """Raw attention scores of one direction (additive, equations 1-3).

        Args:
          key_output, key_state: [B, T, Dk], the branch being weighted (h, s for the spatial
            direction; g, t for the temporal one). Its snippet index is the softmax axis.
          query_output, query_state: [B, T, Dq], the other branch (g, t; or h, s).
          direction: "spatial" (scores e, weights alpha) or "temporal" (scores f, weights beta).

        Returns:
          scores [B, T_key, T_query]: scores[b, i, j] = e_ij (or f_kl), before the softmax.
        """
        if direction == "spatial":
            key_w, key_state_w, query_w, query_state_w = self.w1, self.w2, self.w3, self.w4
            vector, bias = self.v, (self.m_bias if self.use_bias else None)
        else:
            key_w, key_state_w, query_w, query_state_w = self.w5, self.w6, self.w7, self.w8
            vector, bias = self.u, (self.n_bias if self.use_bias else None)
        key = ops.matmul(key_output, key_w) + ops.matmul(key_state, key_state_w)  # [B, T, U]
        query = ops.matmul(query_output, query_w) + ops.matmul(query_state, query_state_w)
        global_state = ops.expand_dims(key, 2) + ops.expand_dims(query, 1)  # [B, Tk, Tq, U]
        if bias is not None:
            global_state = global_state + bias
        return ops.sum(ops.tanh(global_state) * vector, axis=-1)

    # --- call -------------------------------------------------------------------------------

    @staticmethod
    def _combine_masks(mask):
        if isinstance(mask, (list, tuple)):
            masks = [m for m in mask if m is not None]
            if not masks:
                return None
            combined = ops.cast(masks[0], "bool")
            for other in masks[1:]:
                combined = ops.logical_and(combined, ops.cast(other, "bool"))
            return combined
        return None if mask is None else ops.cast(mask, "bool")

    @staticmethod
    def _softmax_over_keys(scores, snippet_mask):
        """scores [B, Tk, Tq] -> float32 weights, softmax over axis 1, padded keys get 0."""
        scores = ops.cast(scores, "float32")
        if snippet_mask is not None:
            scores = ops.where(ops.expand_dims(snippet_mask, 2), scores, _MASKED_SCORE)
        return ops.softmax(scores, axis=1)

    def call(self, inputs, return_attention_scores=False, mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 4:
            raise ValueError("Expected `inputs` to be a list of 4 tensors [h, s, g, t]. "
                             f"Received: inputs={inputs!r}")
        h, s, g, t = inputs
        snippet_mask = self._combine_masks(mask)
        if snippet_mask is not None and len(snippet_mask.shape) != 2:
            raise ValueError(f"Expected the snippet mask to be [B, T]. Received: mask.shape={snippet_mask.shape}")
        e = self._calculate_scores(h, s, g, t, direction="spatial")
        f = self._calculate_scores(g, t, h, s, direction="temporal")
        alpha = self._softmax_over_keys(e, snippet_mask)  # [B, T_i, T_j]
        beta = self._softmax_over_keys(f, snippet_mask)  # [B, T_k, T_l]
        o_s = ops.einsum("bij,bid->bjd", ops.cast(alpha, h.dtype), h)
        o_t = ops.einsum("bkl,bkd->bld", ops.cast(beta, g.dtype), g)
        if return_attention_scores:
            return o_s, o_t, alpha, beta
        return o_s, o_t

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        })
        return config
