"""`build_model(name, num_classes, **kwargs)`: every model of the paper by name."""

import inspect

import keras

from tan_keras.models.joint_fusion import build_branch_selection, build_bs_l2, build_fc_fusion
from tan_keras.models.soft_attention import build_soft_attention
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
    "soft_attention": build_soft_attention,
}


def available_models() -> list[str]:
    return list(BUILDERS)


def _accepted_args(builder) -> set[str]:
    return set(inspect.signature(builder).parameters) - {"num_classes"}


def build_model(name: str, num_classes: int, drop_unused: bool = False,
                **kwargs) -> keras.Model:
    """Builds the model `name` ('tan', 'two_stream', 'fc_fusion', 'branch_selection',
    'bs_l2', 'spatial_attention', 'soft_attention') with `num_classes` classes.

    Keyword arguments go to the builder; the sizes it is not given are the "paper" preset's
    (`tan_keras.presets`). An argument that the model does not take is an error, unless the call
    says to drop it: a script that passes the same sizes to every model (`attention_units` also
    to 'two_stream', say) passes `drop_unused=True`. An argument that no model takes is an error
    either way.

    Example:

    >>> model = build_model("two_stream", 5, backbone="tiny", num_snippets=3, image_size=32,
    ...                     rnn_units=8, attention_units=4, drop_unused=True)
    >>> "attention_units" in model.get_config()
    False
    """
    if name not in BUILDERS:
        raise ValueError(f"Expected model name in {available_models()}. Received: name={name!r}")
    known = set().union(*(_accepted_args(builder) for builder in BUILDERS.values()))
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ValueError(f"Expected model arguments among {sorted(known)}. Received: {unknown}")
    accepted = _accepted_args(BUILDERS[name])
    unused = sorted(set(kwargs) - accepted)
    if unused and not drop_unused:
        raise ValueError(f"Expected arguments of model {name!r} among {sorted(accepted)}. "
                         f"Received: {unused}, which only other models take (pass "
                         "drop_unused=True to leave them out)")
    return BUILDERS[name](num_classes, **{k: v for k, v in kwargs.items() if k in accepted})
