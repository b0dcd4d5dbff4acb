"""A custom attention layer named by its import path, 'package.module:ClassName'.

A `TemporalAttention` subclass reaches every stage by this path: `train_tan` records it in the
run's settings.json, and evaluate, export, `load_video_model` and reproduce import it from there
(or from the `attention_layer` argument they are given), so the module that defines the
subclass only has to be importable (installed, or on PYTHONPATH); nothing has to import it first.
Runs of earlier versions recorded the class's registered Keras name ('package>ClassName'); those
still resolve, from Keras' registry, once the module is imported.
"""

import importlib

from tan_keras.errors import IncompatibleInputError, MissingInputError

SEPARATOR = ":"


def import_path(layer_class: type) -> str:
    """'module:QualifiedName' of `layer_class`, the form settings.json records.

    >>> from tan_keras.layers import TemporalAttention
    >>> import_path(TemporalAttention)
    'tan_keras.layers.temporal_attention:TemporalAttention'
    """
    return f"{layer_class.__module__}{SEPARATOR}{layer_class.__qualname__}"


def attention_class(attention_layer, where: str = "") -> type:
    """The `TemporalAttention` subclass that `attention_layer` names.

    Args:
      attention_layer: the class itself, its import path 'package.module:ClassName', or (runs of
        earlier versions) its registered Keras name 'package>ClassName'.
      where: what named it (a settings.json path), for the error message.

    Raises:
      MissingInputError: the module cannot be imported, or holds no such class (or no class is
        registered under the name).
      IncompatibleInputError: the class is not a `TemporalAttention` subclass.
    """
    from tan_keras.layers.temporal_attention import TemporalAttention

    layer_class = attention_layer
    if isinstance(attention_layer, str):
        layer_class = _imported(attention_layer, f" (named in {where})" if where else "")
    if not (isinstance(layer_class, type) and issubclass(layer_class, TemporalAttention)):
        raise IncompatibleInputError(
            "Expected attention_layer to be a TemporalAttention subclass (or its import path "
            f"'package.module:ClassName'). Received: attention_layer={attention_layer!r}")
    return layer_class


def _imported(path: str, named_in: str) -> type:
    if SEPARATOR not in path:
        return _registered(path, named_in)
    module_name, _, qualified_name = path.partition(SEPARATOR)
    expected = ("Expected attention_layer='package.module:ClassName', whose module is importable "
                "here (installed, or on PYTHONPATH)")
    try:
        found = importlib.import_module(module_name)
    except ImportError as error:
        raise MissingInputError(f"{expected}. Received: attention_layer='{path}'{named_in}: "
                                f"importing {module_name!r} failed: {error}") from None
    for part in qualified_name.split("."):
        found = getattr(found, part, None)
    if found is None:
        raise MissingInputError(f"{expected}. Received: attention_layer='{path}'{named_in}: "
                                f"module {module_name!r} has no {qualified_name!r}")
    return found


def _registered(name: str, named_in: str) -> type:
    import keras

    found = keras.saving.get_registered_object(name)
    if found is None:
        raise MissingInputError(
            f"Expected the attention layer {name!r}{named_in} to be registered with "
            "keras.saving.register_keras_serializable: import the module that defines it first, "
            "or pass attention_layer='package.module:ClassName'. Received: no such registered "
            "object")
    return found
