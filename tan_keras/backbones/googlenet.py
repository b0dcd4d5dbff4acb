"""GoogLeNet / Inception-v1 in the TF-Slim `inception_v1` layout, with batch norm.

The layers follow `inception_v1_base` of tensorflow/models `research/slim/nets/inception_v1.py`
(up to `Mixed_5c`), so that the public TF-Slim ImageNet checkpoint loads by name.

Naming: a Keras layer is named after its slim variable scope with `/` written as `.` (Keras
forbids `/` in layer names). The convolution of slim scope `Mixed_3b/Branch_1/Conv2d_0b_3x3` is
the layer `Mixed_3b.Branch_1.Conv2d_0b_3x3`, its batch norm is
`Mixed_3b.Branch_1.Conv2d_0b_3x3.BatchNorm`, its ReLU `Mixed_3b.Branch_1.Conv2d_0b_3x3.Relu`.
So a Keras weight maps to a slim variable mechanically (see `slim_variable_name`):

    layer `Mixed_3b.Branch_1.Conv2d_0b_3x3`,          weight `kernel`
      -> `InceptionV1/Mixed_3b/Branch_1/Conv2d_0b_3x3/weights`
    layer `Mixed_3b.Branch_1.Conv2d_0b_3x3.BatchNorm`, weight `moving_mean`
      -> `InceptionV1/Mixed_3b/Branch_1/Conv2d_0b_3x3/BatchNorm/moving_mean`

The concatenation that ends an Inception module is named after slim's end point (`Mixed_3b`),
so `model.get_layer("Mixed_4f").output` is slim's `end_points["Mixed_4f"]`.
"""

from typing import NamedTuple

import keras
from keras import layers

SLIM_SCOPE = "InceptionV1"
FEATURE_DIM = 1024

# slim.batch_norm settings of `inception_utils.inception_arg_scope`: no gamma, epsilon 1e-3.
BATCH_NORM_EPSILON = 0.001

# Keras weight name -> slim variable name (the last path component).
_SLIM_WEIGHT_NAMES = {
    "kernel": "weights",
    "beta": "beta",
    "moving_mean": "moving_mean",
    "moving_variance": "moving_variance",
}


class InceptionModule(NamedTuple):
    """Output channels of one slim Inception module (four branches, concatenated)."""
    branch_0: int          # Branch_0: 1x1
    branch_1_reduce: int   # Branch_1: 1x1 ...
    branch_1: int          # ... then 3x3
    branch_2_reduce: int   # Branch_2: 1x1 ...
    branch_2: int          # ... then 3x3 (slim's choice; the 2015 GoogLeNet paper has 5x5)
    branch_3: int          # Branch_3: 3x3 max pool (stride 1) then 1x1


# The modules of slim's `inception_v1_base`, in order.
INCEPTION_MODULES = {
    "Mixed_3b": InceptionModule(64, 96, 128, 16, 32, 32),
    "Mixed_3c": InceptionModule(128, 128, 192, 32, 96, 64),
    "Mixed_4b": InceptionModule(192, 96, 208, 16, 48, 64),
    "Mixed_4c": InceptionModule(160, 112, 224, 24, 64, 64),
    "Mixed_4d": InceptionModule(128, 128, 256, 24, 64, 64),
    "Mixed_4e": InceptionModule(112, 144, 288, 32, 64, 64),
    "Mixed_4f": InceptionModule(256, 160, 320, 32, 128, 128),
    "Mixed_5b": InceptionModule(256, 160, 320, 32, 128, 128),
    "Mixed_5c": InceptionModule(384, 192, 384, 48, 128, 128),
}

# Max pools between module groups: (name, pool size, placed before this module).
_POOLS_BEFORE = {"Mixed_4b": ("MaxPool_4a_3x3", 3), "Mixed_5b": ("MaxPool_5a_2x2", 2)}


def keras_layer_name(slim_scope: str) -> str:
    """`Mixed_3b/Branch_0/Conv2d_0a_1x1` -> `Mixed_3b.Branch_0.Conv2d_0a_1x1`."""
    return slim_scope.replace("/", ".")


def slim_variable_name(layer_name: str, weight_name: str) -> str | None:
    """The slim checkpoint name of one Keras weight, or None for a weight slim lacks.

    Args:
      layer_name: a layer of `googlenet`, e.g. `Conv2d_1a_7x7.BatchNorm`.
      weight_name: the variable's own name, e.g. `moving_mean` (not its path).

    Returns:
      e.g. `InceptionV1/Conv2d_1a_7x7/BatchNorm/moving_mean`.
    """
    slim_name = _SLIM_WEIGHT_NAMES.get(weight_name)
    if slim_name is None:
        return None
    return f"{SLIM_SCOPE}/{layer_name.replace('.', '/')}/{slim_name}"


