"""The commands' choices (tan_keras.choices, importable without Keras) equal the library's."""

import pytest

from tan_keras import choices
from tests.helpers.imports import heavy_imports


def test_the_choices_are_what_the_library_accepts():
    from tan_keras import layers
    from tan_keras.backbones import available_backbones
    from tan_keras.models import available_models

    assert sorted(choices.BACKBONES) == sorted(available_backbones())
    assert list(choices.MODELS) == available_models()
    assert tuple(choices.RNN_TYPES) == tuple(layers.RNN_TYPES)
    assert set(choices.MIN_IMAGE_SIZE) == set(choices.BACKBONES)


def test_each_backbone_refuses_one_less_than_its_smallest_image_size():
    """The one table of smallest sizes (`choices.BACKBONE_SPECS`) is what the builders check
    (the refusal comes before any weight is made, so this is quick)."""
    from tan_keras.backbones import build_backbone

    for backbone, smallest in choices.MIN_IMAGE_SIZE.items():
        if smallest == 1:
            continue
        with pytest.raises(ValueError, match=rf"image_size >= {smallest}\b"):
            build_backbone(backbone, smallest - 1)
    assert tuple(build_backbone("tiny", choices.MIN_IMAGE_SIZE["tiny"]).input_shape) == (
        None, 16, 16, 3)


def test_parse_init():
    assert choices.parse_init("imagenet") == ("imagenet", None)
    assert choices.parse_init("cnn") == ("cnn", None)
    assert choices.parse_init("cnn:ucf101") == ("cnn", "ucf101")
    assert choices.parse_init("tan:ws/train_tan/x") == ("tan", "ws/train_tan/x")
    for bad in ("imagenet:x", "tan", "tan:", "random"):
        with pytest.raises(ValueError, match=r"Expected init 'imagenet', 'cnn', 'cnn:<dataset>' "
                                             r"or 'tan:<checkpoint>'\. Received"):
            choices.parse_init(bad)


def test_importing_the_choices_loads_neither_keras_nor_tensorflow():
    loaded = heavy_imports("tan_keras.choices", "experiments.cli", "tan_keras.training.settings")
    assert not {"keras", "tensorflow"} & set(loaded), loaded
