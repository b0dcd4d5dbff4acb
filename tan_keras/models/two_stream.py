"""`build_two_stream`: two independent CNN + LSTM streams, average late fusion (Table 3)."""

import keras

from tan_keras.models.network import TwoStreamNetwork, network_builder
from tan_keras.presets import PAPER

from tan_keras.models import streams


@network_builder("two_stream")
def build_two_stream(num_classes: int, backbone: str = PAPER.backbone,
                     num_snippets: int = PAPER.num_snippets, image_size: int = PAPER.image_size,
                     rnn: str = PAPER.rnn, rnn_units: int = PAPER.rnn_units,
                     dropout: float = PAPER.dropout, backbone_weights=None,
                     name: str = "two_stream") -> keras.Model:
    """The paper's baseline "two-stream CNNs + LSTMs" with average late fusion (Table 3, Fig. 3).

    Our reading: TAN without the attention layer. Each stream is CNN -> LSTM/GRU, and its
    classifier reads the recurrent output at the last step (h_T, g_T). Nothing is shared
    between the streams, so the spatial scores do not depend on the flow input. The fused
    output is the mean of the two softmaxes; training sums the two branch losses, which is the
    same as training the streams separately. Layer names match `build_tan`'s, so CNN and
    recurrent weights move between the two models by name.

    Args and returns: as `build_tan` (no `attention_units`).
    """
    streams.validate_common_args(num_classes, num_snippets, image_size)
    inputs = streams.stream_inputs(num_snippets, image_size)
    cnns = streams.stream_backbones_for(backbone, image_size, backbone_weights)
    logits = {}
    for stream in streams.STREAMS:
        branch = streams.BRANCH_OF_STREAM[stream]
        features = streams.snippet_features(inputs[stream], cnns[stream], num_snippets, stream)
        outputs, _ = streams.recurrent_branch(features, branch, rnn, rnn_units, dropout)
        logits[branch] = streams.classifier(streams.last_step(outputs, f"{branch}_last"),
                                            num_classes, branch, dropout)
    outputs = dict(logits, fused=streams.average_fusion(logits["spatial"], logits["temporal"]))
    return TwoStreamNetwork(inputs, outputs, name=name)
