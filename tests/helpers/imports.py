"""What importing a module loads, checked in a fresh interpreter (this one has loaded everything)."""

import subprocess
import sys

from tests.helpers.paths import REPO_ROOT

HEAVY = ("jax", "keras", "tensorflow")


def heavy_imports(*modules: str) -> list[str]:
    """The top-level packages of `HEAVY` that `import <modules>` loads in a new Python process."""
    code = (f"import sys, {', '.join(modules)}; "
            f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                            text=True, check=True)
    return result.stdout.split()
