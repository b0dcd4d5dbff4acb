"""`build_spatial_attention`: attention over feature-map locations (Table 4's "Spatial attention")."""

import keras

from tan_keras.models.network import TwoStreamNetwork, network_builder
from tan_keras.presets import PAPER

from tan_keras.backbones import build_backbone
from tan_keras.layers import FoldSnippets, SpatialAttentionPooling, UnfoldSnippets
from tan_keras.models import streams

SPATIAL_ATTENTION_LAYER = "{branch}_spatial_attention"


def feature_map_backbone(backbone: str, image_size: int, weights, name: str) -> keras.Model:
    """The backbone cut at its last 4-D output: [B, S, S, 3] -> feature map [B, h, w, C].

    The model keeps the backbone's layers (same names, same weights), so weights saved from the
    full backbone load into it by name; only the final global pooling is left out.
    """
    full = build_backbone(backbone, image_size, weights, name=f"{name}_full")
    for layer in reversed(full.layers):
        if len(layer.output.shape) == 4:
            return keras.Model(full.inputs, layer.output, name=name)
    raise ValueError(f"Expected backbone {backbone!r} to have a 4-D feature map layer. "
                     f"Received: layers={[layer.name for layer in full.layers]}")


@network_builder("spatial_attention")
def build_spatial_attention(num_classes: int, backbone: str = PAPER.backbone,
                            num_snippets: int = PAPER.num_snippets,
                            image_size: int = PAPER.image_size, rnn: str = PAPER.rnn,
                            rnn_units: int = PAPER.rnn_units,
                            attention_units: int = PAPER.attention_units,
                            dropout: float = PAPER.dropout, backbone_weights=None,
                            name: str = "spatial_attention") -> keras.Model:
    """Spatial attention, SA (Table 4; "attention weights on the spatial domain").

    Our reading: the two-stream CNN + LSTM model in which each frame's global average pooling
    is replaced by attention pooling over the backbone's last feature map ([h, w, C] locations;
    `SpatialAttentionPooling`). As in TAN, the weights of each stream are computed from both
    streams: the RGB map's weights from (RGB map, flow map) at each location, the flow map's
    from (flow map, RGB map), so the attention is the only path between the streams, but over
    locations within a snippet rather than over snippets. Then LSTM/GRU, last step, per-branch
    classifiers, and the mean of the two softmaxes as 'fused'. Layers 'rgb_backbone' and
    'flow_backbone' are the backbones up to their last feature map.

    Args:
      attention_units: hidden size of the spatial attention.
      Others as `build_tan`.

    Returns:
      A model with `build_tan`'s inputs and outputs.
    """
    streams.validate_common_args(num_classes, num_snippets, image_size)
    inputs = streams.stream_inputs(num_snippets, image_size)
    maps = {}
    for stream in streams.STREAMS:
        cnn = feature_map_backbone(backbone, image_size, backbone_weights, f"{stream}_backbone")
        maps[stream] = cnn(FoldSnippets(name=f"{stream}_fold")(inputs[stream]))  # [B*T, h, w, C]
    logits = {}
    for stream, other in (("rgb", "flow"), ("flow", "rgb")):
        branch = streams.BRANCH_OF_STREAM[stream]
        pooled = SpatialAttentionPooling(
            attention_units, name=SPATIAL_ATTENTION_LAYER.format(branch=branch))(
                [maps[stream], maps[other]])
        features = UnfoldSnippets(num_snippets, name=f"{stream}_unfold")(pooled)
        outputs, _ = streams.recurrent_branch(features, branch, rnn, rnn_units, dropout)
        logits[branch] = streams.classifier(streams.last_step(outputs, f"{branch}_last"),
                                            num_classes, branch, dropout)
    outputs = dict(logits, fused=streams.average_fusion(logits["spatial"], logits["temporal"]))
    return TwoStreamNetwork(inputs, outputs, name=name)
