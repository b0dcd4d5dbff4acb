"""train_tan as a user runs it on a TFDS build: --records_dir is the TFDS version folder."""

import json

import pytest

from tests.helpers.commands import TINY_TRAINING, output_of, python_module


@pytest.mark.slow
def test_train_tan_trains_on_a_tfds_version_folder(tfds_ucf101, tmp_path):
    run = python_module("experiments.train_tan", f"--records_dir={tfds_ucf101}",
                        f"--workspace={tmp_path}", *TINY_TRAINING)
    assert run.returncode == 0, output_of(run)
    stage = tmp_path / "train_tan" / "ucf101_split1_tan_imagenet"
    assert (stage / "final.weights.h5").is_file(), output_of(run)
    assert f"final weights: {stage / 'final.weights.h5'}" in run.stdout
    assert json.loads((stage / "settings.json").read_text())["dataset"] == "ucf101"
