"""Every layer call of a functional model, with the concrete shapes of one input batch.

A built Keras model knows its shapes only up to the batch, and a backbone called on the B x T
frames folded into the batch (`FoldSnippets`) cannot tell T from its own shapes. So the graph is
run again on symbolic inputs of a fixed batch (`keras.KerasTensor`s: shapes only, no values,
nothing computed), each layer's output shape coming from the layer itself
(`compute_output_spec`); nested functional models (the backbones) are walked the same way.
Nothing is added to the model's graph. The walk uses the functional model's own graph runner
(`Functional._run_through_graph`, as Keras' `compute_output_spec` does), with each layer's call
replaced by a recorder.
"""

import dataclasses

import keras
from keras import tree


@dataclasses.dataclass(frozen=True)
class LayerCall:
    """One call of one layer.

    Attributes:
      path: the names from the model down to the layer, e.g. ('rgb_backbone', 'conv0').
      layer: the layer.
      inputs: the shapes of its inputs, flattened, batch included (e.g. [(3, 32, 32, 3)]).
      outputs: the shapes of its outputs, flattened.
      arguments: the call's keyword arguments (e.g. {'return_attention_scores': True}).
      args: the call's positional arguments as `keras.KerasTensor`s (shapes and dtypes), in
        their structure (a list of 4 for `TemporalAttention`), to call the layer again.
    """

    path: tuple
    layer: keras.layers.Layer
    inputs: list
    outputs: list
    arguments: dict
    args: tuple = ()


def _is_functional(layer) -> bool:
    return isinstance(layer, keras.Model) and hasattr(layer, "_run_through_graph") and bool(
        getattr(layer, "_nodes_by_depth", None))


def _shape(spec) -> tuple:
    return tuple(int(d) for d in spec.shape)


def input_specs(model: keras.Model, batch_size: int = 1):
    """The model's inputs as `keras.KerasTensor`s of batch `batch_size`, in their structure."""
    return tree.map_structure(
        lambda tensor: keras.KerasTensor((batch_size,) + tuple(tensor.shape[1:]), tensor.dtype),
        model.input)


def layer_calls(model: keras.Model, batch_size: int = 1, nested: bool = True) -> list[LayerCall]:
    """The calls of every layer of `model` (functional, maybe nested) on a batch.

    Args:
      model: a built functional model (TAN, a baseline, a backbone).
      batch_size: B, the batch of the model's inputs (1: one clip of T snippets).
      nested: walk into nested functional models (the backbones), so that the calls are those
        of leaf layers (paths start with the nested model's name); False: a nested model is one
        call, as the top-level graph sees it.

    Returns:
      [LayerCall], in the graph's order.
    """
    calls = []
    _walk(model, input_specs(model, batch_size), (), calls, nested)
    return calls


def _walk(model, inputs, prefix: tuple, calls: list, nested: bool):
    def operation_fn(layer):
        path = prefix + (layer.name,)
        if nested and _is_functional(layer):
            return lambda *args, **kwargs: _walk(layer, args[0] if len(args) == 1 else args,
                                                  path, calls, nested)

        def record(*args, **kwargs):
            outputs = layer.compute_output_spec(*args, **kwargs)
            calls.append(LayerCall(path, layer, [_shape(t) for t in tree.flatten(args)],
                                   [_shape(t) for t in tree.flatten(outputs)], dict(kwargs),
                                   args))
            return outputs
        return record

    return model._run_through_graph(inputs, operation_fn=operation_fn)
