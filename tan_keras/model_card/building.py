"""The float model a card describes, built from an architecture with random weights."""

import dataclasses

import keras

from tan_keras.presets import Architecture

ARCHITECTURE_FIELDS = tuple(field.name for field in dataclasses.fields(Architecture))
# The fields that `TrainingSettings` holds; the others are `ModelOptions`'.
TRAINING_FIELDS = ("backbone", "num_snippets", "image_size")


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
    """The training stage's model (`tan_keras.training.tan_stage.build_stage_model`) of the
    architecture's sizes: the sizes this model takes (`attention_units` only where there is
    attention), no pre-trained weights.

    The weights are never initialised: the model is built in a
    `keras.StatelessScope(initialize_variables=False)`, where Keras defers each variable's
    initializer until its value is first read, and a card reads only shapes. (Running the
    initializers would compile a random kernel per weight shape on JAX.)

    Args:
      attention_layer: for TAN, a `TemporalAttention` subclass or its import path
        'package.module:ClassName' (built with `attention_units` and the name
        'temporal_attention'), or None.
    """
    from tan_keras.training.settings import TrainingSettings
    from tan_keras.training.tan_stage import build_stage_model

    values = architecture_dict(architecture)
    settings = TrainingSettings(**{field: values[field] for field in TRAINING_FIELDS})
    sizes = {field: value for field, value in values.items() if field not in TRAINING_FIELDS}
    with keras.StatelessScope(initialize_variables=False):
        return build_stage_model(model_name, num_classes, settings, sizes,
                                 attention_layer=attention_layer)
