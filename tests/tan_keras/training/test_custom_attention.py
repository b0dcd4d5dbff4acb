"""train_tan with a TemporalAttention subclass: it is built in TAN, its import path goes into
settings.json, and evaluate rebuilds the model with it; the import path's errors."""

import json

import keras
import pytest

from tan_keras.evaluation import evaluate
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.evaluation.protocol import load_trained_model
from tan_keras.layers import TemporalAttention
from tan_keras.layers.attention_path import attention_class, import_path
from tan_keras.training import train_tan
from tests.helpers.custom_attention import TemperedTemporalAttention
from tests.helpers.tiny import QUIET, TINY_MODEL, tiny_settings


def test_a_subclass_trains_through_the_stage_and_evaluate_rebuilds_it(ucf_records_root,
                                                                      tmp_path):
    records = ucf_records_root / "ucf101"
    stage_dir = train_tan(records, tmp_path, settings=tiny_settings(), model_options=TINY_MODEL,
                          run=QUIET, run_name="tempered", attention_layer=TemperedTemporalAttention)
    recorded = json.loads((stage_dir / "settings.json").read_text())
    assert recorded["attention_layer"] == (
        "tests.helpers.custom_attention:TemperedTemporalAttention")
    model, _, _ = load_trained_model(tmp_path, "tempered")
    layer = model.get_layer("temporal_attention")
    assert isinstance(layer, TemperedTemporalAttention) and layer.units == 8
    assert float(keras.ops.convert_to_numpy(layer.temperature)) != 1.0  # trained, then loaded
    results = evaluate(records, tmp_path, "tempered")
    assert results["num_videos"] == 3
    assert (tmp_path / "evaluate" / "tempered" / "attention.npz").is_file()


def test_an_import_path_names_the_class_and_its_errors_name_the_path():
    assert attention_class("tests.helpers.custom_attention:TemperedTemporalAttention") is (
        TemperedTemporalAttention)
    assert import_path(TemperedTemporalAttention) == (
        "tests.helpers.custom_attention:TemperedTemporalAttention")
    # Runs of earlier versions recorded the registered Keras name.
    assert attention_class(keras.saving.get_registered_name(TemperedTemporalAttention)) is (
        TemperedTemporalAttention)
    with pytest.raises(MissingInputError, match=r"Received: attention_layer='no_such_module:X' "
                                                r"\(named in ws/settings.json\): importing "
                                                r"'no_such_module' failed: No module named"):
        attention_class("no_such_module:X", where="ws/settings.json")
    with pytest.raises(MissingInputError, match=r"module 'tests.helpers.custom_attention' has "
                                                r"no 'Tempered'"):
        attention_class("tests.helpers.custom_attention:Tempered")
    with pytest.raises(IncompatibleInputError, match=r"Expected attention_layer to be a "
                                                     r"TemporalAttention subclass"):
        attention_class("keras.layers:Dense")
    assert attention_class(TemporalAttention) is TemporalAttention
