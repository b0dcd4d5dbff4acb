"""The shell commands the docs show: find them, and check each project command's module and flags.

A doc that names a renamed module or flag is wrong without any test noticing; this helper reads
the commands out of Markdown and checks them against the commands themselves. The steps:

1. **Blocks** (`fenced_blocks`, `shell_text`). Fenced blocks (```` ``` ```` or `~~~`, indented
   or not) are read by their info string's first word:
   - `bash`, `sh`, `shell`, `zsh`: every line is shell; a leading `$ ` prompt is dropped.
   - `console`, `shell-session`, `sh-session`: only `$ `-prompted lines (and their backslash
     continuations) are commands; the other lines are program output.
   - no info string: read leniently. A line is shell when it looks like a command: its first word
     (after `NAME=value` prefixes) is `python`, a console script, `pip`, `cd`, ...
     (`COMMAND_WORDS`), or it is a `NAME=value` assignment, a `$ ` prompt or a `...`
     continuation. Other lines (directory trees, program output, prose) are skipped. The
     quickstart's `NEXT_STEPS` text is read the same way (its heading line is prose).
   - any other info string (`python`, `text`, `json`, ...): not read.
   Inline code spans outside fences (`inline_spans`) are read too, one span as one lenient line,
   so that `` `python -m experiments.x --flag` `` in prose is checked like a block.
2. **Logical lines** (`logical_lines`). Backslash-newline joins lines (also with trailing
   spaces after the backslash, which bash would not join: the doc means a continuation); `#`
   at the start of a word outside quotes starts a comment. A quote must close on its line or
   across backslash continuations; a line left inside a quote does not parse, and the next line
   starts afresh. A logical line keeps the file line where it starts. A line that does not parse
   is a problem only when it runs a project command.
3. **Variables**. `NAME=value` (or `export NAME=value`) on its own sets a variable for the rest of
   the block. `$NAME` and `${NAME}` of such a variable are expanded before splitting, as bash
   does: word-split when unquoted, one word inside double quotes, not inside single quotes. Other
   variables (`$HOME`) are left as written. Expansion is per logical line, so `W=x; cmd $W` on one
   line does not see `W`.
4. **Simple commands** (`split_simple_commands`). `shlex` splits a line; `&&`, `||`, `;`, `|`,
   `&` separate commands; redirections (`> log`, `2>&1`) and `(`, `)` are dropped; leading
   `NAME=value` environment assignments and the wrappers `time`, `env`, `nohup`, `sudo`, `exec`
   are skipped; so are the launchers `srun`, `mpirun`, `mpiexec` with their options (up to the
   first word that is `python*`, a wrapper or a console script).
5. **Project commands** (`project_command`): `python -m <module>` / `python3 -m <module>` (any
   `python*`, with interpreter options such as `-u` before `-m`), `python <package>/<file>.py`,
   and the console scripts of setup.py, where the module is under one of setup.py's packages
   (`ProjectLayout`). Everything else (`pip`, `wget`, `tar`, `cd`, `python -m pytest`) is ignored.
   Placeholders:
   - a line that is only `...` is skipped;
   - a line that starts with `... ` continues the block's previous project command: the flags
     after `...` are checked against that command's module (skipped when there is none);
   - `...` among the arguments (`python -m x ... --stream=flow`) is a positional placeholder;
   - a module written with `<`, `>`, `{`, `}`, `*` or `...` (`python -m experiments.<stage>`)
     is a placeholder, not checked; so is a flag whose name is not a plain identifier
     (`--<flag>`); `<name>` is kept whole (`--init=tan:<dir>`), not read as redirections;
   - square brackets around optional parts are dropped from the tokens, so `[--mifs_scores=...]`
     is checked as `--mifs_scores=...`.
6. **Checks** (`check_command`). The module must exist (found from the checkout without importing
   its packages, `find_module`), be runnable (`__main__.py` for a package, an
   `if __name__ == "__main__":` block for a module) and, when the doc passes flags, use absl.
   Then the arguments go through the command's own absl flags, parsed and validated as
   `python -m <module>` would before `main` (`command_flags.parse_command_line`: unknown flags,
   bad values, required flags, the commands' validators; a bare `--` ends the flags, `--name
   value` and `--noname` work as in absl). The flags come from importing the module
   (`command_flags.command_imported`), which `tests.helpers.docs_check` does in a process of its
   own; `command_flags`' docstring gives the conventions (the reader's paths exist; `...`,
   `"$@"`, `<placeholder>` values and inline spans make a line partial).

Every problem names the file, the line where the command starts, the command as written and what
is wrong (`Problem`).
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import os
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from absl import flags

from tests.helpers import command_flags

SHELL_INFO = frozenset({"bash", "sh", "shell", "zsh"})
CONSOLE_INFO = frozenset({"console", "shell-session", "sh-session"})
# Words that start a shell line in an untagged block or NEXT_STEPS (step 1). Only project
# commands are checked; the others are listed so that e.g. `cd x && python -m ...` is read.
COMMAND_WORDS = frozenset({
    "apt", "apt-get", "bash", "brew", "cat", "cd", "conda", "cp", "curl", "docker", "echo", "env",
    "exec", "export", "gcloud", "git", "gsutil", "head", "ls", "make", "mkdir", "mv", "nohup",
    "nvidia-smi", "pip", "pip3", "pytest", "rm", "sh", "source", "sudo", "tail", "tar",
    "tensorboard", "time", "unzip", "watch", "wget"})
WRAPPERS = frozenset({"time", "env", "nohup", "sudo", "exec"})
LAUNCHERS = frozenset({"srun", "mpirun", "mpiexec"})
OPERATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "|&"})
REDIRECTIONS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|", "<>"})
GROUPING = frozenset({"(", ")", "{", "}"})
DEFAULT_PACKAGES = ("experiments", "data_prep", "tan_keras")

_PYTHON = re.compile(r"python(\d+(\.\d+)?)?")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PLACEHOLDER_MODULE = re.compile(r"[<>{}*\u2039\u203a]|\.\.\.")
# `<name>` placeholders (no spaces inside) are shielded from shlex, which would read `<`, `>`
# as redirections: their brackets become single guillemets (U+2039, U+203A) while
# splitting, and `<`, `>` again after.
_ANGLE_PLACEHOLDER = re.compile(r"<([^<>\s]+)>")
_SHIELD = str.maketrans("<>", "\u2039\u203a")
_UNSHIELD = str.maketrans("\u2039\u203a", "<>")
_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
_FLAG_NAME = re.compile(r"[A-Za-z_][\w.-]*")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
_MAIN_GUARD = re.compile(r"__name__\s*==\s*['\"]__main__['\"]")
_USES_ABSL = re.compile(r"\bfrom absl\b|\bimport absl\b|\bcli\b")
_CONTINUATION = re.compile(r"[ \t]*\n")  # after a backslash
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


# ---- What the parser finds -------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One fenced block (or NEXT_STEPS): where it is, how to read it, its text.

    Attributes:
      source: the file, as shown in messages (e.g. 'README.md').
      start_line: the file line of the block's first content line (1-based).
      info: the info string's first word, lower-case ('' when untagged).
      text: the content, the fence's indentation removed.
    """

    source: str
    start_line: int
    info: str
    text: str

    @property
    def mode(self) -> str | None:
        """'shell', 'console', 'lenient' (untagged) or None (not read), step 1."""
        if self.info in SHELL_INFO:
            return "shell"
        if self.info in CONSOLE_INFO:
            return "console"
        if self.info == "":
            return "lenient"
        return None


