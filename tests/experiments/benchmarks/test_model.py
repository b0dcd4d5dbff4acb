"""experiments.benchmarks.model as a user runs it on JAX, in a process where TensorFlow cannot be
imported (a GPU machine with only JAX and Keras): fit-based clips/s, the first call, the start-up
of a second fresh process with the compilation cache filled, and a profile trace."""

import re
import subprocess
import sys

import pytest

from tests.helpers.commands import TINY_MODEL, command_env, output_of
from tests.helpers.paths import REPO_ROOT

pytest.importorskip("jax")

# As `python -m experiments.benchmarks.model ...`, with `import tensorflow` failing. The benchmark
# starts its two measuring runs the way it was started, so they run without TensorFlow too: each
# process says so on stderr.
BLOCKED = "tensorflow cannot be imported in this process"
WITHOUT_TENSORFLOW = f"""
import runpy, sys
sys.modules["tensorflow"] = None
print({BLOCKED!r}, file=sys.stderr)
sys.argv = ["model"] + sys.argv[1:]
runpy.run_module("experiments.benchmarks.model", run_name="__main__")
"""

POSITIVE_FIELDS = ("params", "build_s", "first_call_s", "step_s", "clips_per_s", "eval_video_s",
                   "cached_build_s", "cached_first_call_s")


def result_fields(stdout: str) -> dict:
    """The `RESULT key=value ...` line of the output, as a dict of strings."""
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, f"Expected one RESULT line. Received:\n{stdout}"
    return dict(field.split("=", 1) for field in lines[0].split()[1:])


@pytest.mark.slow
def test_fit_timing_cached_start_up_and_profile_on_jax_without_tensorflow(tmp_path):
    profile_dir = tmp_path / "profile"
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_TENSORFLOW, "--backbone=tiny", "--image_size=32",
         "--batch_size=2", "--num_snippets=2", *TINY_MODEL, "--steps=2", "--repeats=1", "--eval_views=2",
         f"--profile={profile_dir}", "--profile_steps=1",
         f"--compilation_cache_dir={tmp_path / 'cache'}"],
        cwd=REPO_ROOT, env=command_env(KERAS_BACKEND="jax"), capture_output=True, text=True,
        timeout=300)
    assert run.returncode == 0, output_of(run)
    assert run.stderr.count(BLOCKED) == 3, output_of(run)  # this one and its two runs

    fields = result_fields(run.stdout)
    assert fields["backend"] == "jax" and fields["loop"] == "fit", fields
    assert fields["batch_size"] == "2" and fields["image_size"] == "32", fields
    for name in POSITIVE_FIELDS:
        assert float(fields[name]) > 0, f"{name}={fields.get(name)} in {fields}"
    assert float(fields["clips_per_s"]) == pytest.approx(2 / float(fields["step_s"]), rel=1e-3)
    assert fields["cache_entries_before"] == "0", fields
    assert any((tmp_path / "cache").iterdir()), "the first run filled no compilation cache"
    assert "fresh process with the compilation cache filled" in run.stdout

    traces = sorted(profile_dir.rglob("*.xplane.pb")) + sorted(
        profile_dir.rglob("*perfetto_trace.json.gz"))
    assert len(traces) == 2 and all(path.stat().st_size > 0 for path in traces), traces
    assert all(str(path) in run.stdout for path in traces), run.stdout
    assert re.search(r"steady state, the fastest of 1 calls of 2 steps: \d+ ms a step", run.stdout), run.stdout
