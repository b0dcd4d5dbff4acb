"""Loads the public TF-Slim ImageNet checkpoint `inception_v1.ckpt` into `googlenet`.

The checkpoint is in http://download.tensorflow.org/models/inception_v1_2016_08_28.tar.gz
(TF-Slim's model zoo). It is read by variable name with `tf.train.load_checkpoint`, so this is
the one module of the backbones that needs TensorFlow; it imports it only when called, and works
whatever the Keras backend (the values are copied as NumPy arrays).
"""

import dataclasses
import logging
import os

import keras

from tan_keras.backbones.googlenet import slim_variable_name

_LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class SlimLoadReport:
    """What `load_slim_inception_v1` did.

    Attributes:
      loaded: slim variable names whose values were copied into the model.
      unused_checkpoint_variables: checkpoint variables that landed nowhere (for the public
        checkpoint: the classifier `InceptionV1/Logits/...` and `global_step`).
      missing_model_weights: model weight paths (`layer/weight`) that got no value.
    """
    loaded: list[str]
    unused_checkpoint_variables: list[str]
    missing_model_weights: list[str]


def _read_checkpoint(checkpoint_path: str):
    """Opens a TF checkpoint; errors name the file when it is absent or unreadable."""
    import tensorflow as tf  # Lazy: only the checkpoint conversion needs TensorFlow.

    try:
        return tf.train.load_checkpoint(checkpoint_path)
    except (tf.errors.OpError, ValueError) as error:
        raise ValueError(
            f"Expected a TF checkpoint (e.g. inception_v1.ckpt from "
            f"inception_v1_2016_08_28.tar.gz) at checkpoint_path. Could not read it: "
            f"{type(error).__name__}: {error}. Received: checkpoint_path={checkpoint_path!r}"
        ) from error


def load_slim_inception_v1(model: keras.Model, checkpoint_path: str | os.PathLike,
                           strict: bool = True) -> SlimLoadReport:
    """Copies slim `InceptionV1/...` variables into a `googlenet` model, by name.

    Each Keras weight is looked up under `slim_variable_name(layer, weight)`, e.g. layer
    `Mixed_3b.Branch_0.Conv2d_0a_1x1` weight `kernel` <- `InceptionV1/Mixed_3b/Branch_0/
    Conv2d_0a_1x1/weights` ([1, 1, 192, 64]; slim and Keras share the HWIO kernel layout).

    Args:
      model: a model built by `googlenet` (any image size; the weights do not depend on it).
      checkpoint_path: the checkpoint prefix or file, e.g. `.../inception_v1.ckpt`.
      strict: raise when a model weight gets no value.

    Returns:
      A `SlimLoadReport`. Unused checkpoint variables are also logged at INFO level.

    Raises:
      ValueError: the checkpoint cannot be read; a variable's shape differs from the model
        weight's (the message names both); with `strict`, a model weight got no value.
    """
    checkpoint_path = os.fspath(checkpoint_path)
    reader = _read_checkpoint(checkpoint_path)
    checkpoint_shapes = reader.get_variable_to_shape_map()

    assignments = []
    missing = []
    for layer in model.layers:
        for variable in layer.weights:
            slim_name = slim_variable_name(layer.name, variable.name)
            if slim_name is None or slim_name not in checkpoint_shapes:
                missing.append(f"{layer.name}/{variable.name}")
                continue
            checkpoint_shape = tuple(checkpoint_shapes[slim_name])
            if checkpoint_shape != tuple(variable.shape):
                raise ValueError(
                    f"Expected checkpoint variable {slim_name} to have shape "
                    f"{tuple(variable.shape)} like model weight {layer.name}/{variable.name}. "
                    f"Received: shape {checkpoint_shape} in {checkpoint_path}")
            assignments.append((slim_name, variable))

    if strict and missing:
        raise ValueError(
            f"Expected every model weight to get a value from {checkpoint_path}. "
            f"Received: {len(missing)} weights with no checkpoint variable: {missing}")

    for slim_name, variable in assignments:
        variable.assign(reader.get_tensor(slim_name).astype(variable.dtype))

    loaded = [slim_name for slim_name, _ in assignments]
    unused = sorted(set(checkpoint_shapes) - set(loaded))
    if unused:
        _LOG.info("%d variables of %s not used by %s: %s", len(unused), checkpoint_path,
                  model.name, unused)
    return SlimLoadReport(loaded=loaded, unused_checkpoint_variables=unused,
                          missing_model_weights=missing)
