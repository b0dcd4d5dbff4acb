"""The Python snippets the docs show (```` ```python ```` blocks): do they import, bind and call
what exists?

Every snippet is checked without running it (`check_snippet`):

1. **It parses** (its fence's indentation removed).
2. **Its imports work**: each `import` / `from ... import` in it is executed. An import of the
   project's packages (`tan_keras`, `data_prep`, `experiments`) must work; an import of another
   package must work when that package is installed here, and is skipped when it is not (a
   snippet may show an optional package, such as `dask_jobqueue` for a Slurm cluster).
3. **Its names are bound**: every name it reads is a builtin, or bound in the snippet (assigned,
   imported, defined, a function argument, a loop target), or bound by an earlier snippet of the
   same page (a page's snippets read as one session). Scopes are not told apart.
4. **Its calls fit**: a call of something it imported (`train_tan(...)`, `TrainingSettings.preset(
   ...)`, `data.train_dataset(...)`) binds its positional count and keyword names to the
   callable's signature (`inspect.Signature.bind_partial`), so a renamed or dropped argument
   (`strategy=` for `run=RunOptions(strategy=...)`, `path=` for `checkpoint_path=`) fails. Calls
   with `*args` or `**kwargs`, and callables without a signature, are not checked.

Inline code spans that are Python calls (`train_tan(..., run=RunOptions(strategy=...))` in
prose, `inline_calls_in_markdown`) get step 4 only, against what the page's snippets import or a
dotted path into the project (`tan_keras.backbones.slim_checkpoint.load_slim_inception_v1(...)`);
a call that resolves to nothing is not checked. A span written as a signature (two or more
positional arguments, all bare names, one of them its parameter's name) must name every
positional parameter as the function does: `load_slim_inception_v1(model, path, strict=True)`
fails, its second parameter being `checkpoint_path`.

A snippet marked to run (`RUN_MARK`, an HTML comment on the line just above its fence, which
Markdown does not show) is also run whole, in a temporary folder, after the earlier marked
snippets of its page, in their namespace. Mark the small ones: no dataset, no download, a tiny
model.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import inspect
import io
import os
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import shell_blocks as sb

PYTHON_INFO = frozenset({"python", "py", "python3"})
RUN_MARK = "<!-- the docs test runs this snippet -->"
PROJECT_PACKAGES = ("tan_keras", "data_prep", "experiments")


@dataclass(frozen=True)
class Snippet:
    """One ```` ```python ```` block (where its first line is, its text, whether it runs), or an
    inline code span that is a Python call (`inline`)."""

    source: str
    line: int
    text: str
    run: bool = False
    inline: bool = False


def snippets_in_markdown(markdown: str, source: str) -> list[Snippet]:
    """The Python blocks of a Markdown text, each marked to run when `RUN_MARK` is just above."""
    lines = markdown.split("\n")
    snippets = []
    for block in sb.fenced_blocks(markdown, source):
        if block.info not in PYTHON_INFO:
            continue
        above = block.start_line - 3  # 0-based index of the line above the fence
        run = above >= 0 and lines[above].strip() == RUN_MARK
        snippets.append(Snippet(source, block.start_line, block.text, run))
    return snippets


def inline_calls_in_markdown(markdown: str, source: str) -> list[Snippet]:
    """The inline code spans of a Markdown text that are Python expressions with a call
    (`train_tan(..., run=RunOptions(strategy="multi_worker"))`), as inline snippets."""
    found = []
    for block in sb.inline_spans(markdown, source):
        try:
            tree = ast.parse(block.text, mode="eval")
        except SyntaxError:
            continue
        if any(isinstance(node, ast.Call) for node in ast.walk(tree)):
            found.append(Snippet(source, block.start_line, block.text, inline=True))
    return found


def _bound_names(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (scopes not told apart)."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
    return bound


def _read_names(tree: ast.AST) -> list[tuple[str, int]]:
    """(name, line) of every name the code reads, in order, each once."""
    seen, names = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in seen:
            seen.add(node.id)
            names.append((node.id, node.lineno))
    return sorted(names, key=lambda item: item[1])


def _installed(module: str) -> bool:
    top = module.split(".")[0]
    if top in PROJECT_PACKAGES:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _run_imports(tree: ast.AST, namespace: dict) -> list[tuple[int, str]]:
    """Executes the code's import statements into `namespace`: (line, problem) of those that fail.

    An import of a package that is not installed here (and not the project's) is skipped.
    """
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module]
        else:
            continue
        if not all(_installed(module) for module in modules):
            continue
        statement = ast.Module(body=[node], type_ignores=[])
        try:
            exec(compile(statement, "<snippet>", "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 (any import failure is the doc's)
            problems.append((node.lineno, f"{ast.unparse(node)} fails: "
                                          f"{type(error).__name__}: {error}"))
    return problems


def _project_object(parts: list[str]):
    """`tan_keras.backbones.slim_checkpoint.load_slim_inception_v1` as an object, or None."""
    for depth in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:depth]))
        except ImportError:
            continue
        for attribute in parts[depth:]:
            value = getattr(value, attribute, None)
            if value is None:
                return None
        return value
    return None


def _resolve(node: ast.expr, imported: dict):
    """The object a call's function names when it is an imported name, an attribute chain from
    one (`data.train_dataset`, `TrainingSettings.preset`) or a dotted path into the project
    (`tan_keras.training.train_tan`), else None."""
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    if node.id not in imported:
        if node.id in PROJECT_PACKAGES:
            return _project_object([node.id, *reversed(chain)])
        return None
    value = imported[node.id]
    for attribute in reversed(chain):
        value = getattr(value, attribute, None)
        if value is None:
            return None
    return value


def _misnamed_parameters(call: ast.Call, signature: inspect.Signature) -> list[str]:
    """`written (parameter)` for each bare name among the positional arguments of a call written
    as a signature that is not the parameter's name.

    A call is written as a signature (`load_slim_inception_v1(model, checkpoint_path,
    strict=True)` in prose) when every positional argument is a bare name, there are two or more,
    and at least one of them is its parameter's name.
    """
    names = [arg.id if isinstance(arg, ast.Name) else None for arg in call.args]
    parameters = [p.name for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:len(names)]
    if len(names) < 2 or None in names or len(parameters) < len(names) or \
            not any(n == p for n, p in zip(names, parameters)):
        return []
    return [f"{n} ({p})" for n, p in zip(names, parameters) if n != p]


def _call_problems(tree: ast.AST, imported: dict,
                   as_signature: bool = False) -> list[tuple[int, str]]:
    """(line, problem) of each call of an imported callable that does not fit its signature;
    with `as_signature`, also each call written as a signature whose names are not the
    parameters' (`_misnamed_parameters`)."""
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            continue
        target = _resolve(node.func, imported)
        if target is None or not callable(target):
            continue
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):
            continue
        try:
            signature.bind_partial(*[None] * len(node.args),
                                   **{k.arg: None for k in node.keywords})
        except TypeError as error:
            problems.append((node.lineno, f"{ast.unparse(node.func)}(...) does not fit its "
                                          f"signature {signature}: {error}"))
            continue
        misnamed = _misnamed_parameters(node, signature) if as_signature else []
        if misnamed:
            problems.append((node.lineno, f"{ast.unparse(node.func)}(...) is written as its "
                                          f"signature {signature}, but names "
                                          f"{', '.join(misnamed)}"))
    return problems


@contextlib.contextmanager
def _working_folder(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def check_snippet(snippet: Snippet, page_names: set[str], page_imports: dict | None = None,
                  run_namespace: dict | None = None, scratch: Path | None = None) -> list[str]:
    """The problems of one snippet, each `line: message` (file lines).

    Args:
      page_names: the names the page's earlier snippets bind.
      page_imports: what the page's earlier snippets imported ({name: object}); this snippet's
        imports are added. An inline snippet's calls are resolved against it.
      run_namespace: where a snippet marked to run runs (the page's earlier run snippets'
        namespace); None runs nothing.
      scratch: the folder it runs in.
    """
    code = textwrap.dedent(snippet.text)
    first = snippet.line
    page_imports = {} if page_imports is None else page_imports

    def at(line: int, message: str) -> str:
        return f"{first + line - 1}: {message}"

    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return [at(error.lineno or 1, f"does not parse: {error.msg}")]
    if snippet.inline:
        return [at(line, message)
                for line, message in _call_problems(tree, page_imports, as_signature=True)]
    namespace: dict = {}
    problems = [at(line, message) for line, message in _run_imports(tree, namespace)]
    known = _bound_names(tree) | page_names | set(dir(builtins))
    problems += [at(line, f"uses `{name}`, which neither the snippet nor an earlier one on the "
                          f"page binds") for name, line in _read_names(tree) if name not in known]
    page_imports.update((k, v) for k, v in namespace.items() if not k.startswith("__"))
    problems += [at(line, message) for line, message in _call_problems(tree, page_imports)]
    if snippet.run and run_namespace is not None and not problems:
        printed = io.StringIO()
        code_object = compile(tree, f"{snippet.source}:{first}", "exec")
        try:
            with _working_folder(scratch or Path.cwd()), contextlib.redirect_stdout(printed):
                exec(code_object, run_namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001
            problems.append(at(_error_line(error, snippet, first),
                               f"fails when run: {type(error).__name__}: {error}"))
    return problems


def _error_line(error: Exception, snippet: Snippet, first: int) -> int:
    """The snippet's line (1-based) where `error` was raised, or 1."""
    name = f"{snippet.source}:{first}"
    line = 1
    for frame, number in _traceback_frames(error):
        if frame == name:
            line = number
    return line


def _traceback_frames(error: Exception) -> Iterable[tuple[str, int]]:
    traceback = error.__traceback__
    while traceback is not None:
        yield traceback.tb_frame.f_code.co_filename, traceback.tb_lineno
        traceback = traceback.tb_next


def check_snippets(snippets: Iterable[Snippet], scratch: Path) -> list[list[sb.Problem]]:
    """Each snippet's problems; a page's snippets in order, sharing names, imports and run
    namespace (give a page's inline snippets after its blocks, so that they see its imports)."""
    problems = []
    pages: dict[str, tuple[set, dict, dict]] = {}
    for snippet in snippets:
        names, imports, namespace = pages.setdefault(snippet.source, (set(), {}, {}))
        folder = scratch / snippet.source.replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        found = []
        for problem in check_snippet(snippet, names, imports, namespace, folder):
            line, message = problem.split(": ", 1)
            found.append(sb.Problem(snippet.source, int(line), _first_line(snippet), message))
        problems.append(found)
        with contextlib.suppress(SyntaxError):
            names |= _bound_names(ast.parse(textwrap.dedent(snippet.text)))
    return problems


def _first_line(snippet: Snippet) -> str:
    lines = [line.strip() for line in snippet.text.split("\n") if line.strip()]
    return lines[0] if lines else ""
