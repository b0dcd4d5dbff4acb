"""Every module, name and file of the project that the docs and docstrings cite exists.

A reference such as `tan_keras.data.crops.train_crop_window` in a .py or .md file of the
library, the commands or the docs must name a module of this checkout and, when it goes on past
the module, one of the module's top-level names; a path such as `docs/model.md` must be a file.
Read with `ast`, nothing imported. The table of old import paths in docs/training.md is skipped:
it cites names that are gone on purpose.
"""

import ast
import functools
import re
from pathlib import Path

from tests.helpers.paths import REPO_ROOT

PACKAGES = ("tan_keras", "data_prep", "experiments", "tests")
REFERENCE = re.compile(r"(?<![\w/.])((?:%s)(?:\.[A-Za-z_]\w*)+)" % "|".join(PACKAGES))
NOT_NAMES = ("md", "py", "json", "txt", "csv", "png")
# A path of a file in this checkout, e.g. `experiments/benchmarks/model.py` or `docs/model.md`.
PATH = re.compile(
    r"(?<![\w/.])((?:tan_keras|data_prep|experiments|tests|docs)/[\w/.-]+\.(?:py|md))")
OLD_PATHS_HEADING = "## Where the old import paths went"


def _module_file(parts) -> Path | None:
    path = REPO_ROOT.joinpath(*parts)
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=None)
def _top_level_names(module_file: Path) -> frozenset:
    names = set()
    for node in ast.parse(module_file.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    if "__getattr__" in names:  # lazy exports (PEP 562): the keys of its module-level dicts
        for node in ast.parse(module_file.read_text(encoding="utf-8")).body:
            value = getattr(node, "value", None)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Dict):
                names.update(key.value for key in value.keys if isinstance(key, ast.Constant))
    return frozenset(names)


def _problem(reference: str) -> str | None:
    parts = reference.split(".")
    if parts[-1] in NOT_NAMES:
        parts = parts[:-1]
    for end in range(len(parts), 0, -1):
        module_file = _module_file(parts[:end])
        if module_file is not None:
            break
    else:
        return "no such module"
    rest = parts[end:]
    if rest and rest[0] not in _top_level_names(module_file):
        return f"{'.'.join(parts[:end])} has no top-level name {rest[0]!r}"
    return None


def _cited_lines(path: Path):
    skipping = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            skipping = line.strip() == OLD_PATHS_HEADING
        if not skipping:
            yield number, line


def test_every_cited_module_and_name_exists():
    files = [p for folder in ("tan_keras", "data_prep", "experiments", "docs")
             for p in sorted((REPO_ROOT / folder).rglob("*")) if p.suffix in (".py", ".md")]
    files += [REPO_ROOT / "README.md", REPO_ROOT / "WORKSPACE.md"]
    stale = []
    for path in files:
        for number, line in _cited_lines(path):
            for reference in REFERENCE.findall(line):
                problem = _problem(reference)
                if problem:
                    stale.append(f"{path.relative_to(REPO_ROOT)}:{number}: {reference}: {problem}")
            for cited in PATH.findall(line):
                if not (REPO_ROOT / cited).is_file():
                    stale.append(f"{path.relative_to(REPO_ROOT)}:{number}: {cited}: no such file")
    assert not stale, "stale references:\n" + "\n".join(stale)


def test_the_checks_see_a_stale_reference():
    assert PATH.findall("see `experiments/bench_input.py` and docs/model.md") == [
        "experiments/bench_input.py", "docs/model.md"]
    assert _problem("tan_keras.data.crops.no_such_function")
    assert _problem("experiments.no_such_command")
    assert _problem("tan_keras.data.crops.train_crop_window") is None
    assert _problem("tan_keras.data") is None
