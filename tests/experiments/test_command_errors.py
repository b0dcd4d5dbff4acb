"""Bad flags and bad input, as a user meets them: one line, a non-zero exit, nothing written;
then the corrected command works. Also --help: every flag, at once, without TensorFlow."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers.commands import (EAGER, TINY_MODEL, TINY_TRAINING, command_env,
                                    console_script, output_of, problem_lines, python_module)
from tests.helpers.paths import REPO_ROOT

COMMANDS = ("experiments.pretrain_cnn", "experiments.train_tan", "experiments.evaluate",
            "experiments.fuse_scores", "experiments.reproduce", "experiments.quickstart")
SHARED_TRAINING_FLAGS = ("--records_dir", "--workspace", "--split", "--backbone", "--image_size",
                         "--num_snippets", "--epochs", "--batch_size", "--learning_rate",
                         "--optimizer", "--lr_schedule", "--imagenet_weights", "--seed")


def assert_flag_error(result, pattern):
    """absl's parse-time error: its one line (and absl's hint to --helpfull), exit status 1."""
    lines = problem_lines(result.stderr)
    assert result.returncode == 1, output_of(result)
    assert "Traceback" not in result.stderr, output_of(result)
    assert re.match(r"FATAL Flags parsing error: " + pattern, lines[0]), output_of(result)
    assert lines[1:] == ["Pass --helpshort or --helpfull to see help on flags."], lines


def assert_input_error(result, pattern):
    """Bad input found after parsing: one `error:` line naming the file and the fix, exit 2.

    absl's own log lines (`I1205 03:02:24.39 ... mirrored_strategy.py:423] Using
    MirroredStrategy ...`) are the libraries' chatter, not the command's message."""
    lines = [line for line in problem_lines(result.stderr)
             if not re.match(r"[IWE]\d{4} \d\d:\d\d:\d\d\.\d+ ", line)]
    assert result.returncode == 2, output_of(result)
    assert "Traceback" not in result.stderr, output_of(result)
    assert len(lines) == 1 and re.match(r"error: " + pattern, lines[0]), output_of(result)


@pytest.mark.parametrize("module", COMMANDS)
def test_help_lists_every_flag_without_importing_tensorflow(module):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", module, "--help"],
                            cwd=REPO_ROOT, env=command_env(), capture_output=True, text=True)
    assert "flags:" in result.stdout, output_of(result)  # absl's --help exits with status 1
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    heavy = sorted(m for m in imported if m.split(".")[0] in ("tensorflow", "keras", "jax"))
    assert heavy == [], f"{module} --help imported {heavy[:5]}"
    listed = set(re.findall(r"^\s+--(?:\[no\])?(\w+):", result.stdout, re.MULTILINE))
    full = subprocess.run([sys.executable, "-m", module, "--helpfull"], cwd=REPO_ROOT,
                          env=command_env(), capture_output=True, text=True)
    sections = re.split(r"^(\S.*):$", full.stdout, flags=re.MULTILINE)
    takes = {flag for header, body in zip(sections[1::2], sections[2::2])
             if not header.startswith("absl.")
             for flag in re.findall(r"^\s+--(?:\[no\])?(\w+):", body, re.MULTILINE)}
    assert listed == takes != set(), module
    if module in ("experiments.pretrain_cnn", "experiments.train_tan"):
        assert {f.lstrip("-") for f in SHARED_TRAINING_FLAGS} <= listed, module


def test_a_bad_flag_value_is_refused_before_anything_is_written(ucf_records_root, tmp_path):
    records = ucf_records_root / "ucf101"
    result = python_module("experiments.train_tan", f"--records_dir={records}",
                           f"--workspace={tmp_path / 'ws'}", "--backbone=resnet1000")
    assert_flag_error(result, r"flag --backbone=resnet1000: value should be one of "
                              r"<googlenet\|inception_v3\|mobilenet_v2\|resnet50\|tiny>")
    result = python_module("experiments.train_tan", f"--records_dir={tmp_path / 'nowhere'}",
                           f"--workspace={tmp_path / 'ws'}", "--backbone=tiny")
    assert_flag_error(result, r"flag --records_dir=.*nowhere: --records_dir=.*nowhere is not a "
                              r"folder\. Build records with python -m data_prep\.build_records")
    (tmp_path / "empty").mkdir()
    result = python_module("experiments.evaluate", f"--records_dir={tmp_path / 'empty'}",
                           f"--workspace={tmp_path / 'ws'}")
    assert_flag_error(result, r"flag --records_dir=.*empty: --records_dir=.*empty holds no "
                              r"manifest\.json")
    result = python_module("experiments.train_tan", f"--records_dir={records}",
                           f"--workspace={tmp_path / 'ws'}", "--backbone=tiny", "--init=tan:nope")
    assert_flag_error(result, r"flag --init=tan:nope: --init=tan:nope: nope does not exist")
    result = python_module("experiments.train_tan", f"--records_dir={records}",
                           f"--workspace={tmp_path / 'ws'}", "--backbone=tiny", "--run_eagerly",
                           "--jit_compile")
    assert_flag_error(result, r"flags run_eagerly=True, jit_compile=True: --run_eagerly and "
                              r"--jit_compile exclude each other")
    result = python_module("experiments.train_tan", f"--records_dir={records}",
                           f"--workspace={tmp_path / 'ws'}", "--backbone=inception_v3",
                           "--image_size=75", "--imagenet_weights=w.h5")
    assert_flag_error(result, r".*Expected imagenet_weights to be the path of the TF-Slim "
                              r"inception_v1\.ckpt or of a \.weights\.h5\. Received: "
                              r"--imagenet_weights=w\.h5 \(no such file\)")
    assert not (tmp_path / "ws").exists()


def test_googlenet_from_imagenet_needs_the_checkpoint_path(ucf_records_root, tmp_path):
    result = python_module("experiments.pretrain_cnn",
                           f"--records_dir={ucf_records_root / 'ucf101'}",
                           f"--workspace={tmp_path / 'ws'}", "--stream=rgb")
    # The library's message (tests/tan_keras/training/test_initialization.py), in flag names.
    assert_flag_error(result, r"flags backbone=googlenet, imagenet=True, imagenet_weights=None: "
                              r"Expected --imagenet_weights=<path to inception_v1\.ckpt> for "
                              r"--backbone=googlenet from ImageNet: Keras has no ImageNet file for "
                              r"it \(download http://download\.tensorflow\.org/models/"
                              r"inception_v1_2016_08_28\.tar\.gz; see docs/backbones\.md\)\. "
                              r"Received: --imagenet_weights=None\. Pass it, start from other "
                              r"weights \(--noimagenet\) or use another --backbone\.$")
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("backend, module", [("jax", "experiments.train_tan"),
                                             ("tensorflow", "experiments.pretrain_cnn")])
def test_fewer_training_videos_than_a_global_batch_is_one_line(ucf_records_root, tmp_path,
                                                              backend, module):
    """3 training videos, 2 mirrored CPU devices, --batch_size=4: every step would need a full
    batch, so no epoch has one. Refused before anything is written."""
    if backend == "jax":
        pytest.importorskip("jax")
    result = python_module(module, f"--records_dir={ucf_records_root / 'ucf101'}",
                           f"--workspace={tmp_path / 'ws'}", *TINY_TRAINING, *(
                               TINY_MODEL if module.endswith("train_tan") else []),
                           "--batch_size=4", "--strategy=mirrored", "--num_cpu_devices=2",
                           KERAS_BACKEND=backend)
    assert_input_error(result, r"Expected at least --batch_size=4 training videos in split 1 of "
                               r".*ucf101: with 2 replicas every step takes a full global batch\. "
                               r"Received: 3 training videos\. Pass a smaller --batch_size \(at "
                               r"most 3, divisible by 2\), or --strategy=default\.$")
    assert not (tmp_path / "ws").exists()


def test_the_quickstart_rejects_bad_sizes_before_generating_anything(tmp_path):
    result = console_script("tan-quickstart", "--epochs=-2", f"--workspace={tmp_path / 'qs'}")
    assert_flag_error(result, r"flag --epochs=-2: -2 is not a positive integer")
    result = python_module("experiments.quickstart", "--positions_per_segment=12",
                           f"--workspace={tmp_path / 'qs'}")
    assert_flag_error(result, r".*Expected positions_per_segment <= frames_per_segment\. "
                              r"Received: 12 > 10")
    assert not (tmp_path / "qs").exists()


@pytest.fixture(scope="module")
def pretrained(ucf_records_root, tmp_path_factory):
    """A workspace with both pretrain_cnn stages, as `pretrain_cnn --stream=rgb|flow` with
    TINY_TRAINING's flags would make them (run in-process: they are the setting here, not what
    is tested)."""
    from tan_keras.training import pretrain_cnn
    from tests.helpers.tiny import QUIET_EAGER, tiny_settings

    workspace = tmp_path_factory.mktemp("errors") / "ws"
    for stream in ("rgb", "flow"):
        pretrain_cnn(ucf_records_root / "ucf101", workspace, stream, 1, tiny_settings(),
                     run=QUIET_EAGER)
    return ucf_records_root / "ucf101", workspace


@pytest.mark.slow
def test_an_incompatible_checkpoint_is_one_line_and_the_corrected_run_trains(pretrained):
    records, workspace = pretrained
    flags = [f"--records_dir={records}", f"--workspace={workspace}", "--init=cnn", *TINY_MODEL,
             *EAGER]
    wrong_size = [f if f != "--image_size=32" else "--image_size=48" for f in TINY_TRAINING]
    result = python_module("experiments.train_tan", *flags, *wrong_size)
    assert_input_error(result, r"Incompatible checkpoint for --init=cnn: .*pretrain_cnn/"
                               r"ucf101_split1_rgb/backbone\.weights\.h5 was trained with other "
                               r"settings: image_size is 32 there but 48 here\.$")
    assert not (workspace / "train_tan").exists()
    result = python_module("experiments.evaluate", f"--records_dir={records}",
                           f"--workspace={workspace}")
    assert_input_error(result, r"Expected a finished train_tan run with dataset='ucf101' in "
                               r".*train_tan\. Received: none \(finished runs: none\); train it "
                               r"with train_tan, or give (--)?run_name")
    result = python_module("experiments.train_tan", *flags, *TINY_TRAINING)
    assert result.returncode == 0, output_of(result)
    assert (workspace / "train_tan" / "ucf101_split1_tan_cnn" / "final.weights.h5").is_file()


@pytest.mark.slow
def test_a_start_without_a_finished_epoch_restarts_and_finished_work_refuses(pretrained):
    records, workspace = pretrained
    flags = [f"--records_dir={records}", f"--workspace={workspace}", "--init=cnn", *TINY_MODEL,
             *TINY_TRAINING, *EAGER]
    finished = workspace / "train_tan" / "ucf101_split1_tan_cnn"
    if not (finished / "done.json").is_file():  # the test above trains it; run alone, train it
        python_module("experiments.train_tan", *flags)
    # An earlier start of run "restarted" with seed 9 that died before its first epoch ended.
    started = workspace / "train_tan" / "restarted"
    started.mkdir()
    settings = json.loads((finished / "settings.json").read_text())
    settings["training"]["seed"] = 9
    (started / "settings.json").write_text(json.dumps(settings))
    result = python_module("experiments.train_tan", *flags, "--run_name=restarted")
    assert result.returncode == 0, output_of(result)
    assert (f"note: {started} was started with other settings but finished no epoch; restarting "
            f"it with these (training.seed is 9 there but 3 here).") in result.stdout
    other_seed = [f if f != "--seed=3" else "--seed=4" for f in flags]
    result = python_module("experiments.train_tan", *other_seed, "--run_name=restarted")
    assert_input_error(result, rf"{re.escape(str(started))} holds a finished run with other "
                               r"settings: training\.seed is 3 there but 4 here\. To start over, "
                               rf"delete {re.escape(str(started))}; to keep it, choose another "
                               r"--run_name or --workspace\.$")


def test_traceback_on_request(tmp_path, ucf_records_root):
    flags = [f"--records_dir={ucf_records_root / 'ucf101'}", f"--workspace={tmp_path}"]
    result = python_module("experiments.evaluate", *flags, TAN_KERAS_TRACEBACK="1")
    assert result.returncode == 1 and "Traceback" in result.stderr, output_of(result)
    assert "MissingInputError: Expected a finished train_tan run" in result.stderr


def test_console_scripts_are_installed():
    for name in ("tan-quickstart", "tan-build-records"):
        assert shutil.which(name), f"{name} is not on PATH (pip install -e .)"