def _conv_bn_relu(x, filters: int, kernel_size: int, scope: str, strides: int = 1,
                  bn_momentum: float = 0.99):
    """slim.conv2d with batch norm: conv (no bias) -> BN (no gamma) -> ReLU, padding SAME."""
    name = keras_layer_name(scope)
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False,
                      name=name)(x)
    x = layers.BatchNormalization(scale=False, epsilon=BATCH_NORM_EPSILON, momentum=bn_momentum,
                                  name=f"{name}.BatchNorm")(x)
    return layers.ReLU(name=f"{name}.Relu")(x)


def _max_pool(x, pool_size: int, strides: int, scope: str):
    return layers.MaxPooling2D(pool_size, strides=strides, padding="same",
                               name=keras_layer_name(scope))(x)


def _inception_module(x, end_point: str, channels: InceptionModule, bn_momentum: float):
    """One slim Inception module: four branches concatenated on channels."""
    def conv(y, filters, kernel_size, scope):
        return _conv_bn_relu(y, filters, kernel_size, f"{end_point}/{scope}",
                             bn_momentum=bn_momentum)

    branch_0 = conv(x, channels.branch_0, 1, "Branch_0/Conv2d_0a_1x1")
    branch_1 = conv(x, channels.branch_1_reduce, 1, "Branch_1/Conv2d_0a_1x1")
    branch_1 = conv(branch_1, channels.branch_1, 3, "Branch_1/Conv2d_0b_3x3")
    branch_2 = conv(x, channels.branch_2_reduce, 1, "Branch_2/Conv2d_0a_1x1")
    # slim's quirk: Mixed_5b's second Branch_2 conv is scoped `Conv2d_0a_3x3`, not `Conv2d_0b_3x3`.
    branch_2_scope = "Branch_2/Conv2d_0a_3x3" if end_point == "Mixed_5b" else "Branch_2/Conv2d_0b_3x3"
    branch_2 = conv(branch_2, channels.branch_2, 3, branch_2_scope)
    branch_3 = _max_pool(x, 3, 1, f"{end_point}/Branch_3/MaxPool_0a_3x3")
    branch_3 = conv(branch_3, channels.branch_3, 1, "Branch_3/Conv2d_0b_1x1")
    return layers.Concatenate(axis=-1, name=end_point)([branch_0, branch_1, branch_2, branch_3])


def googlenet(image_size: int = 224, name: str = "googlenet",
              bn_momentum: float = 0.99) -> keras.Model:
    """Builds Inception-v1 (TF-Slim layout, batch norm): frames [B, S, S, 3] -> features [B, 1024].

    1. Stem: Conv2d_1a_7x7 (64, stride 2), MaxPool_2a_3x3 (stride 2), Conv2d_2b_1x1 (64),
       Conv2d_2c_3x3 (192), MaxPool_3a_3x3 (stride 2).
    2. Mixed_3b, Mixed_3c, MaxPool_4a_3x3 (stride 2), Mixed_4b..Mixed_4f,
       MaxPool_5a_2x2 (stride 2), Mixed_5b, Mixed_5c: [B, ceil(S/32), ceil(S/32), 1024].
    3. Global average pooling -> [B, 1024] (slim's AvgPool_0a_7x7 at S = 224; any S works).

    Every convolution is conv (no bias) -> batch norm (no gamma, epsilon 1e-3) -> ReLU with
    padding SAME, as slim's `inception_arg_scope`. There is no dropout and no classifier.
    Inputs are expected in [-1, 1] (see `preprocess_input('googlenet')`).

    Args:
      image_size: S, the side of the square input frames.
      name: the model's name (two streams need two names).
      bn_momentum: moving-average momentum of the batch norms (Keras' default, as in
        keras.applications' InceptionV3; slim trained ImageNet with 0.9997).

    Returns:
      A functional `keras.Model` with random weights; load the slim checkpoint with
      `tan_keras.backbones.slim_checkpoint.load_slim_inception_v1`.
    """
    if not isinstance(image_size, int) or image_size < 1:
        raise ValueError(f"Expected image_size to be a positive int. Received: image_size={image_size!r}")
    inputs = keras.Input((image_size, image_size, 3), name=f"{name}_input")
    x = _conv_bn_relu(inputs, 64, 7, "Conv2d_1a_7x7", strides=2, bn_momentum=bn_momentum)
    x = _max_pool(x, 3, 2, "MaxPool_2a_3x3")
    x = _conv_bn_relu(x, 64, 1, "Conv2d_2b_1x1", bn_momentum=bn_momentum)
    x = _conv_bn_relu(x, 192, 3, "Conv2d_2c_3x3", bn_momentum=bn_momentum)
    x = _max_pool(x, 3, 2, "MaxPool_3a_3x3")
    for end_point, channels in INCEPTION_MODULES.items():
        if end_point in _POOLS_BEFORE:
            pool_name, pool_size = _POOLS_BEFORE[end_point]
            x = _max_pool(x, pool_size, 2, pool_name)
        x = _inception_module(x, end_point, channels, bn_momentum)
    outputs = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, outputs, name=name)
