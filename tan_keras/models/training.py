"""Compiling a model for the paper's objective: the sum of the two branch cross-entropies."""

import keras

from tan_keras.models.streams import AVERAGE_FUSION_LAYER

OUTPUT_NAMES = ("spatial", "temporal", "fused")


def has_learned_fusion(model: keras.Model) -> bool:
    """True when 'fused' has weights of its own (FC fusion, branch selection, BS + L2).

    TAN, the two-stream baseline and spatial attention fuse with a fixed average (a layer
    named 'average_fusion'); the other baselines learn their fusion. The layer is looked for in
    nested models too, so a model wrapped by `preprocessed.training_model` answers as the model
    it wraps.
    """
    return AVERAGE_FUSION_LAYER not in _layer_names(model)


def _layer_names(model: keras.Model) -> set[str]:
    """The names of `model`'s layers and of the layers of the models nested in it."""
    names = set()
    for layer in model.layers:
        names.add(layer.name)
        if isinstance(layer, keras.Model):
            names |= _layer_names(layer)
    return names


def compile_for_training(model: keras.Model, optimizer, label_smoothing: float = 0.0,
                         fused_loss_weight: float | None = None, jit_compile="auto",
                         **compile_kwargs) -> keras.Model:
    """Compiles `model` (outputs 'spatial', 'temporal' logits and 'fused' probabilities).

    Loss = CE(spatial) + CE(temporal) [+ fused_loss_weight * CE(fused)], sparse categorical
    cross-entropies on integer labels [B]. For TAN this is the paper's objective (section 2.3);
    there is no loss on 'fused', the fixed average of the two softmaxes. Models whose fusion
    has weights (`has_learned_fusion`) need a loss on 'fused' to train them; by default it gets
    weight 1 there. Accuracy is tracked on all three outputs.

    Targets: pass `training_targets(labels)` (the same labels under each output name), or a
    dataset yielding `(inputs, {'spatial': y, 'temporal': y, 'fused': y})`.

    Args:
      model: a model from `tan_keras.models`.
      optimizer: a `keras.optimizers.Optimizer` or its name.
      label_smoothing: applied to the cross-entropies (0 = none, as in the paper).
      fused_loss_weight: weight of the loss on 'fused'; None = 1 for learned fusion, else 0.
      jit_compile: passed to `Model.compile`.
      **compile_kwargs: other `Model.compile` arguments (e.g. `steps_per_execution`).

    Returns:
      The same model, compiled.
    """
    output_keys = sorted(model.output) if isinstance(model.output, dict) else None
    if output_keys is None or any(name not in output_keys for name in OUTPUT_NAMES):
        raise ValueError(f"Expected a model with a dict of outputs {list(OUTPUT_NAMES)}. "
                         f"Received: outputs={output_keys or model.output_names}")
    if fused_loss_weight is None:
        fused_loss_weight = 1.0 if has_learned_fusion(model) else 0.0
    if fused_loss_weight < 0:
        raise ValueError(f"Expected fused_loss_weight >= 0. Received: {fused_loss_weight!r}")

    def cross_entropy(from_logits):
        if label_smoothing:
            return _SmoothedSparseCrossEntropy(label_smoothing, from_logits)
        return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)

    losses = {"spatial": cross_entropy(True), "temporal": cross_entropy(True),
              "fused": cross_entropy(False) if fused_loss_weight else None}
    loss_weights = {"spatial": 1.0, "temporal": 1.0, "fused": float(fused_loss_weight)}
    metrics = {name: ["sparse_categorical_accuracy"] for name in OUTPUT_NAMES}
    model.compile(optimizer=optimizer, loss=losses, loss_weights=loss_weights, metrics=metrics,
                  jit_compile=jit_compile, **compile_kwargs)
    return model


def training_targets(labels) -> dict:
    """labels [B] int -> {'spatial': labels, 'temporal': labels, 'fused': labels}."""
    return {name: labels for name in OUTPUT_NAMES}


class _SmoothedSparseCrossEntropy(keras.losses.Loss):
    """Sparse categorical cross-entropy with label smoothing (integer labels [B])."""

    def __init__(self, label_smoothing: float, from_logits: bool, **kwargs):
        super().__init__(**kwargs)
        self.label_smoothing = label_smoothing
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        num_classes = y_pred.shape[-1]
        one_hot = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"),
                                    num_classes)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing,
                "from_logits": self.from_logits}
