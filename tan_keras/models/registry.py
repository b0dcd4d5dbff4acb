"""`build_model(name, num_classes, **kwargs)`: every model of the paper by name."""

import inspect

import keras

from tan_keras.models.joint_fusion import build_branch_selection, build_bs_l2, build_fc_fusion
from tan_keras.models.spatial_attention import build_spatial_attention
from tan_keras.models.tan import build_tan
from tan_keras.models.two_stream import build_two_stream

BUILDERS = {
    "tan": build_tan,
    "two_stream": build_two_stream,
    "fc_fusion": build_fc_fusion,
    "branch_selection": build_branch_selection,
    "bs_l2": build_bs_l2,
    "spatial_attention": build_spatial_attention,
}


def available_models() -> list[str]:
    return list(BUILDERS)


def _accepted_args(builder) -> set[str]:
    return set(inspect.signature(builder).parameters) - {"num_classes"}


def build_model(name: str, num_classes: int, **kwargs) -> keras.Model:
    """Builds the model `name` ('tan', 'two_stream', 'fc_fusion', 'branch_selection',
    'bs_l2', 'spatial_attention') with `num_classes` classes.

    Keyword arguments go to the builder. One script can pass the same settings to every model:
    an argument that some other model takes but this one does not (e.g. `attention_units` for
    'two_stream', `gate_l2` for 'tan') is dropped; one that no model takes is an error.
    """
    if name not in BUILDERS:
        raise ValueError(f"Expected model name in {available_models()}. Received: name={name!r}")
    known = set().union(*(_accepted_args(builder) for builder in BUILDERS.values()))
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ValueError(f"Expected model arguments among {sorted(known)}. Received: {unknown}")
    accepted = _accepted_args(BUILDERS[name])
    return BUILDERS[name](num_classes, **{k: v for k, v in kwargs.items() if k in accepted})
