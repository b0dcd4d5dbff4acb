"""tan-predict and experiments.export as a user types them, on a real clip and a model trained in
the test: the printed classes are evaluate's saved scores (from the run, its stage folder and its
export), the figure is written, an H.264 .mp4 works, and a file that is not a video or a model
gets one line."""

import re
import subprocess

import numpy as np
import pytest

from tests.helpers.commands import console_script, output_of, problem_lines, python_module

VIDEO = "Punch/v_Punch_g01_c01.avi"  # a test video of split 1: in scores.npz
LINE = re.compile(r"^(spatial|temporal|fused)\s+(.*)$")


def _printed_scores(stdout: str) -> dict:
    """{stream: [(class, percent)]} from the printed lines."""
    scores = {}
    for line in stdout.splitlines():
        match = LINE.match(line)
        if match:
            pairs = re.findall(r"(\S+) ([0-9.]+)%", match.group(2))
            scores[match.group(1)] = [(name, float(p)) for name, p in pairs]
    return scores


def _assert_evaluates_scores(printed: dict, scores, video: str, atol: float = 0.051):
    row = list(scores["video_ids"]).index(video)
    for stream in ("spatial", "temporal", "fused"):
        expected = sorted(zip(scores["classes"], 100 * scores[stream][row]), key=lambda x: -x[1])
        assert [name for name, _ in printed[stream]] == [str(n) for n, _ in expected], stream
        np.testing.assert_allclose([p for _, p in printed[stream]], [p for _, p in expected],
                                   atol=atol)


@pytest.fixture(scope="module")
def run(evaluated_tiny_run):
    records, workspace, run_name = evaluated_tiny_run
    scores = np.load(workspace / "evaluate" / run_name / "scores.npz")
    return workspace, run_name, scores


def test_predict_with_a_run_prints_evaluates_scores_and_writes_the_figure(run, shared_data,
                                                                          tmp_path):
    workspace, run_name, scores = run
    figure = tmp_path / "punch.png"
    result = console_script("tan-predict", f"--video={shared_data / 'videos' / 'ucf101' / VIDEO}",
                            f"--workspace={workspace}", f"--run_name={run_name}",
                            f"--figure={figure}", "--noprogress")
    assert result.returncode == 0, output_of(result)
    assert "121 frames; snippets at frames 20, 60, 100" in result.stdout
    _assert_evaluates_scores(_printed_scores(result.stdout), scores, VIDEO)
    data = figure.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_an_exported_model_predicts_the_same(run, shared_data, tmp_path):
    workspace, run_name, scores = run
    export = python_module("experiments.export", f"--workspace={workspace}",
                           f"--run_name={run_name}", "--format=keras",
                           f"--output={tmp_path / 'tan.keras'}")
    assert export.returncode == 0, output_of(export)
    assert f"wrote {tmp_path / 'tan.keras'}" in export.stdout
    result = python_module("experiments.predict",
                           f"--video={shared_data / 'videos' / 'ucf101' / VIDEO}",
                           f"--model={tmp_path / 'tan.keras'}", f"--figure={tmp_path / 'f.png'}",
                           "--noprogress", cwd=tmp_path)
    assert result.returncode == 0, output_of(result)
    _assert_evaluates_scores(_printed_scores(result.stdout), scores, VIDEO)


def test_a_stage_folder_as_model_predicts_the_same(run, shared_data, tmp_path):
    workspace, run_name, scores = run
    result = python_module("experiments.predict",
                           f"--video={shared_data / 'videos' / 'ucf101' / VIDEO}",
                           f"--model={workspace / 'train_tan' / run_name}",
                           f"--figure={tmp_path / 'f.png'}", "--noprogress")
    assert result.returncode == 0, output_of(result)
    _assert_evaluates_scores(_printed_scores(result.stdout), scores, VIDEO)
    result = python_module("experiments.predict",
                           f"--video={shared_data / 'videos' / 'ucf101' / VIDEO}",
                           f"--model={tmp_path / 'f.png'}", "--noprogress")
    assert result.returncode == 2 and "Traceback" not in result.stderr, output_of(result)
    assert problem_lines(result.stderr) == [
        "error: Expected a train_tan run (a workspace with run_name, or a stage folder "
        "<workspace>/train_tan/<run_name>) or an exported model (a .keras file, a SavedModel "
        f"folder, a .tflite file, an .onnx file). Received: path='{tmp_path / 'f.png'}'"]


def test_an_h264_mp4_is_read_and_a_file_that_is_not_a_video_gets_one_line(run, shared_data,
                                                                         tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    workspace, run_name, _ = run
    mp4 = tmp_path / "punch.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i",
                    str(shared_data / "videos" / "ucf101" / VIDEO), "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(mp4)], check=True)
    flags = [f"--workspace={workspace}", f"--run_name={run_name}", "--noprogress",
             f"--figure={tmp_path / 'mp4.png'}"]
    result = console_script("tan-predict", f"--video={mp4}", *flags)
    assert result.returncode == 0, output_of(result)
    printed = _printed_scores(result.stdout)
    assert sorted(printed) == ["fused", "spatial", "temporal"]
    assert sum(p for _, p in printed["fused"]) == pytest.approx(100, abs=0.3)
    text = tmp_path / "notes.avi"
    text.write_text("not a video\n")
    result = console_script("tan-predict", f"--video={text}", *flags)
    assert result.returncode == 2 and "Traceback" not in result.stderr, output_of(result)
    assert problem_lines(result.stderr) == [
        f"error: {text}: OpenCV cannot open it as a video (unreadable or not a video format "
        "OpenCV decodes)."]


def test_the_model_is_named_once(tmp_path):
    result = python_module("experiments.predict", f"--video={tmp_path}/x.avi",
                           "--model=m.keras", "--workspace=ws", "--run_name=r")
    assert result.returncode == 1
    assert "Give the model either as --workspace and --run_name, or as --model" in result.stderr
