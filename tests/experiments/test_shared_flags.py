"""The training commands' flags are the settings dataclasses' fields: same names, same defaults,
same limits; --preset starts from a preset and the flags given override it."""

import json
import subprocess
import sys

from tan_keras.training.settings import (PRESETS, ModelOptions, RunOptions, TrainingSettings)
from tests.helpers.commands import command_env
from tests.helpers.paths import REPO_ROOT

# Parses a command's flags in a fresh process (absl's flags are global) and prints what the
# command would build from them: each flag's default, and the three settings objects.
_PARSE = """
import importlib, json, sys
from absl import flags
command = importlib.import_module(sys.argv[1])
from experiments import shared_flags
flags.FLAGS([sys.argv[1], *sys.argv[2:]])
fields = [*shared_flags.TRAINING_HELP, *shared_flags.MODEL_HELP, *shared_flags.RUN_HELP]
print(json.dumps({
    "defaults": {name: flags.FLAGS[name].default for name in fields if name in flags.FLAGS},
    "settings": shared_flags.training_settings().to_dict(),
    "run": shared_flags.run_options().to_dict(),
    "model": shared_flags.model_options().to_dict() if "rnn_units" in flags.FLAGS else None,
}))
"""


def _parsed(module, records, *flag_args) -> dict:
    result = subprocess.run([sys.executable, "-c", _PARSE, module, f"--records_dir={records}",
                             "--workspace=ws", *flag_args], cwd=REPO_ROOT, env=command_env(),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def _records(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")  # what the --records_dir check looks for
    return tmp_path


def test_flag_defaults_are_the_dataclasses_defaults(tmp_path):
    parsed = _parsed("experiments.train_tan", _records(tmp_path), "--init=cnn")
    expected = {**TrainingSettings.defaults(), **ModelOptions.defaults(),
                **{k: v for k, v in RunOptions.defaults().items() if k != "strategy"}}
    assert parsed["defaults"] == expected
    assert parsed["settings"] == TrainingSettings().to_dict()
    assert parsed["run"] == RunOptions().to_dict()


def test_preset_paper_with_explicit_flags_on_top(tmp_path):
    parsed = _parsed("experiments.pretrain_cnn", _records(tmp_path), "--preset=paper",
                     "--epochs=3", "--noimagenet", "--mixed_precision", "--verbose=2",
                     "--run_eagerly")
    assert parsed["settings"] == TrainingSettings.preset("paper", epochs=3).to_dict()
    assert parsed["settings"]["epochs"] == 3 != PRESETS["paper"]["epochs"]
    assert parsed["run"] == {"strategy": "default", "mixed_precision": True,
                             "jit_compile": False, "verbose": 2, "run_eagerly": True}


def test_preset_tiny_sets_the_model_sizes_too(tmp_path):
    # A preset is an architecture and an optimisation (tan_keras.presets): --preset=tiny gives
    # the tiny model's sizes as well as its training settings, under the flags given.
    parsed = _parsed("experiments.train_tan", _records(tmp_path), "--init=cnn", "--preset=tiny",
                     "--rnn_units=12")
    assert parsed["settings"] == TrainingSettings.preset("tiny").to_dict()
    assert parsed["model"] == ModelOptions.preset("tiny", rnn_units=12).to_dict()
    assert parsed["model"]["attention_units"] == 8 != ModelOptions().attention_units
