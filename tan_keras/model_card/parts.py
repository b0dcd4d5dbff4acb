"""A model's parameters and cost, part by part.

The parts follow the layer names every model of `tan_keras.models` shares:

  rgb_backbone, flow_backbone    the per-frame CNNs (run on the T snippets of a clip)
  spatial_rnn, temporal_rnn      the recurrent branches
  attention                      TAN's `TemporalAttention` (or the spatial-attention baseline's
                                 two `SpatialAttentionPooling` layers)
  spatial_classifier, temporal_classifier
  fusion                         the rest: the softmaxes and their average (or the baselines'
                                 fused classifier and gate); the layers that only move data
                                 (snippet folding, dropout, the last step) sit here at 0 FLOPs
"""

import dataclasses

import keras

from tan_keras.layers import SpatialAttentionPooling, TemporalAttention
from tan_keras.model_card.counts import ZERO, Count, total
from tan_keras.model_card.graph import layer_calls
from tan_keras.model_card.rules import call_count

PARTS = ("rgb_backbone", "flow_backbone", "spatial_rnn", "temporal_rnn", "attention",
         "spatial_classifier", "temporal_classifier", "fusion")
ATTENTION_LAYERS = (TemporalAttention, SpatialAttentionPooling)


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
    """The part a top-level layer of a model belongs to."""
    if isinstance(layer, ATTENTION_LAYERS):
        return "attention"
    return layer.name if layer.name in PARTS else "fusion"


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
    layers = {}
    for layer in model.layers:
        if not isinstance(layer, keras.layers.InputLayer):
            layers.setdefault(part_of(layer), []).append(layer)
    counts, uncounted = {}, []
    for call in layer_calls(model, batch_size):
        part = part_of(model.get_layer(call.path[0]))
        found = call_count(call)
        if found is None:
            uncounted.append(f"{'/'.join(call.path)} ({type(call.layer).__name__})")
            found = ZERO
        counts[part] = counts.get(part, ZERO) + found
    parts = {name: PartCount(sum(layer.count_params() for layer in layers[name]),
                             counts.get(name, ZERO), tuple(layer.name for layer in layers[name]))
             for name in PARTS if name in layers}
    return ModelCount(parts, tuple(uncounted))
