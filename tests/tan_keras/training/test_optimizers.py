"""The stages' optimizers and schedules: SGD with momentum by default, Adam on request, anything else refused."""

import keras
import pytest

from tan_keras.training import ModelOptions, TrainingSettings, optimizers, train_tan
from tan_keras.training.fit import fit_resumable
from tan_keras.training.stage_files import LOG_DIR
from tan_keras.training.tan_stage import stage_settings

SETTINGS = TrainingSettings(backbone="tiny", image_size=32, learning_rate=0.003, momentum=0.8,
                            weight_decay=0.0)


def test_sgd_is_the_default_and_keeps_momentum():
    optimizer = optimizers.make_optimizer(SETTINGS)
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == pytest.approx(0.8)
    assert float(optimizer.learning_rate) == pytest.approx(0.003)


def test_adam_uses_the_learning_rate_and_weight_decay():
    optimizer = optimizers.make_optimizer(SETTINGS, "adam")
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert float(optimizer.learning_rate) == pytest.approx(0.003)
    assert optimizer.weight_decay is None
    decayed = optimizers.make_optimizer(
        TrainingSettings(learning_rate=0.001, weight_decay=0.0005), "adam")
    assert decayed.weight_decay == pytest.approx(0.0005)


def test_unknown_optimizer_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match=r"Expected optimizer in \('sgd', 'adam'\)"):
        optimizers.make_optimizer(SETTINGS, "rmsprop")
    with pytest.raises(ValueError, match="optimizer='rmsprop'"):
        train_tan(tmp_path / "no_records", tmp_path, settings=SETTINGS, optimizer="rmsprop")
    assert not any(tmp_path.iterdir())


def test_stage_settings_record_the_optimizer():
    manifest = {"name": "d", "classes": ["a", "b"]}
    recorded = stage_settings(manifest, 1, "tan", "imagenet", SETTINGS, ModelOptions(), False,
                              "adam", "step")
    assert recorded["optimizer"] == "adam"
    assert stage_settings(manifest, 1, "tan", "imagenet", SETTINGS, ModelOptions(), False, "sgd",
                          "step")["optimizer"] == "sgd"


def test_lr_schedule_is_recorded_and_unknown_ones_refused(tmp_path):
    manifest = {"name": "d", "classes": ["a", "b"]}
    recorded = stage_settings(manifest, 1, "tan", "imagenet", SETTINGS, ModelOptions(), False,
                              "adam", "constant")
    assert recorded["lr_schedule"] == "constant"
    with pytest.raises(ValueError, match="lr_schedule='cosine'"):
        train_tan(tmp_path / "no_records", tmp_path, settings=SETTINGS, lr_schedule="cosine")


def test_constant_schedule_keeps_the_base_rate(tmp_path):
    import csv

    import numpy as np
    import tensorflow as tf

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizers.make_optimizer(SETTINGS, "adam"), "mse")

    def make_dataset(epoch):
        return tf.data.Dataset.from_tensor_slices((np.ones((4, 2), "float32"),
                                                   np.zeros((4, 1), "float32"))).batch(2)

    for schedule, expected in (("constant", [0.003] * 4), ("step", [0.003, 0.003, 0.0003, 3e-5])):
        stage = tmp_path / schedule
        fit_resumable(model, make_dataset, stage, 4, 0.003, seed=0, verbose=0,
                      lr_schedule=schedule)
        with open(stage / LOG_DIR / "train.csv", newline="") as log:
            rates = [float(row["learning_rate"]) for row in csv.DictReader(log)]
        assert rates == pytest.approx(expected), schedule
