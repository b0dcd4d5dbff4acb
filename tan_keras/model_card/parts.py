"""A model's parameters and cost, part by part.

The parts follow the layer names every model of `tan_keras.models` shares:

  rgb_backbone, flow_backbone    the per-frame CNNs (run on the T snippets of a clip)
  spatial_rnn, temporal_rnn      the recurrent branches
  attention                      TAN's `TemporalAttention` (or the spatial-attention baseline's
                                 two `SpatialAttentionPooling` layers, or the attention share of
                                 the soft-attention baseline's two `SoftAttentionLSTM` layers)
  spatial_classifier, temporal_classifier
  fusion                         the rest: the softmaxes and their average (or the baselines'
                                 fused classifier and gate, or the soft-attention baseline's
                                 mean of the step logits); the layers that only move data
                                 (snippet folding, dropout, the last step) sit here at 0 FLOPs

A `SoftAttentionLSTM` is two parts (`soft_attention_costs`): its attention share (scores,
softmax, weighted sum; the score weights) in 'attention', its recurrent share (clip mean,
initial state, the cell's steps; their weights) in its branch's recurrent part, 'spatial_rnn'
for 'spatial_soft_attention' (the branch is its name's first word; without one, 'attention').
"""

import dataclasses

import keras

from tan_keras.layers import SoftAttentionLSTM, SpatialAttentionPooling, TemporalAttention
from tan_keras.model_card import soft_attention_costs
from tan_keras.model_card.counts import ZERO, Count, total
from tan_keras.model_card.graph import layer_calls
from tan_keras.model_card.rules import call_count

PARTS = ("rgb_backbone", "flow_backbone", "spatial_rnn", "temporal_rnn", "attention",
         "spatial_classifier", "temporal_classifier", "fusion")
ATTENTION_LAYERS = (TemporalAttention, SpatialAttentionPooling, SoftAttentionLSTM)
BRANCHES = ("spatial", "temporal")


@dataclasses.dataclass(frozen=True)
class PartCount:
    """One part: its parameters, its cost on the batch counted, its top-level layers."""
    params: int
    count: Count
    layers: tuple


@dataclasses.dataclass(frozen=True)
class ModelCount:
    """What `count_model` returns.

    Attributes:
      parts: {part name: PartCount}, in `PARTS` order, the parts the model has.
      uncounted: 'path/to/layer (Class)' of each layer call no rule could count (its FLOPs are
        missing from its part; its parameters are not).
    """
    parts: dict
    uncounted: tuple

    @property
    def params(self) -> int:
        return sum(part.params for part in self.parts.values())

    @property
    def count(self) -> Count:
        return total(part.count for part in self.parts.values())


def part_of(layer: keras.layers.Layer) -> str:
    """The part a top-level layer of a model belongs to (for a layer of two parts, its
    attention share's: see `share_parts`)."""
    if isinstance(layer, ATTENTION_LAYERS):
        return "attention"
    return layer.name if layer.name in PARTS else "fusion"


def share_parts(layer: keras.layers.Layer) -> dict:
    """{share: part} of a layer that spans two parts (a `SoftAttentionLSTM`): {'attention':
    'attention', 'recurrent': '<branch>_rnn'}; {} for any other layer."""
    if not isinstance(layer, SoftAttentionLSTM):
        return {}
    branch = layer.name.split("_")[0]
    recurrent = f"{branch}_rnn" if branch in BRANCHES else "attention"
    return {soft_attention_costs.ATTENTION: "attention", soft_attention_costs.RECURRENT: recurrent}


def layer_params(layer: keras.layers.Layer) -> dict:
    """{part: parameters} of a top-level layer: one part, or the two of a layer that spans
    two."""
    shares = share_parts(layer)
    if not shares:
        return {part_of(layer): layer.count_params()}
    params = {}
    for share, count in soft_attention_costs.soft_attention_params(layer).items():
        params[shares[share]] = params.get(shares[share], 0) + count
    return params


def in_parts(layer: keras.layers.Layer, found: Count | dict) -> dict:
    """{part: Count} of a rule's count of one call of `layer` (a `Count`, or a dict of
    shares)."""
    if isinstance(found, Count):
        return {part_of(layer): found}
    parts, shares = {}, share_parts(layer)
    for share, count in found.items():
        part = shares.get(share, part_of(layer))
        parts[part] = parts.get(part, ZERO) + count
    return parts


def count_model(model: keras.Model, batch_size: int = 1) -> ModelCount:
    """Counts `model`'s parameters and its forward pass on `batch_size` inputs, by part.

    Args:
      model: a functional model of `tan_keras.models` (inputs {'rgb', 'flow'}
        [B, T, S, S, 3]), or any functional model (all its layers then fall in 'fusion' unless
        named as a part).
      batch_size: B; 1 is one view, one clip of T snippets.

    Returns:
      A `ModelCount`; its parameters add up to `model.count_params()`.
    """
    layers, params = {}, {}
    for layer in model.layers:
        if not isinstance(layer, keras.layers.InputLayer):
            for part, count in layer_params(layer).items():
                if layer.name not in layers.setdefault(part, []):
                    layers[part].append(layer.name)
                params[part] = params.get(part, 0) + count
    counts, uncounted = {}, []
    for call in layer_calls(model, batch_size):
        top = model.get_layer(call.path[0])
        found = call_count(call)
        if found is None:
            uncounted.append(f"{'/'.join(call.path)} ({type(call.layer).__name__})")
            found = ZERO
        for part, count in in_parts(top, found).items():
            counts[part] = counts.get(part, ZERO) + count
    parts = {name: PartCount(params[name], counts.get(name, ZERO), tuple(layers[name]))
             for name in PARTS if name in layers}
    return ModelCount(parts, tuple(uncounted))
