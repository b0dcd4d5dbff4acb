"""train_tan with a TemporalAttention subclass: it is built in TAN, its registered name goes into
settings.json, and evaluate rebuilds the model with it."""

import json

import keras

from tan_keras.evaluation import evaluate
from tan_keras.evaluation.protocol import load_trained_model
from tan_keras.training import train_tan
from tests.helpers.custom_attention import TemperedTemporalAttention
from tests.helpers.tiny import QUIET, TINY_MODEL, tiny_settings


def test_a_subclass_trains_through_the_stage_and_evaluate_rebuilds_it(ucf_records_root,
                                                                      tmp_path):
    records = ucf_records_root / "ucf101"
    stage_dir = train_tan(records, tmp_path, settings=tiny_settings(), model_options=TINY_MODEL,
                          run=QUIET, run_name="tempered", attention_layer=TemperedTemporalAttention)
    recorded = json.loads((stage_dir / "settings.json").read_text())
    assert recorded["attention_layer"] == keras.saving.get_registered_name(
        TemperedTemporalAttention)
    model, _, _ = load_trained_model(tmp_path, "tempered")
    layer = model.get_layer("temporal_attention")
    assert isinstance(layer, TemperedTemporalAttention) and layer.units == 8
    assert float(keras.ops.convert_to_numpy(layer.temperature)) != 1.0  # trained, then loaded
    results = evaluate(records, tmp_path, "tempered")
    assert results["num_videos"] == 3
    assert (tmp_path / "evaluate" / "tempered" / "attention.npz").is_file()
