"""A TemporalAttention subclass by its import path (`tan_keras.layers.attention_path`): the path
names the class, an earlier run's registered name still resolves, and each error names the path.
Training, evaluating, exporting and predicting with a subclass: the suite's shared tiny run
(tests/conftest.py, `evaluated_tiny_run`), checked in tests/tan_keras/inference/test_export.py and
tests/experiments/test_attention_layer_flag.py."""

import keras
import pytest

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.layers import TemporalAttention
from tan_keras.layers.attention_path import attention_class, import_path
from user_attention import ScaledAttention


def test_an_import_path_names_the_class_and_its_errors_name_the_path():
    assert attention_class("user_attention:ScaledAttention") is ScaledAttention
    assert import_path(ScaledAttention) == "user_attention:ScaledAttention"
    # Runs of earlier versions recorded the registered Keras name.
    assert attention_class(keras.saving.get_registered_name(ScaledAttention)) is ScaledAttention
    with pytest.raises(MissingInputError, match=r"Received: attention_layer='no_such_module:X' "
                                                r"\(named in ws/settings.json\): importing "
                                                r"'no_such_module' failed: No module named"):
        attention_class("no_such_module:X", where="ws/settings.json")
    with pytest.raises(MissingInputError, match=r"module 'user_attention' has no 'Scaled'"):
        attention_class("user_attention:Scaled")
    with pytest.raises(IncompatibleInputError, match=r"Expected attention_layer to be a "
                                                     r"TemporalAttention subclass"):
        attention_class("keras.layers:Dense")
    assert attention_class(TemporalAttention) is TemporalAttention