@dataclass(frozen=True)
class LogicalLine:
    """One shell line: continuations joined, comments dropped; `error` when it does not lex."""

    line: int
    text: str
    error: str | None = None


@dataclass(frozen=True)
class Command:
    """A project command as a doc writes it.

    Attributes:
      source, line: where it starts (file, 1-based line).
      text: the logical line as written (whitespace collapsed), shown in messages.
      module: the module it runs (`python -m <module>`).
      args: its arguments after the module: variables expanded, split, brackets kept.
      partial: the doc shows only some of its flags (a `... --flag` continuation, or an inline
        code span in prose): only the flags written are checked (`command_flags`).
    """

    source: str
    line: int
    text: str
    module: str
    args: tuple[str, ...]
    partial: bool = False


@dataclass(frozen=True)
class Problem:
    """A documented command that would not run as written."""

    source: str
    line: int
    command: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}\n    {self.command}"


@dataclass(frozen=True)
class ProjectLayout:
    """What counts as a project command: the checkout, its packages and its console scripts.

    Attributes:
      root: the checkout (modules are looked up here, commands run here).
      packages: top-level package names (`experiments`, `data_prep`, `tan_keras`).
      scripts: console script -> module it runs (`tan-quickstart` -> `experiments.quickstart`).
    """

    root: Path
    packages: frozenset[str]
    scripts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_setup_py(cls, root: Path) -> ProjectLayout:
        """Reads `packages=find_packages(include=[...])` and the console_scripts of setup.py.

        A console script `name=pkg.mod.__main__:func` maps to `pkg.mod` (what `python -m pkg.mod`
        runs); `name=pkg.mod:func` maps to `pkg.mod`. When the packages cannot be read as a
        literal include list, DEFAULT_PACKAGES are used.
        """
        tree = ast.parse((root / "setup.py").read_text(encoding="utf-8"))
        keywords = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup":
                keywords = {k.arg: k.value for k in node.keywords}
        packages = set()
        call = keywords.get("packages")
        if isinstance(call, ast.Call):
            for keyword in call.keywords:
                if keyword.arg == "include":
                    patterns = ast.literal_eval(keyword.value)
                    packages = {p.split(".")[0] for p in patterns if "*" not in p.split(".")[0]}
        scripts = {}
        if "entry_points" in keywords:
            entry_points = ast.literal_eval(keywords["entry_points"])
            for spec in entry_points.get("console_scripts", []):
                name, target = (part.strip() for part in spec.split("=", 1))
                module = target.split(":")[0].strip()
                scripts[name] = module.removesuffix(".__main__")
        return cls(root=root, packages=frozenset(packages or DEFAULT_PACKAGES), scripts=scripts)


