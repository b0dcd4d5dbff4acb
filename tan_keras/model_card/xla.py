"""XLA's own count of a model's forward pass, to check the analytic one against.

The forward pass of one clip (batch 1, inference) is compiled for the CPU by XLA on the JAX
backend, `jax.jit(...).lower(...).compile().cost_analysis()`, which returns XLA's 'flops' and
'transcendentals' of the optimised program. The weights are arguments of the program, so XLA
cannot fold them. Per part, each top-level layer (a backbone, a recurrent branch, the attention,
a classifier) is compiled alone on its inputs; parts built alike (the two backbones) are
compiled once. A layer of two parts (`SoftAttentionLSTM`) is compiled as its two shares
(`soft_attention_xla`).

XLA counts as `tan_keras.model_card.counts` defines it (a multiply-add 2, elementwise ops one an
element, transcendentals apart), but it counts the optimised program: only the convolution taps
that read the image (not the 'same' padding: the analytic `padding_flops`), batch norm's
per-channel constants, each sigmoid as an exp and 3 FLOPs, the work its fusions recompute, and
its rewrites of reductions (docs/model_card.md compares the two, part by part).

On another backend (TensorFlow), `xla_counts` runs the same in a subprocess with
KERAS_BACKEND=jax on the CPU.
"""

import inspect
import json
import os
import subprocess
import sys
import tempfile
import time

import keras
from keras import tree

from tan_keras.layers import FoldSnippets, LastSnippet, UnfoldSnippets
from tan_keras.model_card.counts import Count

MOVES_DATA_ONLY = (FoldSnippets, UnfoldSnippets, LastSnippet, keras.layers.Dropout,
                   keras.layers.InputLayer)

# The subprocess compiles with the backend's (LLVM's) optimisations off, as
# tests/test_jax_backend.py does: a quicker compile of the same optimised HLO, which is what the
# cost analysis reads (the counts come out the same, on the tiny and the paper presets).
QUICK_COMPILE = "--xla_backend_optimization_level=0"


def _cost(compiled) -> Count:
    analysis = compiled.cost_analysis()
    if isinstance(analysis, (list, tuple)):
        analysis = analysis[0]
    return Count(flops=int(analysis.get("flops", 0)),
                 transcendentals=int(analysis.get("transcendentals", 0)))


def _abstract(values):
    import jax

    return tree.map_structure(lambda v: jax.ShapeDtypeStruct(tuple(v.shape), v.dtype), values)


def layer_xla_count(layer: keras.layers.Layer, args, arguments: dict | None = None) -> Count:
    """XLA's count of `layer(*args, **arguments)` in inference (JAX backend, JAX's default
    device).

    Args:
      layer: a built layer or model.
      args: its positional arguments, anything with `.shape` and `.dtype` (e.g.
        `keras.KerasTensor`s), in their structure.
      arguments: its keyword arguments ('training' is set to False).
    """
    import jax

    arguments = {**(arguments or {}), "training": False}
    if not _takes_training(layer):
        arguments.pop("training")

    def forward(trainable, non_trainable, args):
        outputs, _ = layer.stateless_call(trainable, non_trainable, *args, **arguments)
        return outputs

    lowered = jax.jit(forward).lower(_abstract(layer.trainable_variables),
                                     _abstract(layer.non_trainable_variables), _abstract(args))
    return _cost(lowered.compile())


