"""The cost of one call of a standard layer, from its config and its concrete shapes.

Each function takes the layer and its input and output shapes (batch included: the count is for
the whole batch) and returns a `Count`, or None when it cannot count this configuration. The
rules (see `counts` for what a FLOP is):

  Conv2D            2 k_h k_w C_in / groups C_out H_out W_out (+ H_out W_out C_out with a bias),
                    of which the taps on 'same' zero padding are `padding_flops`
  DepthwiseConv2D   2 k_h k_w C_out H_out W_out (one input channel an output channel)
  Dense             2 N D_in D_out (+ N D_out with a bias), N the rows
  BatchNormalization  2 an element: x * scale + shift at inference, not folded into the conv
                    (folding it would save these; the per-channel scale and shift are not counted)
  ReLU              1 an element (a max), +1 with a max value, +1 with a negative slope
  MaxPooling2D      (p_h p_w - 1) compares an output element
  AveragePooling2D  p_h p_w an output element (the adds and one divide)
  GlobalAveragePooling1D, 2D  one an input element (the adds and one divide a channel)
  Add, Multiply, Maximum, Minimum  (n - 1) an output element for n inputs; Subtract 1
  Average           n an output element ((n - 1) adds and a multiply by 1 / n)
  Softmax           4 L - 2 FLOPs and L exps a row of length L (`counts.softmax`)
  activations       relu 1, relu6 2, sigmoid and tanh one transcendental, softmax as above
Layers that only move data (reshape, concatenate, padding, dropout at inference, the snippet
folding of `tan_keras.layers`) cost 0.
"""

import math

import keras

from tan_keras.model_card.counts import ZERO, Count, elementwise, softmax


def _elements(shape) -> int:
    return math.prod(shape)


