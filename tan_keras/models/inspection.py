"""Reaching into a built model: attention weights for plots, backbones, weight transfer."""

import keras

from tan_keras.layers import TemporalAttention
from tan_keras.models.tan import ATTENTION_LAYER

CLASSIFIER_LAYERS = ("spatial_classifier", "temporal_classifier")


def temporal_attention_layer(model: keras.Model) -> TemporalAttention:
    """The model's `TemporalAttention` layer (or subclass), found by type.

    Raises:
      ValueError: the model has none (a baseline without TAN's attention), or several.
    """
    found = [layer for layer in model.layers if isinstance(layer, TemporalAttention)]
    if len(found) != 1:
        raise ValueError(f"Expected a TAN model with one TemporalAttention layer (such as "
                         f"{ATTENTION_LAYER!r}). Received: model={model.name!r} with "
                         f"{len(found)}")
    return found[0]


def attention_model(tan_model: keras.Model) -> keras.Model:
    """A model that shares `tan_model`'s weights and returns its attention weights.

    Returns:
      A `keras.Model` with the same inputs and outputs {'alpha': [B, T, T], 'beta': [B, T, T]}
      (float32; alpha[b, i, j] = alpha_ij sums to 1 over i). Run it in inference mode, e.g.
      `attention_model(model).predict(batch)` or `attention_model(model)(batch)`.
    """
    return keras.Model(tan_model.inputs, _attention_outputs(tan_model),
                       name=f"{tan_model.name}_attention")


def with_attention_outputs(tan_model: keras.Model) -> keras.Model:
    """`tan_model` with 'alpha' and 'beta' [B, T, T] beside its outputs, computed in one pass
    (the same graph, the same weights)."""
    return keras.Model(tan_model.inputs, {**tan_model.output,
                                          **_attention_outputs(tan_model)},
                       name=f"{tan_model.name}_with_attention")


def _attention_outputs(tan_model: keras.Model) -> dict:
    """alpha and beta of the attention node: its 3rd and 4th outputs when `build_tan` called it
    with return_attention_scores=True; else (a model built otherwise) a wrapper that calls the
    layer again, sharing its weights."""
    layer = temporal_attention_layer(tan_model)
    outputs = layer.output
    if isinstance(outputs, (list, tuple)) and len(outputs) == 4:
        return {"alpha": outputs[2], "beta": outputs[3]}
    alpha, beta = _AttentionWeights(layer, name=f"{layer.name}_weights")(layer.input)
    return {"alpha": alpha, "beta": beta}


class _AttentionWeights(keras.layers.Layer):
    """Calls a `TemporalAttention` layer (sharing its weights) and returns only (alpha, beta).

    A second functional call of the attention layer itself with `return_attention_scores=True`
    would give that layer nodes with 2 and 4 outputs, which Keras 3.15's graph check rejects
    ("Output ... is not connected to `inputs`"); this wrapper has one node with 2 outputs.
    """

    def __init__(self, attention, **kwargs):
        super().__init__(**kwargs)
        self.attention = attention

    def call(self, inputs):
        _, _, alpha, beta = self.attention(inputs, return_attention_scores=True)
        return alpha, beta


def stream_backbones(model: keras.Model) -> dict:
    """{'rgb': model's 'rgb_backbone', 'flow': its 'flow_backbone'}: the per-frame CNNs.

    They are live sub-models: `stream_backbones(m)['rgb'].load_weights(path)` loads pre-trained
    CNN weights into `m`.
    """
    return {stream: model.get_layer(f"{stream}_backbone") for stream in ("rgb", "flow")}


def copy_weights_except_classifiers(source: keras.Model, target: keras.Model,
                                    skip: tuple = CLASSIFIER_LAYERS) -> list[str]:
    """Copies weights layer by layer, by name, leaving the classifiers of `target` as they are.

    For transfer between datasets with different class counts (Table 1, "TAN on UCF101"):
    build the target model with the new `num_classes`, then copy everything else.

    Returns:
      The names of the layers copied.

    Raises:
      ValueError: when a shared layer's weights differ in shape.
    """
    source_layers = {layer.name: layer for layer in source.layers}
    copied = []
    for layer in target.layers:
        if layer.name in skip or layer.name not in source_layers or not layer.weights:
            continue
        values = source_layers[layer.name].get_weights()
        shapes = [tuple(w.shape) for w in layer.weights]
        if [tuple(v.shape) for v in values] != shapes:
            raise ValueError(f"Expected layer {layer.name!r} weights of shapes {shapes}. "
                             f"Received: {[tuple(v.shape) for v in values]} from {source.name!r}")
        layer.set_weights(values)
        copied.append(layer.name)
    return copied
