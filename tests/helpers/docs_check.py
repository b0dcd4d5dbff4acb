"""Checks the docs' project commands and Python snippets in one process of their own.

    python -m tests.helpers.docs_check request.json answer.json

The request is `{"root": checkout, "commands": [Command fields...], "snippets": [Snippet
fields...]}`; the answer is `{"commands": [[Problem fields...] of each command], "snippets":
[[Problem fields...] of each snippet]}`.
Each command is parsed by its module's own absl flags and validators (`command_flags`: every
command module is imported in turn into absl's global flags, which is why this runs apart from
pytest); then each snippet is checked (`python_snippets`: imports, names, calls; the snippets
marked to run are run in a temporary folder). Costs one process for all the docs: the command
modules import no TensorFlow; the snippets import Keras once.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path

from absl import app

from tests.helpers import command_flags, python_snippets
from tests.helpers import shell_blocks as sb


def check_commands(root: Path, commands: list[sb.Command]) -> list[list[sb.Problem]]:
    """Each command's problems, in order; each module imported once, for all its commands."""
    layout = sb.ProjectLayout.from_setup_py(root)
    app.define_help_flags()  # --help, --helpfull, ... as `app.run` defines them
    problems: dict[int, list[sb.Problem]] = {}
    for module in sorted({c.module for c in commands}):
        indices = [i for i, c in enumerate(commands) if c.module == module]
        if sb.uses_absl(module, root):
            try:
                with command_flags.command_imported(module, layout.packages) as values:
                    for i in indices:
                        problems[i] = sb.check_command(commands[i], layout, lambda _: values)
                continue
            except Exception as error:  # noqa: BLE001 (a module that cannot import)
                failure = error

                def flags_of(_):
                    raise failure
        else:
            def flags_of(_):
                raise AssertionError("not an absl command: its flags are never read")
        for i in indices:
            problems[i] = sb.check_command(commands[i], layout, flags_of)
    return [problems[i] for i in range(len(commands))]


def main(request_path: str, answer_path: str) -> None:
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    root = Path(request["root"])
    os.chdir(root)
    sys.path.insert(0, str(root))
    commands = [sb.Command(**{**c, "args": tuple(c["args"])}) for c in request["commands"]]
    command_problems = check_commands(root, commands)
    snippets = [python_snippets.Snippet(**s) for s in request.get("snippets", [])]
    with tempfile.TemporaryDirectory() as scratch:
        snippet_problems = python_snippets.check_snippets(snippets, Path(scratch))
    answer = {kind: [[dataclasses.asdict(p) for p in found] for found in problems]
              for kind, problems in (("commands", command_problems),
                                     ("snippets", snippet_problems))}
    Path(answer_path).write_text(json.dumps(answer), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
