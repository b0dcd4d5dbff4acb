"""The build command run as a user types it: bad flags and bad input in one line, no traceback,
nothing written; then the corrected command builds."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tan_keras import record_format as rf
from tests.helpers.paths import REPO_ROOT
from tests.helpers.real_records import write_ucf101_splits

TINY = ["--positions=3", "--frame_size=80x60", "--progress=false"]


def _command(launcher: str) -> list[str]:
    if launcher == "module":
        return [sys.executable, "-m", "data_prep.build_records"]
    script = shutil.which("tan-build-records")
    if script is None:
        pytest.skip("the tan-build-records console script is not on PATH (pip install -e .)")
    return [script]


def _run(args, launcher: str = "module", **env) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(launcher), *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **env))


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("launcher", ["module", "console_script"])
def test_missing_video_dir_is_one_line_and_writes_nothing(tmp_path, launcher):
    video_dir, out = tmp_path / "no" / "such" / "dir", tmp_path / "records"
    run = _run([f"--video_dir={video_dir}", f"--output_dir={out}", *TINY], launcher)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    naming = [line for line in _lines(run.stderr) if str(video_dir) in line]
    assert len(naming) == 1, run.stderr
    assert re.fullmatch(rf"FATAL Flags parsing error: flag --video_dir={re.escape(str(video_dir))}"
                        r": no such folder\. Expected the video root, with one sub-folder per "
                        r"class\.", naming[0])
    # absl's own hint is the only other line.
    assert [line for line in _lines(run.stderr) if line not in naming] == [
        "Pass --helpshort or --helpfull to see help on flags."]
    assert not out.exists()


def test_a_bad_flag_value_is_refused_at_parse_time(shared_data, tmp_path):
    out = tmp_path / "records"
    run = _run([f"--video_dir={shared_data / 'videos' / 'ucf101'}", f"--output_dir={out}",
                *TINY, "--min_decoded_fraction=1.5"])
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert re.fullmatch(r"FATAL Flags parsing error: flag --min_decoded_fraction=1\.5: Expected "
                        r"a value in \(0, 1\]\. Received: 1\.5", _lines(run.stderr)[0])
    assert not out.exists()


def test_unknown_class_in_a_split_file_then_the_corrected_command(shared_data, tmp_path):
    splits = write_ucf101_splits(tmp_path / "splits")
    correct = (splits / "trainlist01.txt").read_bytes()
    (splits / "trainlist01.txt").write_bytes(correct + b"Boxing/v_Boxing_g08_c01.avi 4\r\n")
    out = tmp_path / "records"
    args = ["--dataset=ucf101", f"--video_dir={shared_data / 'videos' / 'ucf101'}",
            f"--splits_dir={splits}", f"--output_dir={out}", "--num_workers=2", *TINY]

    run = _run(args)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert len(_lines(run.stderr)) == 1, run.stderr
    assert re.fullmatch(r"error: .*trainlist01\.txt:4: unknown class 'Boxing'\. Expected a class "
                        r"of classInd\.txt \(3 classes: BabyCrawling, Punch, PushUps\)\. "
                        r"Received: 'Boxing/v_Boxing_g08_c01\.avi 4'", _lines(run.stderr)[0])
    assert not out.exists()

    traced = _run(args, TAN_KERAS_TRACEBACK="1")
    assert traced.returncode != 0 and "Traceback" in traced.stderr
    assert "IncompatibleInputError" in traced.stderr

    (splits / "trainlist01.txt").write_bytes(correct)
    run = _run(args)
    assert run.returncode == 0, run.stderr
    assert not re.search(r"^error:", run.stderr, re.M)
    assert re.search(r"^Built 6 video records \(18 positions\) in 1 shard\(s\); 0 failed, "
                     r"0 missing\.$", run.stdout, re.M)
    manifest = json.loads((out / rf.MANIFEST_FILENAME).read_text())
    assert manifest["counts"]["videos"] == 6 and manifest["damaged"] == []
