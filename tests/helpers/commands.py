"""Running the project's commands as a user types them: subprocesses from the repository root."""

import os
import shutil
import subprocess
import sys

from tests.helpers.paths import REPO_ROOT
from tests.helpers.tiny import TINY_MODEL_FLAGS, tiny_flags

# Tiny settings every training command of the tests shares (tests/helpers/tiny.py's, as flags).
TINY_TRAINING = tiny_flags()
TINY_MODEL = TINY_MODEL_FLAGS
# For the tests of what the commands orchestrate (tables, the chain of stages, error lines): the
# tiny train step untraced, 1.5 s a stage instead of 4. The compiled step is what the tests of
# training itself run (resume equality, strategies, precision, JAX).
EAGER = ["--run_eagerly"]


def command_env(**extra) -> dict:
    """The environment of a command: TensorFlow's logs quiet, the tensorflow Keras backend unless
    `extra` names another (KERAS_BACKEND="jax")."""
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow", **extra}


def python_module(module: str, *flags, timeout: int = 600, cwd=REPO_ROOT,
                  **env) -> subprocess.CompletedProcess:
    """`python -m <module> <flags>`, as typed in a shell; returns the finished process."""
    return subprocess.run([sys.executable, "-m", module, *map(str, flags)], cwd=cwd,
                          env=command_env(**env), capture_output=True, text=True,
                          timeout=timeout)


def console_script(name: str, *flags, timeout: int = 600, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    """An installed console script (`tan-build-records`, `tan-quickstart`) by its name."""
    path = shutil.which(name)
    assert path, f"{name} is not on PATH: install the package first (pip install -e .)"
    return subprocess.run([path, *map(str, flags)], cwd=cwd, env=command_env(),
                          capture_output=True, text=True, timeout=timeout)


def output_of(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n" \
           f"{result.stderr[-4000:]}"


def problem_lines(stderr: str) -> list[str]:
    """The lines of stderr a user reads as the error: absl's flag error or our `error:` line.

    TensorFlow's and absl's start-up log lines (I0000 ..., W0000 ..., 'WARNING: All log
    messages ...') are left out; they are not the command's message.
    """
    noise = ("I0000", "W0000", "E0000", "WARNING: All log messages", "To enable the following")
    return [line for line in stderr.splitlines()
            if line.strip() and not line.startswith(noise)]


def kill_when_a_video_is_built(proc: subprocess.Popen, output_dir, timeout: float) -> None:
    """SIGKILLs the process group of a running build (started with start_new_session=True) as
    soon as its first per-video result is in <output_dir>/.work, or after `timeout` seconds."""
    import signal
    import time

    work = os.path.join(output_dir, ".work")
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if os.path.isdir(work) and any(f.endswith(".json") and f != "params.json"
                                       for f in os.listdir(work)):
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_together(commands, timeout: float = 420) -> list[tuple[int, str]]:
    """Starts `python -m <module> <flags>` for each (argv, env) of `commands` at once, from the
    repository root, and waits for all: [(exit status, stdout and stderr)], in order.

    The processes of one multi-process run wait for each other, so one that hangs is killed
    with the others after `timeout` seconds (and the exit statuses say so).
    """
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as folder:
        logs = [open(os.path.join(folder, f"{i}.log"), "w+") for i in range(len(commands))]
        processes = [subprocess.Popen([sys.executable, "-m", *map(str, argv)], cwd=REPO_ROOT,
                                      env=command_env(**env), stdout=log,
                                      stderr=subprocess.STDOUT, text=True)
                     for (argv, env), log in zip(commands, logs)]
        deadline = time.time() + timeout
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.time(), 1))
            except subprocess.TimeoutExpired:
                for other in processes:
                    other.kill()
                process.wait()
        results = []
        for process, log in zip(processes, logs):
            process.wait()
            log.seek(0)
            results.append((process.returncode, log.read()))
            log.close()
        return results
