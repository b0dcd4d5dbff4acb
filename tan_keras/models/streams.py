"""Building blocks shared by TAN and the baselines: inputs, per-frame CNNs, heads, fusion.

Layer names are shared across all models, so weights move between them by name:
  inputs 'rgb', 'flow'; backbones 'rgb_backbone', 'flow_backbone'; recurrent layers
  'spatial_rnn', 'temporal_rnn'; classifiers 'spatial_classifier', 'temporal_classifier'.
"""

import keras

from tan_keras.backbones import build_backbone
from tan_keras.layers import FoldSnippets, LastSnippet, RecurrentWithStates, UnfoldSnippets

STREAMS = ("rgb", "flow")
BRANCH_OF_STREAM = {"rgb": "spatial", "flow": "temporal"}
AVERAGE_FUSION_LAYER = "average_fusion"


def validate_common_args(num_classes: int, num_snippets: int, image_size: int) -> None:
    for name, value in (("num_classes", num_classes), ("num_snippets", num_snippets),
                        ("image_size", image_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"Expected `{name}` to be a positive integer. Received: {name}={value!r}")


def stream_inputs(num_snippets: int, image_size: int) -> dict:
    """{'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} float inputs (already normalised)."""
    shape = (num_snippets, image_size, image_size, 3)
    return {stream: keras.Input(shape, name=stream) for stream in STREAMS}


def stream_backbones_for(backbone: str, image_size: int, weights) -> dict:
    """One backbone per stream, named 'rgb_backbone' and 'flow_backbone'."""
    return {stream: build_backbone(backbone, image_size, weights, name=f"{stream}_backbone")
            for stream in STREAMS}


def snippet_features(frames, cnn: keras.Model, num_snippets: int, stream: str):
    """frames [B, T, S, S, 3] -> per-snippet CNN outputs [B, T, ...] (one CNN call on B*T)."""
    folded = FoldSnippets(name=f"{stream}_fold")(frames)
    return UnfoldSnippets(num_snippets, name=f"{stream}_unfold")(cnn(folded))


def recurrent_branch(features, branch: str, rnn: str, rnn_units: int, dropout: float):
    """features [B, T, D] -> dropout -> LSTM/GRU -> (outputs, cell states), each [B, T, U]."""
    if dropout:
        features = keras.layers.Dropout(dropout, name=f"{branch}_feature_dropout")(features)
    return RecurrentWithStates(rnn_units, rnn=rnn, unroll=True, name=f"{branch}_rnn")(features)


def last_step(sequence, name: str):
    """[B, T, D] -> [B, D], the step j = T."""
    return LastSnippet(name=name)(sequence)


def classifier(features, num_classes: int, branch: str, dropout: float):
    """features [B, D] -> dropout -> Dense -> logits [B, C] (float32, named '<branch>_classifier')."""
    if dropout:
        features = keras.layers.Dropout(dropout, name=f"{branch}_dropout")(features)
    return keras.layers.Dense(num_classes, name=f"{branch}_classifier", dtype="float32")(features)


def average_fusion(spatial_logits, temporal_logits):
    """The paper's late fusion: the mean of the two branches' softmaxes, [B, C]."""
    spatial = keras.layers.Softmax(name="spatial_softmax", dtype="float32")(spatial_logits)
    temporal = keras.layers.Softmax(name="temporal_softmax", dtype="float32")(temporal_logits)
    return keras.layers.Average(name=AVERAGE_FUSION_LAYER, dtype="float32")([spatial, temporal])