def activation_count(name: str, shape) -> Count | None:
    """An activation function by its Keras name on a tensor of `shape` (None: not counted)."""
    elements = _elements(shape)
    if name in ("linear", None):
        return ZERO
    if name == "relu":
        return elementwise(elements)
    if name == "relu6":
        return elementwise(elements, 2)
    if name in ("sigmoid", "tanh", "exponential"):
        return elementwise(elements, 0, 1)
    if name in ("swish", "silu"):
        return elementwise(elements, 1, 1)
    if name == "softmax":
        return softmax(elements // shape[-1], shape[-1])
    return None


def activation_name(function) -> str | None:
    """A Keras activation function's name ('relu', 'linear', ...), without
    `keras.activations.serialize`, which imports TensorFlow."""
    return function if isinstance(function, str) or function is None else getattr(
        function, "__name__", None)


def _activation_of(layer, shape) -> Count | None:
    return activation_count(activation_name(layer.activation), shape)


def valid_taps(in_size: int, out_size: int, kernel: int, stride: int, dilation: int,
               padding: str) -> int:
    """The (output position, kernel tap) pairs along one axis whose input lies in the image.

    With padding 'valid' that is every pair, out_size * kernel; with 'same' the taps on the
    zero padding (TensorFlow's: the extra row or column goes after) are left out.
    """
    if padding == "valid":
        return out_size * kernel
    total = max((out_size - 1) * stride + (kernel - 1) * dilation + 1 - in_size, 0)
    before = total // 2
    return sum(1 for o in range(out_size) for k in range(kernel)
               if 0 <= o * stride + k * dilation - before < in_size)


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def conv2d(layer, inputs, outputs) -> Count | None:
    """Conv2D and DepthwiseConv2D, channels last."""
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        return None
    (batch, in_h, in_w, in_c), (_, out_h, out_w, out_c) = inputs[0], outputs[0]
    k_h, k_w = _pair(layer.kernel_size)
    s_h, s_w = _pair(layer.strides)
    d_h, d_w = _pair(layer.dilation_rate)
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        per_output_channel = 1
    else:
        per_output_channel = in_c // getattr(layer, "groups", 1)
    macs_per_tap = batch * per_output_channel * out_c
    all_taps = k_h * k_w * out_h * out_w
    read_taps = (valid_taps(in_h, out_h, k_h, s_h, d_h, layer.padding)
                 * valid_taps(in_w, out_w, k_w, s_w, d_w, layer.padding))
    count = Count(flops=2 * macs_per_tap * all_taps,
                  padding_flops=2 * macs_per_tap * (all_taps - read_taps))
    if layer.use_bias:
        count = count + elementwise(_elements(outputs[0]))
    activation = _activation_of(layer, outputs[0])
    return None if activation is None else count + activation


def dense(layer, inputs, outputs) -> Count | None:
    """Dense on [..., D_in] -> [..., D_out]: every leading axis is a row."""
    rows = _elements(inputs[0][:-1])
    count = Count(flops=2 * rows * inputs[0][-1] * outputs[0][-1])
    if layer.use_bias:
        count = count + elementwise(_elements(outputs[0]))
    activation = _activation_of(layer, outputs[0])
    return None if activation is None else count + activation


def batch_normalization(layer, inputs, outputs) -> Count:
    return elementwise(_elements(outputs[0]), 2)


def relu(layer, inputs, outputs) -> Count:
    each = 1 + (layer.max_value is not None) + bool(layer.negative_slope)
    return elementwise(_elements(outputs[0]), each)


def activation(layer, inputs, outputs) -> Count | None:
    return _activation_of(layer, outputs[0])


def max_pooling(layer, inputs, outputs) -> Count:
    return elementwise(_elements(outputs[0]), math.prod(_pair(layer.pool_size)) - 1)


def average_pooling(layer, inputs, outputs) -> Count:
    return elementwise(_elements(outputs[0]), math.prod(_pair(layer.pool_size)))


def global_average_pooling(layer, inputs, outputs) -> Count:
    return elementwise(_elements(inputs[0]))


def global_max_pooling(layer, inputs, outputs) -> Count:
    return elementwise(_elements(inputs[0]) - _elements(outputs[0]))


def n_ary(layer, inputs, outputs) -> Count:
    """Add, Multiply, Maximum, Minimum: n - 1 operations an output element."""
    return elementwise(_elements(outputs[0]), len(inputs) - 1)


def subtract(layer, inputs, outputs) -> Count:
    return elementwise(_elements(outputs[0]))


def average(layer, inputs, outputs) -> Count:
    return elementwise(_elements(outputs[0]), len(inputs))


def softmax_layer(layer, inputs, outputs) -> Count | None:
    axis = layer.axis if isinstance(layer.axis, int) else None
    if axis is None:
        return None
    shape = outputs[0]
    length = shape[axis]
    return softmax(_elements(shape) // length, length)


def free(layer, inputs, outputs) -> Count:
    """Layers that only move data."""
    return ZERO


FREE_LAYERS = (
    keras.layers.InputLayer, keras.layers.Dropout, keras.layers.SpatialDropout1D,
    keras.layers.SpatialDropout2D, keras.layers.Reshape, keras.layers.Flatten,
    keras.layers.Permute, keras.layers.Concatenate, keras.layers.ZeroPadding2D,
    keras.layers.Cropping2D, keras.layers.Identity,
)

# (layer class, rule): the first class the layer is an instance of decides.
RULES = (
    (keras.layers.DepthwiseConv2D, conv2d),
    (keras.layers.Conv2D, conv2d),
    (keras.layers.Dense, dense),
    (keras.layers.BatchNormalization, batch_normalization),
    (keras.layers.ReLU, relu),
    (keras.layers.Activation, activation),
    (keras.layers.MaxPooling2D, max_pooling),
    (keras.layers.AveragePooling2D, average_pooling),
    (keras.layers.GlobalAveragePooling1D, global_average_pooling),
    (keras.layers.GlobalAveragePooling2D, global_average_pooling),
    (keras.layers.GlobalMaxPooling2D, global_max_pooling),
    (keras.layers.Add, n_ary),
    (keras.layers.Multiply, n_ary),
    (keras.layers.Maximum, n_ary),
    (keras.layers.Minimum, n_ary),
    (keras.layers.Subtract, subtract),
    (keras.layers.Average, average),
    (keras.layers.Softmax, softmax_layer),
    *((layer_class, free) for layer_class in FREE_LAYERS),
)
