"""settings.json and done.json: restart, resume, skip and refuse, by hand-built stage folders."""

import json

import pytest

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.training import checkpoints, stage_files

SETTINGS = {"stage": "train_tan", "backbone": "tiny", "training": {"seed": 3, "epochs": 2},
            "classes": ["a", "b"]}


def _other(**training):
    return {**SETTINGS, "training": {**SETTINGS["training"], **training}}


def _finish_an_epoch(stage_dir):
    """What a finished epoch leaves: the weights file, then the state file."""
    checkpoints.weights_path(stage_dir, 1).parent.mkdir(parents=True, exist_ok=True)
    checkpoints.weights_path(stage_dir, 1).write_bytes(b"w")
    checkpoints.state_path(stage_dir, 1).write_bytes(b"s")


def test_a_new_folder_gets_its_settings_and_the_same_settings_resume(tmp_path):
    stage = tmp_path / "run"
    assert stage_files.open_stage(stage, SETTINGS) is False
    assert json.loads((stage / "settings.json").read_text()) == SETTINGS
    assert stage_files.open_stage(stage, json.loads(json.dumps(SETTINGS))) is False
    stage_files.mark_done(stage, {"epochs": 2})
    assert stage_files.open_stage(stage, SETTINGS) is True  # done: the caller skips it


def test_a_start_that_finished_no_epoch_restarts_with_other_settings(tmp_path, capsys):
    stage = tmp_path / "run"
    stage_files.open_stage(stage, SETTINGS)
    (stage / "logs").mkdir()
    (stage / "logs" / "train.csv").write_text("epoch\n")
    assert stage_files.open_stage(stage, _other(seed=9)) is False
    line = capsys.readouterr().out.strip()
    assert line == (f"note: {stage} was started with other settings but finished no epoch; "
                    "restarting it with these (training.seed is 3 there but 9 here).")
    assert json.loads((stage / "settings.json").read_text())["training"]["seed"] == 9
    assert not (stage / "logs").exists()


def test_finished_epochs_refuse_other_settings_naming_only_what_differs(tmp_path):
    stage = tmp_path / "run"
    stage_files.open_stage(stage, SETTINGS)
    _finish_an_epoch(stage)
    with pytest.raises(IncompatibleInputError) as refused:
        stage_files.open_stage(stage, {**_other(seed=9), "backbone": "googlenet"})
    assert str(refused.value) == (
        f"{stage} holds 1 finished epoch(s) with other settings: backbone is 'tiny' there but "
        f"'googlenet' here; training.seed is 3 there but 9 here. To start over, delete {stage}; "
        f"to keep it, choose another `run_name` or `workspace`.")
    assert json.loads((stage / "settings.json").read_text()) == SETTINGS


def test_a_done_stage_refuses_other_settings_and_long_lists_are_summarised(tmp_path):
    stage = tmp_path / "run"
    stage_files.open_stage(stage, SETTINGS)
    stage_files.mark_done(stage, {})
    many = {**SETTINGS, "classes": [f"class{i}" for i in range(12)]}
    with pytest.raises(IncompatibleInputError, match=r"holds a finished run with other settings: "
                                                     r"classes differ \(2 there, 12 here\)\. "
                                                     r"To start over, delete .*another "
                                                     r"`workspace`"):
        stage_files.open_stage(stage, many, run_name_argument=None)


def test_check_compatible_and_read_settings_name_the_file(tmp_path):
    with pytest.raises(MissingInputError, match=r"settings\.json\. It is missing"):
        stage_files.read_settings(tmp_path)
    (tmp_path / "settings.json").write_text("{not json")
    with pytest.raises(IncompatibleInputError, match=r"Expected JSON in .*settings\.json"):
        stage_files.read_settings(tmp_path)
    with pytest.raises(IncompatibleInputError, match=r"Incompatible checkpoint for init='cnn': "
                                                     r"w\.h5 was trained with other settings: "
                                                     r"image_size is 64 there but 32 here\."):
        stage_files.check_compatible({"image_size": 32, "backbone": "tiny"},
                                     {"image_size": 64, "backbone": "tiny"},
                                     ("image_size", "backbone"), "w.h5", "init='cnn'")


def test_other_processes_check_the_folder_but_write_nothing(tmp_path):
    stage = tmp_path / "stage"
    assert stage_files.open_stage(stage, SETTINGS, write=False) is False
    assert not stage.exists()  # the chief writes settings.json
    stage_files.open_stage(stage, SETTINGS)
    _finish_an_epoch(stage)
    with pytest.raises(IncompatibleInputError, match="training.seed is 3 there but 4 here"):
        stage_files.open_stage(stage, _other(seed=4), write=False)
    (stage / stage_files.DONE_FILENAME).write_text("{}")
    assert stage_files.open_stage(stage, SETTINGS, write=False) is True


def test_a_finished_run_of_an_earlier_version_is_still_skipped(tmp_path):
    """settings.json files written before the optimizer and the schedule moved into "training"
    (they were top-level keys) and before pretrain_cnn recorded its precision."""
    from tests.helpers.tiny import tiny_settings

    training = tiny_settings().to_dict()
    today = {"stage": "pretrain_cnn", "backbone": "tiny", "mixed_precision": False,
             "training": training}
    earlier = {"stage": "pretrain_cnn", "backbone": "tiny", "optimizer": training["optimizer"],
               "lr_schedule": training["lr_schedule"],
               "training": {k: v for k, v in training.items()
                            if k not in ("optimizer", "lr_schedule")}}
    stage = tmp_path / "earlier"
    stage_files.write_settings(stage, earlier)
    _finish_an_epoch(stage)
    stage_files.mark_done(stage, {})
    assert stage_files.open_stage(stage, today) is True
    with pytest.raises(IncompatibleInputError, match=r"training\.optimizer is 'sgd' there but "
                                                     r"'adam' here"):
        stage_files.open_stage(stage, {**today, "training": {**training, "optimizer": "adam"}})


def test_a_train_tan_run_that_recorded_frames_as_width_and_height_is_still_skipped(tmp_path):
    """settings.json "frames" written before `FrameSettings` had height and width."""
    frames = {"height": 60, "width": 80, "positions": 3, "flow_bound": 20.0,
              "flow_format": "jpeg", "jpeg_quality": 95}
    today = {**SETTINGS, "num_snippets": 3, "frames": frames}
    earlier = {**SETTINGS, "num_snippets": 3,
               "frames": {"frame_size": [80, 60], "positions": 3, "flow_bound": 20.0,
                          "flow_format": "jpeg", "jpeg_quality": 95, "num_snippets": 3}}
    stage = tmp_path / "earlier"
    stage_files.write_settings(stage, earlier)
    _finish_an_epoch(stage)
    stage_files.mark_done(stage, {})
    assert stage_files.open_stage(stage, today) is True
    with pytest.raises(IncompatibleInputError, match=r"frames\.height is 60 there but 80 here"):
        stage_files.open_stage(stage, {**today, "frames": {**frames, "height": 80}})
