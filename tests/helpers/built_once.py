"""Expensive session fixtures built once per test run, even with pytest-xdist's workers.

Each xdist worker is its own process with its own session fixtures, so a records build or a
training run in a session fixture would run once per worker. `built_once` runs it in the first
worker that asks, under a file lock in the base folder that all workers share, writes its
result there as JSON, and gives the other workers that result (the recipe of pytest-xdist's
docs, "Making session-scoped fixtures execute only once", with the standard library's fcntl
instead of the filelock package).
"""

import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import Callable


def shared_root(tmp_path_factory) -> Path:
    """The folder all workers of this run share: pytest's base temp folder, or its parent
    under xdist (each worker's base folder is <shared>/popen-gw<N>)."""
    root = tmp_path_factory.getbasetemp()
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # also set in a worker's subprocesses
    return root.parent if worker and root.name == f"popen-{worker}" else root


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]):
    """`build(folder)` once per test run; returns its result (JSON-able) in every worker.

    Args:
      tmp_path_factory: pytest's session fixture.
      name: a name for the result, unique in the run; `folder` is <shared root>/<name>.
      build: (an empty folder) -> a JSON-able value (paths as strings).
    """
    root = shared_root(tmp_path_factory)
    done = root / f"{name}.json"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if done.exists():
            return json.loads(done.read_text())
        folder = root / name
        if folder.exists():  # a worker's build that failed: start again
            shutil.rmtree(folder)
        folder.mkdir()
        result = build(folder)
        done.write_text(json.dumps(result))
        return result