# ---- Step 1: blocks --------------------------------------------------------------------------


def _fences(lines: list[str]):
    """Yields (opening index, closing index or len(lines), info word, indent) of each fence."""
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if not opening or (opening["fence"][0] == "`" and "`" in opening["info"]):
            i += 1
            continue
        fence = opening["fence"]
        info = opening["info"].strip().split(maxsplit=1)
        info = info[0].strip("{}.").lower() if info else ""
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            j += 1
        yield i, j, info, len(opening["indent"])
        i = j + 1


def fenced_blocks(markdown: str, source: str) -> list[Block]:
    """Every fenced block of a Markdown text, read or not (see `Block.mode`).

    A fence is three or more backticks or tildes, indented or not (inside list items); it closes
    at a line of the same character, at least as long, with nothing else on it. The opening
    fence's indentation is removed from the content lines. An unclosed fence runs to the end.
    """
    lines = markdown.split("\n")
    blocks = []
    for opening, closing, info, indent in _fences(lines):
        content = []
        for line in lines[opening + 1:closing]:
            strip = len(line) - len(line.lstrip(" \t"))
            content.append(line[min(indent, strip):])
        blocks.append(Block(source, opening + 2, info, "\n".join(content)))
    return blocks


def inline_spans(markdown: str, source: str) -> list[Block]:
    """Inline code spans outside fenced blocks, each as a one-line lenient block.

    Spans are looked for within paragraphs (a span never crosses a blank line); a span's
    newlines become spaces, as Markdown renders them; its line is where it starts.
    """
    lines = markdown.split("\n")
    for opening, closing, _, _ in list(_fences(lines)):
        for k in range(opening, min(closing + 1, len(lines))):
            lines[k] = ""
    spans, paragraph, first = [], [], 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not paragraph:
                first = number
            paragraph.append(line)
            continue
        text = "\n".join(paragraph)
        for match in _CODE_SPAN.finditer(text):
            start = first + text.count("\n", 0, match.start())
            spans.append(Block(source, start, "", " ".join(match.group(2).split())))
        paragraph = []
    return spans


def _looks_like_command(line: str, layout: ProjectLayout) -> bool:
    """Step 1's test for a line of an untagged block: does it start a shell command?"""
    stripped = line.strip()
    if stripped.startswith(("$ ", "...")) or _ASSIGNMENT.match(stripped):
        return True
    words = stripped.split()
    if not words:
        return False
    first = words[0]
    return (first in COMMAND_WORDS or first in layout.scripts
            or bool(_PYTHON.fullmatch(os.path.basename(first))))


def shell_text(block: Block, layout: ProjectLayout) -> str:
    """The block's shell lines, others blanked (so line numbers stay), prompts dropped (step 1)."""
    mode = block.mode
    if mode is None:
        return ""
    out, continuing = [], False
    for line in block.text.split("\n"):
        stripped = line.lstrip()
        prompted = stripped.startswith("$ ") or stripped == "$"
        if continuing or mode == "shell":
            keep = True
        elif mode == "console":
            keep = prompted
        else:
            keep = _looks_like_command(line, layout)
        if keep and not continuing and prompted:
            line = stripped[2:]
        out.append(line if keep else "")
        continuing = keep and line.rstrip().endswith("\\")
    return "\n".join(out)


