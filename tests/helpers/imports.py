"""What importing a module loads, checked in a fresh interpreter (this one has loaded everything)."""

import os
import subprocess
import sys

from tests.helpers.paths import REPO_ROOT

HEAVY = ("jax", "keras", "tensorflow")


def in_fresh_process(code: str, **env) -> str:
    """The stdout of `python -c <code>` in a new Python process from the repository root, with
    `env` added to this process's environment; raises when it fails (its stderr in the error)."""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                            text=True, env={**os.environ, **env})
    if result.returncode:
        raise AssertionError(f"exit {result.returncode}\n{result.stderr[-4000:]}")
    return result.stdout


def heavy_imports(*modules: str) -> list[str]:
    """The top-level packages of `HEAVY` that `import <modules>` loads in a new Python process."""
    code = (f"import sys, {', '.join(modules)}; "
            f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    return in_fresh_process(code).split()
