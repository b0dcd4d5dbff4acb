"""Run names, and finding the train_tan run that evaluate and fuse_scores mean."""

import pytest

from tan_keras.errors import MissingInputError
from tan_keras.training import Workspace, default_run_name, find_train_run
from tan_keras.training import stage_files
from tan_keras.training.workspace import FINAL_WEIGHTS


def _finished_run(workspace, name, **settings):
    stage = Workspace(workspace).train_dir(name)
    stage_files.write_settings(stage, settings)
    (stage / FINAL_WEIGHTS).write_bytes(b"weights")
    stage_files.mark_done(stage, {})
    return stage


def test_default_run_names():
    assert default_run_name("ucf101", 1, "tan", "cnn") == "ucf101_split1_tan_cnn"
    assert default_run_name("hmdb51", 2, "tan", "cnn:ucf101") == "hmdb51_split2_tan_cnn-ucf101"
    assert default_run_name("hmdb51", 1, "tan", "tan:ws/train_tan/ucf101_split1_tan_cnn") == \
        "hmdb51_split1_tan_tan-ucf101_split1_tan_cnn"
    assert default_run_name("hmdb51", 1, "tan", "tan:ws/train_tan/u1/checkpoints/e.weights.h5") \
        == "hmdb51_split1_tan_tan-u1"


def test_find_train_run_by_name_by_settings_and_the_only_one(tmp_path):
    _finished_run(tmp_path, "ucf101_split1_tan_cnn", dataset="ucf101", split=1, model="tan",
                  init="cnn")
    assert find_train_run(tmp_path, "ucf101") == "ucf101_split1_tan_cnn"
    assert find_train_run(tmp_path, "ucf101", 1, "tan", "cnn") == "ucf101_split1_tan_cnn"
    _finished_run(tmp_path, "my_run", dataset="ucf101", split=1, model="two_stream",
                  init="imagenet")
    assert find_train_run(tmp_path, "ucf101", model="two_stream") == "my_run"
    assert find_train_run(tmp_path, "ucf101", init="cnn") == "ucf101_split1_tan_cnn"
    unfinished = Workspace(tmp_path).train_dir("ucf101_split1_tan_imagenet")
    stage_files.write_settings(unfinished, {"dataset": "ucf101", "split": 1, "model": "tan",
                                            "init": "imagenet"})
    assert find_train_run(tmp_path, "ucf101", model="tan") == "ucf101_split1_tan_cnn"


def test_none_or_several_matches_list_the_runs(tmp_path):
    with pytest.raises(MissingInputError, match=r"^Expected a finished train_tan run with "
                                                r"dataset='hmdb51' in .*train_tan\. Received: "
                                                r"none \(finished runs: none\); train it with "
                                                r"train_tan, or give run_name$"):
        find_train_run(tmp_path, "hmdb51")
    _finished_run(tmp_path, "a", dataset="ucf101", split=1, model="tan", init="cnn")
    _finished_run(tmp_path, "b", dataset="ucf101", split=1, model="tan", init="imagenet")
    with pytest.raises(MissingInputError, match=r"^Expected one finished train_tan run with "
                                                r"dataset='ucf101', split=1 in .*train_tan\. "
                                                r"Received: 2 runs: a, b; give run_name"):
        find_train_run(tmp_path, "ucf101", split=1)
    with pytest.raises(MissingInputError, match=r"finished runs: a, b\)"):
        find_train_run(tmp_path, "ucf101", split=2)


def test_a_named_run_must_be_finished_and_the_search_values_are_not_used(tmp_path):
    _finished_run(tmp_path, "a", dataset="ucf101", split=1, model="tan", init="cnn")
    assert find_train_run(tmp_path, run_name="a") == "a"
    assert find_train_run(tmp_path, "hmdb51", 2, run_name="a") == "a"
    started = Workspace(tmp_path).train_dir("started")
    stage_files.write_settings(started, {"dataset": "ucf101"})
    with pytest.raises(MissingInputError, match=r"^Expected a finished train_tan run \(settings"
                                                r"\.json, final\.weights\.h5 and done\.json\) "
                                                r"at .*started\. Received: run_name='started' "
                                                r"\(finished runs in .*train_tan: a\)$"):
        find_train_run(tmp_path, run_name="started")
