"""`TwoStreamNetwork`: a built model that owns its configuration, as keras-hub's models do.

Every builder of `tan_keras.models` (`build_tan` and the baselines) is wrapped by
`network_builder`, so the model it returns is a `TwoStreamNetwork`: a functional Keras model whose
`get_config()` is the builder's call (the model's name in `build_model`, C, and every size: the
backbone, T, S, the recurrent layer, its units, the attention's, the dropout, a custom attention
layer), and whose `from_config` builds it again. So `model.get_config()` says what the model is,
and a `.keras` file of it (alone or inside `training_model` / `evaluation_model`) loads on any
backend without the code that built it.
"""

import functools
import inspect

import keras

# Builder arguments that are not the model's configuration: where the initial weights come from
# (a loaded model takes its weights from the file), and the name, which `get_config` carries.
NOT_CONFIGURATION = ("backbone_weights", "name")


@keras.saving.register_keras_serializable(package="tan_keras")
class TwoStreamNetwork(keras.Model):
    """A functional model of `build_model`'s, configured by its builder's arguments.

    Build it with a builder (`build_tan`, `build_two_stream`, ..., or `build_model`), not
    directly. Its inputs and outputs are the builder's: {'rgb', 'flow': [B, T, S, S, 3]} ->
    {'spatial', 'temporal': logits [B, C], 'fused': probabilities [B, C]}.

    Attributes:
      architecture: {'model': the `build_model` name, 'num_classes', and the builder's other
        arguments but `backbone_weights` and `name`}; a custom `attention_layer` appears in its
        Keras-serialised form.

    Example:

    >>> model = build_tan(5, backbone="tiny", num_snippets=3, image_size=32, rnn_units=8,
    ...                   attention_units=4)
    >>> model.architecture["rnn_units"], model.get_config()["model"]
    (8, 'tan')
    """

    def __init__(self, inputs, outputs, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self._architecture = {}  # the builder's call, set by `network_builder`

    @property
    def architecture(self) -> dict:
        return dict(self._architecture)

    def get_config(self) -> dict:
        return {**self._architecture, "name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tan_keras.models.registry import BUILDERS

        arguments = dict(config)
        trainable = arguments.pop("trainable", True)
        if arguments.get("attention_layer") is not None:
            arguments["attention_layer"] = keras.saving.deserialize_keras_object(
                arguments["attention_layer"], custom_objects=custom_objects)
        model = BUILDERS[arguments.pop("model")](**arguments)
        model.trainable = trainable
        return model


def network_builder(model_name: str):
    """Decorates a builder that ends with `TwoStreamNetwork(inputs, outputs, name=name)`: the
    model it returns carries the call's arguments (`TwoStreamNetwork.architecture`)."""
    def decorate(builder):
        signature = inspect.signature(builder)

        @functools.wraps(builder)
        def build(*args, **kwargs) -> TwoStreamNetwork:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            model = builder(*bound.args, **bound.kwargs)
            architecture = {"model": model_name}
            for key, value in bound.arguments.items():
                if key in NOT_CONFIGURATION:
                    continue
                if isinstance(value, keras.layers.Layer):
                    value = keras.saving.serialize_keras_object(value)
                architecture[key] = value
            model._architecture = architecture
            return model
        return build
    return decorate