def function_xla_count(layer: keras.layers.Layer, function, args) -> Count:
    """XLA's count of `function(layer, *args)` (JAX backend), the layer's weights as arguments:
    a piece of a layer's computation, written with its methods and weights.

    Args:
      layer: a built layer.
      function: (layer, *args) -> outputs, with `keras.ops`.
      args: anything with `.shape` and `.dtype` (e.g. `keras.KerasTensor`s).
    """
    import jax

    variables = list(layer.variables)

    def forward(values, args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return function(layer, *args)

    return _cost(jax.jit(forward).lower(_abstract(variables), _abstract(args)).compile())


def _takes_training(layer) -> bool:
    parameters = inspect.signature(layer.call).parameters
    return "training" in parameters or any(
        p.kind == p.VAR_KEYWORD for p in parameters.values())


def _same_layer_key(call) -> tuple:
    """Layers of one class with the same weights, inputs, outputs, activation and call arguments
    (the two backbones, the two recurrent branches, the two classifiers) cost the same. (Not
    `get_config()`: serialising imports TensorFlow, seconds in a JAX process.)"""
    from tan_keras.model_card.layer_costs import activation_name

    weights = tuple(tuple(weight.shape) for weight in call.layer.weights)
    activation = activation_name(getattr(call.layer, "activation", None))
    return (type(call.layer).__name__, weights, str(call.inputs), str(call.outputs), activation,
            repr(sorted(call.arguments.items())))


def model_xla_counts(model: keras.Model) -> dict:
    """XLA's counts of one clip through `model` (JAX backend), in total and by part.

    Layers that only move data (snippet folding, dropout at inference, the last step) are
    not compiled alone.

    Returns:
      {'per_view': Count, 'parts': {part: Count}, 'compile_seconds': float}.
    """
    from tan_keras.model_card.graph import input_specs, layer_calls
    from tan_keras.model_card.parts import part_of, share_parts
    from tan_keras.model_card.soft_attention_xla import share_xla_counts

    start = time.time()
    total = layer_xla_count(model, (input_specs(model),))
    parts, seen = {}, {}
    for call in layer_calls(model, nested=False):
        if isinstance(call.layer, MOVES_DATA_ONLY):
            continue  # nothing to count, for us or for XLA
        key = _same_layer_key(call)
        shares = share_parts(call.layer)
        if key not in seen:
            seen[key] = (share_xla_counts(call.layer, call.args[0]) if shares else
                         layer_xla_count(call.layer, call.args, call.arguments))
        found = seen[key] if shares else {part_of(call.layer): seen[key]}
        for share, count in found.items():
            part = shares.get(share, share)
            parts[part] = parts.get(part, Count()) + count
    return {"per_view": total, "parts": parts, "compile_seconds": time.time() - start}


def _as_json(counts: dict) -> dict:
    return {"per_view": counts["per_view"].to_dict(),
            "parts": {name: count.to_dict() for name, count in counts["parts"].items()},
            "compile_seconds": round(counts["compile_seconds"], 1)}


def _from_json(values: dict) -> dict:
    return {"per_view": Count(**values["per_view"]),
            "parts": {name: Count(**count) for name, count in values["parts"].items()},
            "compile_seconds": values["compile_seconds"]}


def _in_this_process() -> bool:
    if keras.backend.backend() != "jax":
        return False
    import jax

    return jax.default_backend() == "cpu"


def xla_counts(model_name: str, num_classes: int, architecture: dict, attention_layer=None,
               timeout: float | None = None) -> dict:
    """XLA's counts of one clip through the model `build_card_model` builds, on the CPU.

    On the JAX backend with a CPU default device, in this process; otherwise in a subprocess
    with KERAS_BACKEND=jax and JAX_PLATFORMS=cpu, which builds the same model.

    Args:
      model_name, num_classes, architecture, attention_layer: as `build_card_model` (the
        subprocess imports a custom attention layer from its import path).
      timeout: seconds the subprocess may take (None: no limit).

    Returns:
      As `model_xla_counts`.

    Raises:
      RuntimeError: the subprocess failed (its stderr's end in the message).
    """
    if _in_this_process():
        from tan_keras.model_card.building import build_card_model

        return model_xla_counts(build_card_model(model_name, num_classes, architecture,
                                                 attention_layer))
    if attention_layer is not None and not isinstance(attention_layer, str):
        from tan_keras.layers.attention_path import import_path

        attention_layer = import_path(attention_layer)
    request = {"model": model_name, "num_classes": num_classes, "architecture": architecture,
               "attention_layer": attention_layer}
    with tempfile.TemporaryDirectory() as folder:
        result_path = os.path.join(folder, "xla.json")
        request["output"] = result_path
        code = "from tan_keras.model_card import xla; xla.serve()"
        environment = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu",
                       "TF_CPP_MIN_LOG_LEVEL": "2",
                       "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} {QUICK_COMPILE}".strip()}
        process = subprocess.run([sys.executable, "-c", code], input=json.dumps(request),
                                 capture_output=True, text=True, env=environment,
                                 timeout=timeout)
        if process.returncode != 0 or not os.path.isfile(result_path):
            raise RuntimeError(f"Expected XLA's cost analysis from a JAX subprocess. Received: "
                               f"exit status {process.returncode}, stderr ending "
                               f"{process.stderr[-2000:]!r}")
        with open(result_path, encoding="utf-8") as file:
            return _from_json(json.load(file))


def serve() -> None:
    """The subprocess side of `xla_counts`: a JSON request on stdin {'model', 'num_classes',
    'architecture', 'attention_layer', 'output'}, the counts written as JSON to 'output'."""
    from tan_keras.model_card.building import build_card_model

    request = json.load(sys.stdin)
    model = build_card_model(request["model"], request["num_classes"], request["architecture"],
                             request.get("attention_layer"))
    with open(request["output"], "w", encoding="utf-8") as file:
        json.dump(_as_json(model_xla_counts(model)), file)
