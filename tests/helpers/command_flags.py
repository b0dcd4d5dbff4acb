"""A documented command line through the command's own absl flags and validators, without `main`.

`parse_command_line(flag_values, args)` is what `python -m <module> <args>` does before `main`:
absl parses the arguments into the flags (unknown flags, bad values, enum choices, bounds) and
then runs every registered validator (required flags, the commands' own checks such as GoogLeNet
from ImageNet without `--imagenet_weights`). It returns absl's message when the command would
refuse the line, else None, and leaves the flags unparsed, so one process can check many lines.

`command_imported(module)` holds a command's flags: the module is imported (as a module, so its
`if __name__ == "__main__":` block does not run) into absl's global `FLAGS`; afterwards its flags
are deleted from `FLAGS`, so that the next command, which defines flags of the same names,
imports cleanly. It changes the process's `FLAGS` and `sys.modules`: use it in a process of its
own (`tests.helpers.docs_check`), never in the pytest process.

Conventions for what a doc writes (the rules the docs test applies):

- **The reader's paths exist.** A doc cannot know the reader's files: the validators run as on a
  machine where every path a command names exists, as a file and as a folder (`os.path.exists`,
  `os.path.isfile` and `os.path.isdir`, looked up when called, answer True while they run). So a
  validator refuses a documented line only for the line itself: a missing required flag, a bad
  value, flags that conflict or that need another (GoogLeNet from ImageNet without
  `--imagenet_weights`), never for a missing file.
  `<name>` placeholders in paths (`--init=tan:<workspace>/train_tan/<run>`) are paths like others.
- **`...` marks a partial command.** A line with `...` (or `"$@"`) among its arguments, or
  continuing an earlier command (`... --flag`), shows some flags only: each flag written is
  parsed (name and value), and only the validators whose flags are all written on the line run
  (a required flag that is not written is not asked for). `--help`, `--helpfull` and
  `--helpshort` make a line partial too (absl prints the help and exits before validating), and
  so does an inline code span in prose (`shell_blocks`).
- **A placeholder value is not a value.** `--seed=<S>` or `--seed=$S` (a variable the block does
  not set) is checked by its flag's name only, and makes the line partial. A value with a
  placeholder inside it (`--init=tan:<workspace>/train_tan/<run>`) is parsed as written.
- **`[optional]` parts** are parsed as if written (their brackets dropped).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import difflib
import re
import sys
from collections.abc import Iterable, Iterator
from unittest import mock

from absl import flags

PLACEHOLDERS = frozenset({"...", "$@", "$*"})
_PLACEHOLDER_NAME = re.compile(r"--[^=]*[<>{}]")  # `--<flag>=1`: any flag
_PLACEHOLDER_VALUE = re.compile(r"<[^<>]+>|\$\{?[A-Za-z_]\w*\}?")
HELP_FLAGS = frozenset({"--help", "--helpfull", "--helpshort", "--helpxml", "-?"})


@contextlib.contextmanager
def paths_exist() -> Iterator[None]:
    """While inside, `os.path.exists`, `isfile` and `isdir` answer True for every path."""
    always = mock.Mock(return_value=True)
    with mock.patch("os.path.exists", always), mock.patch("os.path.isfile", always), \
            mock.patch("os.path.isdir", always):
        yield


def _is_placeholder(value: str) -> bool:
    """`<name>` or an unexpanded `$NAME` / `${NAME}`: a value the doc leaves to the reader."""
    return bool(_PLACEHOLDER_VALUE.fullmatch(value))


def documented_argv(args: Iterable[str]) -> tuple[list[str], list[str], bool]:
    """(the arguments as the command gets them, the flags given a placeholder value, whether the
    line is partial).

    Brackets around optional parts are dropped. `...`, `$@`, `--<flag>` and help flags are
    removed and make the line partial; so does a `--name=<value>` or `--name=$NAME` flag, whose
    name is listed apart (checked by name only).
    """
    argv, named, partial = [], [], False
    for token in args:
        token = token.lstrip("[").rstrip("]")
        name, has_value, value = token.partition("=")
        if token in PLACEHOLDERS or token in HELP_FLAGS or _PLACEHOLDER_NAME.match(token):
            partial = True
        elif token.startswith("--") and has_value and _is_placeholder(value):
            named.append(name[2:])
            partial = True
        elif token:
            argv.append(token)
    return argv, named, partial


def _flag_objects(flag_values: flags.FlagValues) -> list:
    """Each flag once (absl keys a flag by its name and by its short name)."""
    return list({id(f): f for f in flag_values._flags().values()}.values())  # noqa: SLF001


def parse_command_line(flag_values: flags.FlagValues, args: Iterable[str],
                       partial: bool = False) -> str | None:
    """Why the command whose flags are `flag_values` would refuse `args`, or None.

    `flag_values` is left as it was: unparsed, every validator in place. (The flags are parsed
    in place, not in a copy, because some validators read the command's global `FLAGS`.)

    Args:
      flag_values: the command's flags (`command_imported`).
      args: the arguments after the module, as the doc writes them (`documented_argv` rules).
      partial: check only the flags written (see the module docstring), also when the arguments
        hold no `...`.

    Returns:
      None, or what the command says, to follow its name: `has no flag --epoch (did you mean
      --epochs?)`, or `refuses it: ` and absl's message (`flag --epochs=x: invalid literal for
      int() ...`, `flags backbone=googlenet, ...: Expected --imagenet_weights=...`, a
      validator's exception).
    """
    argv, named, placeholder = documented_argv(args)
    partial = partial or placeholder
    for name in named:
        if name not in flag_values:
            return _no_flag(name, flag_values)
    every_flag = _flag_objects(flag_values)
    validators = {id(flag): list(flag.validators) for flag in every_flag}

    def keep(rule) -> None:
        for flag in every_flag:
            flag.validators = [v for v in validators[id(flag)] if rule(v)]

    try:
        if partial:
            keep(lambda v: False)
            flag_values(["command", *argv])
            given = {name for name in flag_values if flag_values[name].present}
            keep(lambda v: set(v.get_flags_names()) <= given)
            flag_values.unparse_flags()
        with paths_exist():
            flag_values(["command", *argv])
    except flags.UnrecognizedFlagError as error:
        return _no_flag(error.flagname, flag_values)
    except flags.Error as error:
        return f"refuses it: {error}"
    except Exception as error:  # noqa: BLE001 (a validator that fails is the command's bug)
        return f"refuses it: a validator raised {type(error).__name__}: {error}"
    finally:
        keep(lambda v: True)
        flag_values.unparse_flags()
    return None


def _no_flag(name: str, flag_values: flags.FlagValues) -> str:
    close = difflib.get_close_matches(name, sorted(flag_values), n=3)
    hint = f" (did you mean {', '.join('--' + c for c in close)}?)" if close else ""
    return f"has no flag --{name}{hint}"


@contextlib.contextmanager
def command_imported(module: str, packages: Iterable[str]) -> Iterator[flags.FlagValues]:
    """absl's global `FLAGS` while `python -m <module>`'s flags are defined in it.

    On entry the module is imported (a package's `__main__.py`), defining its flags; on exit
    the flags it added are deleted and the project's modules that defined them are dropped from
    `sys.modules`, so that the next command defines its own afresh.

    Args:
      module: a command module, or a package with `__main__.py`.
      packages: the project's top-level packages (only their modules are dropped).

    Raises:
      Exception: whatever importing the module raises (after cleaning up).
    """
    global_flags = flags.FLAGS
    before = set(global_flags)
    target = module
    spec = importlib.util.find_spec(module)
    if spec is not None and spec.submodule_search_locations:
        target = f"{module}.__main__"
    try:
        importlib.import_module(target)
        yield global_flags
    finally:
        defining = {name for name, defined in global_flags.flags_by_module_dict().items()
                    if any(flag.name not in before for flag in defined)}
        for name in set(global_flags) - before:
            with contextlib.suppress(AttributeError):
                delattr(global_flags, name)
        packages = tuple(packages)
        for name in list(sys.modules):
            if name == target or (name in defining and name.split(".")[0] in packages):
                del sys.modules[name]