# ---- Step 2: logical lines -------------------------------------------------------------------


def logical_lines(text: str, first_line: int = 1) -> list[LogicalLine]:
    """Splits shell text into logical lines, with the line each starts on (step 2).

    Backslash-newline (trailing spaces allowed) is removed outside single quotes; `#` at the
    start of a word outside quotes drops the rest of the line. A quote must close on its line
    or across backslash continuations: a line that ends inside a quote gets `error`, and the
    next line starts afresh. (Bash would carry the quote on; in docs an open quote is a stray
    apostrophe or a typo, and must not swallow the commands below it.)
    """
    result = []
    buffer, start, line, quote = [], None, first_line, None
    word_start = True
    i, n = 0, len(text)

    def flush(error=None):
        nonlocal buffer, start
        joined = "".join(buffer).strip()
        if joined:
            result.append(LogicalLine(start, joined, error))
        buffer, start = [], None

    while i < n:
        c = text[i]
        if quote != "'" and c == "\\":
            newline = _CONTINUATION.match(text, i + 1)
            if newline:
                i = newline.end()
                line += 1
                continue
            if i + 1 < n:
                buffer.append(text[i:i + 2])
                i += 2
                word_start = False
                continue
        if c == "\n":
            flush(error=f"unclosed {quote} quote" if quote else None)
            quote, word_start = None, True
            line += 1
            i += 1
            continue
        if quote:
            buffer.append(c)
            if c == quote:
                quote = None
            i += 1
            continue
        if c == "#" and word_start:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "'\"":
            quote = c
        if start is None and not c.isspace():
            start = line
        buffer.append(c)
        word_start = c in " \t;&|()"
        i += 1
    flush(error=f"unclosed {quote} quote" if quote else None)
    return result


# ---- Steps 3 and 4: variables and simple commands --------------------------------------------


def expand_variables(text: str, variables: dict[str, str]) -> str:
    """Expands `$NAME` / `${NAME}` of the block's variables in one logical line (step 3).

    Unquoted, the value is split on whitespace into words (each quoted again for shlex); inside
    double quotes it stays one word; inside single quotes nothing is expanded. Unknown names
    are left as written.
    """
    out, quote, i = [], None, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and quote != "'" and i + 1 < len(text):
            out.append(text[i:i + 2])
            i += 2
            continue
        if c in "'\"" and (quote is None or quote == c):
            quote = None if quote else c
        if c == "$" and quote != "'":
            match = _VARIABLE.match(text, i)
            if match and (match[1] or match[2]) in variables:
                value = variables[match[1] or match[2]]
                if quote == '"':
                    out.append(re.sub(r'(["\\$`])', r"\\\1", value))
                else:
                    out.append(" ".join(shlex.quote(word) for word in value.split()))
                i = match.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def split_simple_commands(text: str) -> list[list[str]]:
    """shlex-splits one logical line into simple commands: operators split, redirections dropped.

    Raises:
      ValueError: from shlex, e.g. an unclosed quote.
    """
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    tokens = list(lexer)
    commands, words, i = [], [], 0
    while i < len(tokens):
        token = tokens[i]
        if token in OPERATORS:
            commands.append(words)
            words = []
        elif token in REDIRECTIONS:
            if words and words[-1].isdigit():
                words.pop()  # the file descriptor of `2>&1`
            i += 1  # the redirection's target
        elif token not in GROUPING:
            words.append(token)
        i += 1
    commands.append(words)
    return [command for command in commands if command]


def _leading_assignments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """Splits `NAME=value ... rest` into ({NAME: value}, rest)."""
    assignments = {}
    while words and _ASSIGNMENT.match(words[0]):
        name, value = words[0].split("=", 1)
        assignments[name] = value
        words = words[1:]
    return assignments, words


def _strip_prefixes(words: list[str], scripts: Iterable[str] = ()) -> list[str]:
    """Drops environment assignments, wrappers (`time`, `env`, ...) and launchers (`srun ...`)
    before the command word."""
    while True:
        _, words = _leading_assignments(words)
        if words and words[0] in WRAPPERS:
            words = words[1:]
            while words and words[0].startswith("-") and words[0] != "--":
                words = words[1:]  # `env -i`, `sudo -E`, `time -p`
            continue
        if words and words[0] in LAUNCHERS:
            # `srun --nodes=2 -n 4 env ... python -m ...`: its own options may take values, so
            # the command starts at the first word that starts one.
            starts = [i for i, word in enumerate(words[1:], 1)
                      if word in WRAPPERS or word in scripts
                      or _PYTHON.fullmatch(os.path.basename(word))]
            words = words[starts[0]:] if starts else []
            continue
        return words


