"""`build_soft_attention`: Sharma et al.'s soft attention per stream (Table 4's soft attention)."""

import keras

from tan_keras.models.network import TwoStreamNetwork, network_builder
from tan_keras.presets import PAPER

from tan_keras.layers import FoldSnippets, SoftAttentionLSTM, UnfoldSnippets
from tan_keras.models import streams
from tan_keras.models.spatial_attention import feature_map_backbone

SOFT_ATTENTION_LAYER = "{branch}_soft_attention"
STEP_MEAN_LAYER = "{branch}_step_mean"


@network_builder("soft_attention")
def build_soft_attention(num_classes: int, backbone: str = PAPER.backbone,
                         num_snippets: int = PAPER.num_snippets,
                         image_size: int = PAPER.image_size, rnn: str = PAPER.rnn,
                         rnn_units: int = PAPER.rnn_units,
                         attention_units: int = PAPER.attention_units,
                         dropout: float = PAPER.dropout, backbone_weights=None,
                         name: str = "soft_attention") -> keras.Model:
    """Soft attention [17] (Sharma, Kiros and Salakhutdinov), on each stream, late-fused.

    Our reading (docs/model.md): per stream, the backbone up to its last feature map ([h, w, C]
    per snippet; GoogLeNet's 7 x 7 x 1024 at 224 px, the map Sharma et al. attend over), then
    `SoftAttentionLSTM`: at each step t an LSTM takes the snippet's map pooled with a softmax
    over its h w locations, scored from h_{t-1}; (h_0, c_0) come from the clip's mean feature.
    The classifier reads every step's h_t and the branch's logits are their mean over the T
    steps (Sharma et al. predict at every step and sum the last steps' probabilities). The two
    streams share nothing: spatial scores do not depend on flow, and the spatial branch alone is
    Sharma et al.'s RGB model. 'fused' is the mean of the two softmaxes, as in every model with
    average late fusion.

    Layers: 'rgb_backbone' / 'flow_backbone' (up to the feature map; the full backbone's weights
    load into them by name), dropout on the maps, 'spatial_soft_attention' /
    'temporal_soft_attention' (its node also outputs the attention weights l [B, T, h, w]),
    dropout, 'spatial_classifier' / 'temporal_classifier' on every step ([B, T, C]), and
    'spatial_step_mean' / 'temporal_step_mean' ([B, C]).

    Args:
      rnn: 'lstm' (Sharma et al.) or 'gru'.
      rnn_units: U, the LSTM's state size.
      attention_units: the size of the attention score's hidden layer.
      dropout: rate on the feature maps before the attention LSTM and before the classifiers.
      Others as `build_tan`.

    Returns:
      A model with `build_tan`'s inputs and outputs.
    """
    streams.validate_common_args(num_classes, num_snippets, image_size)
    inputs = streams.stream_inputs(num_snippets, image_size)
    logits = {}
    for stream in streams.STREAMS:
        branch = streams.BRANCH_OF_STREAM[stream]
        cnn = feature_map_backbone(backbone, image_size, backbone_weights, f"{stream}_backbone")
        folded = cnn(FoldSnippets(name=f"{stream}_fold")(inputs[stream]))  # [B*T, h, w, C]
        maps = UnfoldSnippets(num_snippets, name=f"{stream}_unfold")(folded)  # [B, T, h, w, C]
        if dropout:
            maps = keras.layers.Dropout(dropout, name=f"{branch}_feature_dropout")(maps)
        attention = SoftAttentionLSTM(rnn_units, attention_units, rnn=rnn,
                                      name=SOFT_ATTENTION_LAYER.format(branch=branch))
        # The weights l are an output of the one node, for a model that wants to show them.
        hidden, _ = attention(maps, return_attention_scores=True)  # h [B, T, U]
        step_logits = streams.classifier(hidden, num_classes, branch, dropout)  # [B, T, C]
        logits[branch] = keras.layers.GlobalAveragePooling1D(
            name=STEP_MEAN_LAYER.format(branch=branch), dtype="float32")(step_logits)
    outputs = dict(logits, fused=streams.average_fusion(logits["spatial"], logits["temporal"]))
    return TwoStreamNetwork(inputs, outputs, name=name)
