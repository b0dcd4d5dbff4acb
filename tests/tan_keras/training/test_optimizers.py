"""The stages' optimizers and schedules: SGD with momentum by default, Adam on request, anything else refused."""

import keras
import pytest

from tan_keras.errors import IncompatibleInputError
from tan_keras.training import ModelOptions, optimizers, train_tan
from tan_keras.training.fit import fit_resumable
from tan_keras.training.stage_files import LOG_DIR
from tan_keras.training.tan_stage import stage_settings
from tests.helpers.tiny import tiny_settings

SETTINGS = tiny_settings(learning_rate=0.003, momentum=0.8, weight_decay=0.0)


def test_sgd_is_the_default_and_keeps_momentum():
    optimizer = optimizers.make_optimizer(SETTINGS)
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == pytest.approx(0.8)
    assert float(optimizer.learning_rate) == pytest.approx(0.003)


def test_adam_uses_the_learning_rate_and_weight_decay():
    optimizer = optimizers.make_optimizer(tiny_settings(learning_rate=0.003, weight_decay=0.0,
                                                        optimizer="adam"))
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert float(optimizer.learning_rate) == pytest.approx(0.003)
    assert optimizer.weight_decay is None
    decayed = optimizers.make_optimizer(
        tiny_settings(learning_rate=0.001, weight_decay=0.0005, optimizer="adam"))
    assert decayed.weight_decay == pytest.approx(0.0005)


def test_unknown_optimizer_or_schedule_is_refused_before_any_work(tmp_path):
    with pytest.raises(IncompatibleInputError, match=r"Expected optimizer in \('sgd', 'adam'\)\. "
                                                     r"Received: optimizer='rmsprop'"):
        tiny_settings(optimizer="rmsprop")
    with pytest.raises(ValueError, match="lr_schedule='cosine'"):
        tiny_settings(lr_schedule="cosine")
    with pytest.raises(FileNotFoundError, match="Expected a manifest at"):
        train_tan(tmp_path / "no_records", tmp_path, settings=SETTINGS)
    assert not any(tmp_path.iterdir())


def test_stage_settings_record_the_optimizer_and_schedule_in_the_training_settings():
    manifest = {"name": "d", "classes": ["a", "b"]}
    recorded = stage_settings(manifest, 1, "tan", "imagenet",
                              tiny_settings(optimizer="adam", lr_schedule="constant"),
                              ModelOptions(), False)
    assert recorded["training"]["optimizer"] == "adam"
    assert recorded["training"]["lr_schedule"] == "constant"
    assert "optimizer" not in recorded and "lr_schedule" not in recorded  # one place only
    assert stage_settings(manifest, 1, "tan", "imagenet", SETTINGS, ModelOptions(),
                          False)["training"]["optimizer"] == "sgd"


def test_constant_schedule_keeps_the_base_rate(tmp_path):
    import csv

    import numpy as np
    import tensorflow as tf

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizers.make_optimizer(tiny_settings(optimizer="adam")), "mse")

    def make_dataset(epoch):
        return tf.data.Dataset.from_tensor_slices((np.ones((4, 2), "float32"),
                                                   np.zeros((4, 1), "float32"))).batch(2)

    for schedule, expected in (("constant", [0.003] * 4), ("step", [0.003, 0.003, 0.0003, 3e-5])):
        stage = tmp_path / schedule
        settings = tiny_settings(epochs=4, learning_rate=0.003, lr_schedule=schedule, seed=0)
        fit_resumable(model, make_dataset, stage, settings, verbose=0)
        with open(stage / LOG_DIR / "train.csv", newline="") as log:
            rates = [float(row["learning_rate"]) for row in csv.DictReader(log)]
        assert rates == pytest.approx(expected), schedule


def test_callbacks_reach_every_epoch_of_fit(tmp_path):
    """The stages' `callbacks` argument: each epoch's `fit` calls them (tests use one to crash)."""
    import numpy as np
    import tensorflow as tf

    class Record(keras.callbacks.Callback):
        epochs = []

        def on_epoch_begin(self, epoch, logs=None):
            self.epochs.append(epoch)

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizers.make_optimizer(SETTINGS), "mse")
    batches = tf.data.Dataset.from_tensor_slices((np.ones((4, 2), "float32"),
                                                  np.zeros((4, 1), "float32"))).batch(2)
    fit_resumable(model, lambda epoch: batches, tmp_path, tiny_settings(epochs=3), verbose=0,
                  callbacks=[Record()])
    assert Record.epochs == [0, 1, 2]
