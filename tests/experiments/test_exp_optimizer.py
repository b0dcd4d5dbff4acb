"""train_tan's --optimizer: SGD with momentum by default, Adam on request, anything else refused."""

import keras
import pytest

from experiments import train_tan, training
from experiments.settings import TrainingSettings

SETTINGS = TrainingSettings(backbone="tiny", image_size=32, learning_rate=0.003, momentum=0.8,
                            weight_decay=0.0)


def test_sgd_is_the_default_and_keeps_momentum():
    optimizer = training.make_optimizer(SETTINGS)
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == pytest.approx(0.8)
    assert float(optimizer.learning_rate) == pytest.approx(0.003)


def test_adam_uses_the_learning_rate_and_weight_decay():
    optimizer = training.make_optimizer(SETTINGS, "adam")
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert float(optimizer.learning_rate) == pytest.approx(0.003)
    assert optimizer.weight_decay is None
    decayed = training.make_optimizer(
        TrainingSettings(learning_rate=0.001, weight_decay=0.0005), "adam")
    assert decayed.weight_decay == pytest.approx(0.0005)


def test_unknown_optimizer_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match=r"Expected optimizer in \('sgd', 'adam'\)"):
        training.make_optimizer(SETTINGS, "rmsprop")
    with pytest.raises(ValueError, match="optimizer='rmsprop'"):
        train_tan.train(tmp_path / "no_records", tmp_path, settings=SETTINGS, optimizer="rmsprop")
    assert not any(tmp_path.iterdir())


def test_stage_settings_record_the_optimizer():
    manifest = {"name": "d", "classes": ["a", "b"]}
    recorded = train_tan.stage_settings(manifest, 1, "tan", "imagenet", SETTINGS, {}, False, "adam")
    assert recorded["optimizer"] == "adam"
    assert train_tan.stage_settings(manifest, 1, "tan", "imagenet", SETTINGS, {},
                                    False)["optimizer"] == "sgd"
