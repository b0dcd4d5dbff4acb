"""The model's sizes have one owner, `tan_keras.presets`: every builder's defaults, the settings
classes' defaults and presets, and (tests/experiments/test_shared_flags.py) the flags read it."""

import dataclasses
import inspect

import pytest

from tan_keras import presets
from tan_keras.errors import IncompatibleInputError
from tan_keras.models.registry import BUILDERS
from tan_keras.training.settings import PRESETS, ModelOptions, TrainingSettings


@pytest.mark.parametrize("model", sorted(BUILDERS))
def test_every_builder_defaults_to_the_paper_architecture(model):
    parameters = inspect.signature(BUILDERS[model]).parameters
    sizes = {name: parameters[name].default for name in presets.PAPER.to_dict()
             if name in parameters}
    assert {"backbone", "num_snippets", "image_size", "rnn", "rnn_units", "dropout"} <= set(sizes)
    assert sizes == {name: getattr(presets.PAPER, name) for name in sizes}


def test_the_settings_defaults_are_the_paper_preset():
    assert TrainingSettings() == TrainingSettings.preset("paper")
    assert ModelOptions() == ModelOptions.preset("paper")
    assert ModelOptions().to_dict() == {
        name: getattr(presets.PAPER, name) for name in ModelOptions.defaults()}


@pytest.mark.parametrize("name", presets.PRESET_NAMES)
def test_each_preset_is_its_architecture_and_optimisation(name):
    architecture, optimisation = presets.ARCHITECTURES[name], presets.OPTIMISATIONS[name]
    settings, options = TrainingSettings.preset(name), ModelOptions.preset(name)
    assert (settings.backbone, settings.num_snippets, settings.image_size) == (
        architecture.backbone, architecture.num_snippets, architecture.image_size)
    assert {**dataclasses.asdict(settings), **options.to_dict()} == {
        **architecture.to_dict(), **optimisation.to_dict()}
    assert PRESETS[name] == settings.to_dict()


def test_an_unknown_preset_or_field_is_an_error():
    with pytest.raises(IncompatibleInputError, match=r"Expected preset in \('paper', "
                                                     r"'quickstart', 'tiny'\)\. Received: "
                                                     r"preset='huge'"):
        ModelOptions.preset("huge")
    with pytest.raises(TypeError, match="units"):
        ModelOptions.preset("tiny", units=3)