# ---- Step 5: project commands ----------------------------------------------------------------


def project_command(words: list[str], layout: ProjectLayout) -> tuple[str, list[str]] | None:
    """(module, args) when the simple command runs a project module, else None (step 5).

    Placeholder modules (`experiments.<stage>`) give None too.
    """
    if not words:
        return None
    first = words[0]
    module, args = None, []
    if first in layout.scripts:
        module, args = layout.scripts[first], words[1:]
    elif _PYTHON.fullmatch(os.path.basename(first)):
        i = 1
        while i < len(words):
            word = words[i]
            if word == "-m":
                if i + 1 >= len(words):
                    return None
                module, args = words[i + 1], words[i + 2:]
                break
            if word.startswith("-m"):
                module, args = word[2:], words[i + 1:]
                break
            if word == "-c" or word == "-":
                return None
            if word in ("-X", "-W", "--check-hash-based-pycs"):
                i += 2
                continue
            if word.startswith("-"):
                i += 1
                continue
            path = word.removeprefix("./")
            if path.endswith(".py"):
                module, args = path[:-3].replace("/", "."), words[i + 1:]
            break
    if module is None or _PLACEHOLDER_MODULE.search(module):
        return None
    if module.split(".")[0] not in layout.packages:
        return None
    return module, list(args)


def _looks_like_project_line(text: str, layout: ProjectLayout) -> bool:
    """Cheap test on an unparsable line: does it (seem to) run a project command?"""
    words = _strip_prefixes(text.split(), layout.scripts)
    if not words:
        return False
    if words[0] in layout.scripts:
        return True
    if _PYTHON.fullmatch(os.path.basename(words[0])):
        rest = " ".join(words[1:])
        return any(re.search(rf"(^|[\s/]){re.escape(p)}[./]", rest) for p in layout.packages)
    return False


def commands_in_block(block: Block, layout: ProjectLayout,
                      partial: bool = False) -> tuple[list[Command], list[Problem]]:
    """The project commands of one block, and the lines that could not be parsed (steps 2-5).

    A parse error is a problem only on a line that looks like a project command; prose or other
    programs' lines that do not lex are ignored.
    """
    commands, problems = [], []
    variables: dict[str, str] = {}
    previous: Command | None = None
    for logical in logical_lines(shell_text(block, layout), block.start_line):
        shown = " ".join(logical.text.split())
        text = logical.text
        continued = None
        if text.startswith("..."):
            rest = text[3:]
            if not rest.strip() or (rest and not rest[0].isspace()):
                continue  # `...` alone, or `.../path`: a placeholder line
            if previous is None:
                continue
            continued, text = previous.module, rest
        try:
            if logical.error:
                raise ValueError(logical.error)
            shielded = _ANGLE_PLACEHOLDER.sub(lambda m: m[0].translate(_SHIELD), text)
            simple = split_simple_commands(expand_variables(shielded, variables))
        except ValueError as error:
            if continued or _looks_like_project_line(text, layout):
                problems.append(Problem(block.source, logical.line, shown,
                                        f"the line does not parse as shell ({error})"))
            continue
        for words in simple:
            partial_line = partial
            if continued:
                found = (continued, words)
                continued, partial_line = None, True
            else:
                assignments, rest = _leading_assignments(words)
                if not rest:
                    variables.update(assignments)
                    continue
                if rest[0] == "export":
                    exported, _ = _leading_assignments(rest[1:])
                    variables.update(exported)
                    continue
                found = project_command(_strip_prefixes(words, layout.scripts), layout)
            if found:
                module, args = found
                args = tuple(arg.translate(_UNSHIELD) for arg in args)
                previous = Command(block.source, logical.line, shown, module, args,
                                   partial_line)
                commands.append(previous)
    return commands, problems


def commands_in_markdown(markdown: str, source: str, layout: ProjectLayout,
                         inline: bool = False) -> tuple[list[Command], list[Problem]]:
    """The project commands of a Markdown file's fenced blocks (or, with `inline`, code spans,
    whose commands are partial: prose names a command with some of its flags)."""
    blocks = inline_spans(markdown, source) if inline else fenced_blocks(markdown, source)
    commands, problems = [], []
    for block in blocks:
        found, bad = commands_in_block(block, layout, partial=inline)
        commands += found
        problems += bad
    return commands, problems


