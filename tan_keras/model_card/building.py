"""The float model a card describes, built from an architecture with random weights."""

import inspect

import keras

from tan_keras.presets import Architecture

ARCHITECTURE_FIELDS = ("backbone", "num_snippets", "image_size", "rnn", "rnn_units",
                       "attention_units", "dropout")


def architecture_dict(architecture: Architecture | dict) -> dict:
    """An `Architecture` (or a dict of its fields) as a plain dict of its 7 fields.

    Raises:
      ValueError: a field is missing.
    """
    values = architecture.to_dict() if isinstance(architecture, Architecture) else dict(
        architecture)
    missing = [field for field in ARCHITECTURE_FIELDS if field not in values]
    if missing:
        raise ValueError(f"Expected an architecture with {list(ARCHITECTURE_FIELDS)}. Received: "
                         f"architecture={values!r} (no {missing})")
    return {field: values[field] for field in ARCHITECTURE_FIELDS}


def build_card_model(model_name: str, num_classes: int, architecture: Architecture | dict,
                     attention_layer=None) -> keras.Model:
    """`tan_keras.models.build_model(model_name, num_classes, ...)` with the architecture's
    sizes that this model takes (`attention_units` only where there is attention), no
    pre-trained weights.

    The weights are never initialised: the model is built in a
    `keras.StatelessScope(initialize_variables=False)`, where Keras defers each variable's
    initializer until its value is first read, and a card reads only shapes. (Running the
    initializers would compile a random kernel per weight shape on JAX.)

    Args:
      attention_layer: for TAN, a `TemporalAttention` subclass or its import path
        'package.module:ClassName' (built with `attention_units` and the name
        'temporal_attention'), or None.
    """
    from tan_keras.layers.attention_path import attention_class
    from tan_keras.models import build_model
    from tan_keras.models.registry import BUILDERS
    from tan_keras.models.tan import ATTENTION_LAYER

    if model_name not in BUILDERS:
        raise ValueError(f"Expected a model name in {list(BUILDERS)}. Received: "
                         f"model={model_name!r}")
    values = architecture_dict(architecture)
    accepted = set(inspect.signature(BUILDERS[model_name]).parameters)
    kwargs = {key: value for key, value in values.items() if key in accepted}
    if attention_layer is not None and model_name == "tan":
        kwargs["attention_layer"] = attention_class(attention_layer)(values["attention_units"],
                                                                     name=ATTENTION_LAYER)
    with keras.StatelessScope(initialize_variables=False):
        return build_model(model_name, num_classes, **kwargs)
