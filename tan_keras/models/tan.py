"""`build_tan`: the Temporal Attentive Network (ICME 2018, Fig. 2)."""

import keras

from tan_keras.models.network import TwoStreamNetwork, network_builder
from tan_keras.presets import PAPER

from tan_keras.layers import TemporalAttention
from tan_keras.models import streams

ATTENTION_LAYER = "temporal_attention"


@network_builder("tan")
def build_tan(num_classes: int, backbone: str = PAPER.backbone,
              num_snippets: int = PAPER.num_snippets, image_size: int = PAPER.image_size,
              rnn: str = PAPER.rnn, rnn_units: int = PAPER.rnn_units,
              attention_units: int = PAPER.attention_units, dropout: float = PAPER.dropout,
              backbone_weights=None, attention_layer: TemporalAttention | None = None,
              name: str = "tan") -> keras.Model:
    """Builds TAN as a functional `keras.Model`.

    Per stream: frames [B, T, S, S, 3] -> backbone on each frame ([B * T, S, S, 3] -> [B * T, D],
    layers 'rgb_backbone' / 'flow_backbone') -> [B, T, D] -> dropout -> LSTM/GRU
    ('spatial_rnn' / 'temporal_rnn') giving (h, s) and (g, t), each [B, T, U]. Then
    `TemporalAttention` ('temporal_attention') gives o_s, o_t [B, T, U]; the last step j = T
    goes through dropout and a Dense classifier ('spatial_classifier' / 'temporal_classifier').

    Args:
      num_classes: C.
      backbone: a name for `tan_keras.backbones.build_backbone` ('googlenet', 'tiny', ...).
      num_snippets: T, snippets per clip (the paper uses 5).
      image_size: S, the side of the square input frames.
      rnn: 'lstm' (s = cell state; the reading of equations 1-2) or 'gru' (s = h).
      rnn_units: U, the recurrent state size (the paper does not give it).
      attention_units: size of the global states m and n.
      dropout: rate before the recurrent layers and before the classifiers (0 disables).
      backbone_weights: passed to `build_backbone` for both streams (e.g. 'imagenet').
      attention_layer: the attention layer to use, e.g. an instance of a `TemporalAttention`
        subclass with its own scoring (`_calculate_scores`); None builds
        `TemporalAttention(attention_units, name='temporal_attention')`. A layer given here is
        used as it is (`attention_units` does not apply), and `attention_model` finds it by type.
      name: the model's name.

    Returns:
      A model with inputs {'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} (float, normalised
      by the input pipeline) and outputs {'spatial': logits [B, C], 'temporal': logits [B, C],
      'fused': probabilities [B, C] = (softmax(spatial) + softmax(temporal)) / 2}.
    """
    streams.validate_common_args(num_classes, num_snippets, image_size)
    inputs = streams.stream_inputs(num_snippets, image_size)
    cnns = streams.stream_backbones_for(backbone, image_size, backbone_weights)
    branch_states = {}
    for stream in streams.STREAMS:
        features = streams.snippet_features(inputs[stream], cnns[stream], num_snippets, stream)
        branch = streams.BRANCH_OF_STREAM[stream]
        branch_states[branch] = streams.recurrent_branch(features, branch, rnn, rnn_units, dropout)
    h, s = branch_states["spatial"]
    g, t = branch_states["temporal"]
    if attention_layer is None:
        attention_layer = TemporalAttention(attention_units, name=ATTENTION_LAYER)
    elif not isinstance(attention_layer, TemporalAttention):
        raise ValueError("Expected `attention_layer` to be a TemporalAttention (or a subclass). "
                         f"Received: attention_layer={attention_layer!r}")
    # alpha and beta are outputs of the one attention node, so that `attention_model` and
    # `with_attention_outputs` can return them from the same graph (and a saved model keeps them).
    o_s, o_t, _, _ = attention_layer([h, s, g, t], return_attention_scores=True)
    spatial = streams.classifier(streams.last_step(o_s, "spatial_last"), num_classes,
                                 "spatial", dropout)
    temporal = streams.classifier(streams.last_step(o_t, "temporal_last"), num_classes,
                                  "temporal", dropout)
    outputs = {"spatial": spatial, "temporal": temporal,
               "fused": streams.average_fusion(spatial, temporal)}
    return TwoStreamNetwork(inputs, outputs, name=name)