def python_string_block(root: Path, module: str, name: str) -> Block:
    """A module-level string constant as a lenient block, read from the source without importing.

    Used for the quickstart's `NEXT_STEPS` (its module imports TensorFlow). The block is named
    after the file and starts at the assignment's line, so messages give file lines (exact while
    the string has no `\\n` escapes). Falls back to importing the module when the value is not
    a literal string.
    """
    path = root / (module.replace(".", "/") + ".py")
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if (isinstance(node, ast.Assign) and name in targets
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return Block(f"{path.relative_to(root)} ({name})", node.value.lineno, "",
                         node.value.value)
    value = getattr(importlib.import_module(module), name)
    return Block(f"{module}.{name}", 1, "", value)


# ---- Step 6: checks --------------------------------------------------------------------------


def find_module(name: str, root: Path) -> importlib.machinery.ModuleSpec | None:
    """Like `importlib.util.find_spec`, in `root` only, without importing the parent packages.

    (`tan_keras/__init__.py` imports Keras; finding a name must not.) None when absent.
    """
    if not _MODULE_NAME.fullmatch(name):
        return None
    parts = name.split(".")
    spec = importlib.machinery.PathFinder.find_spec(parts[0], [str(root)])
    for depth in range(1, len(parts)):
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:depth + 1]),
                                                        list(spec.submodule_search_locations))
    return spec


def _main_source(module: str, root: Path) -> tuple[str | None, str | None]:
    """(source of what `python -m module` runs, None) or (None, why it cannot run)."""
    spec = find_module(module, root)
    if spec is None:
        return None, f"no module named {module}"
    if spec.submodule_search_locations:
        main = find_module(f"{module}.__main__", root)
        if main is None:
            return None, (f"{module} is a package without __main__.py: `python -m {module}` "
                          "cannot run it")
        return Path(main.origin).read_text(encoding="utf-8"), None
    source = Path(spec.origin).read_text(encoding="utf-8")
    if not _MAIN_GUARD.search(source):
        return None, f"{module} is not a command: it has no `if __name__ == \"__main__\":` block"
    return source, None


def documented_flags(args: Iterable[str]) -> list[str]:
    """The names in `--name[=value]` tokens, up to `--`: brackets dropped, placeholders skipped."""
    names = []
    for token in args:
        token = token.lstrip("[").rstrip("]")
        if token == "--":
            break
        if token.startswith("--"):
            name = token[2:].split("=", 1)[0]
            if _FLAG_NAME.fullmatch(name):
                names.append(name)
    return names


def uses_absl(module: str, root: Path) -> bool | None:
    """Whether `python -m <module>` is an absl command (None when it cannot run at all)."""
    source, _ = _main_source(module, root)
    return None if source is None else bool(_USES_ABSL.search(source))


def check_command(command: Command, layout: ProjectLayout,
                  flags_of: Callable[[str], flags.FlagValues]) -> list[Problem]:
    """The problems of one documented project command: its module, then its parse (step 6).

    Args:
      flags_of: module -> the command's FlagValues (`command_flags.module_flags` in a process of
        its own, or flags built by hand in the tests); may raise when the module cannot be
        imported.
    """
    def problem(message):
        return Problem(command.source, command.line, command.text, message)

    source, why = _main_source(command.module, layout.root)
    if source is None:
        return [problem(why)]
    if not _USES_ABSL.search(source):
        flag_names = documented_flags(command.args)
        if not flag_names:
            return []
        listed = ", ".join(f"--{name}" for name in flag_names)
        return [problem(f"{command.module} does not use absl flags, so it cannot take {listed}")]
    try:
        values = flags_of(command.module)
    except Exception as error:  # noqa: BLE001 (any import failure is the doc's problem to show)
        return [problem(f"cannot read the flags of {command.module}: "
                        f"{type(error).__name__}: {error}")]
    message = command_flags.parse_command_line(values, command.args, partial=command.partial)
    if message:
        return [problem(f"{command.module} {message}")]
    return []


def check_commands(commands: Iterable[Command], layout: ProjectLayout,
                   flags_of: Callable[[str], flags.FlagValues]) -> list[Problem]:
    """`check_command` over many commands, in order."""
    return [p for command in commands for p in check_command(command, layout, flags_of)]
