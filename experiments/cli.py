"""How every command runs: absl's `app.run`, with bad input reported in one line; and the
parse-time flag checks the commands share.

An `InputError` (a missing folder, no manifest, an unknown class, an incompatible checkpoint)
is printed as `error: <message>` on stderr and the command exits with status 2. Set
TAN_KERAS_TRACEBACK=1 to get the traceback instead. Other exceptions are bugs and keep theirs.

The library names its arguments in its messages, as Keras does: `Received: batch_size=4`, or an
argument alone in backquotes (`run_name`). A command speaks in flags, so its messages go through
`flag_terms`: each argument that is one of the command's flags reads `--batch_size=4`,
`--run_name`. The library itself knows nothing of the command line (no absl, no flags, no
commands in its messages); this module, with the commands, is where the two meet.
"""

import os
import re
import sys

from absl import app, flags

from tan_keras.errors import InputError

TRACEBACK_VARIABLE = "TAN_KERAS_TRACEBACK"
INPUT_ERROR_STATUS = 2


def run(main) -> None:
    """`app.run(main)`; an InputError ends the command with one line and status 2, in the
    command's flag names (`flag_terms`)."""

    def guarded(argv):
        try:
            return main(argv)
        except InputError as error:
            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            print(f"error: {flag_terms(str(error))}", file=sys.stderr, flush=True)
            return INPUT_ERROR_STATUS

    app.run(guarded)


def command_flags(flag_values=flags.FLAGS) -> dict:
    """{name: flag} of the flags the command defines (absl's own left out)."""
    return {flag.name: flag for module, defined in flag_values.flags_by_module_dict().items()
            if not module.startswith("absl") for flag in defined}


def flag_terms(message: str, known=None) -> str:
    """`message` in flag names: for each of the command's flags (`known`, a {name: flag} dict,
    default `command_flags()`), `name=value` becomes `--name=value` and `name` in backquotes
    becomes `--name`.

    Quotes around a value without spaces go (`init='cnn'` -> `--init=cnn`); a boolean flag's
    `name=True` and `name=False` become `--name` and `--noname`. Other names stay as they are.

    >>> flag_terms("Expected batch_size=4. Pass another `run_name`.", {"batch_size": None})
    'Expected --batch_size=4. Pass another `run_name`.'
    """
    known = command_flags() if known is None else known
    if not known:
        return message
    names = "|".join(sorted(map(re.escape, known), key=len, reverse=True))

    def as_flag(match) -> str:
        name, quoted, bare = match.group(1), match.group(3) or match.group(4), match.group(5)
        if bare in ("True", "False") and isinstance(known[name], flags.BooleanFlag):
            return f"--{name}" if bare == "True" else f"--no{name}"
        value = quoted if quoted is not None else (bare or "")
        return f"--{name}={value}"

    message = re.sub(rf"(?<![\w./-])({names})=('([^'\s]*)'|\"([^\"\s]*)\"|([^\s,;)]*))",
                     as_flag, message)
    return re.sub(rf"`({names})`", r"--\1", message)


# Parse-time checks shared by the commands (absl validators: True, or a ValidationError whose
# message absl prints as `FATAL Flags parsing error: flag --name=value: <message>`).


def in_range(low: float, high: float, low_open: bool = False, high_open: bool = False):
    """A validator of low <= value <= high, each end open (excluded) on request; None passes."""
    def check(value) -> bool:
        if value is None:
            return True
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (above and below):
            interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
            raise flags.ValidationError(f"Expected a value in {interval}. Received: {value}")
        return True
    return check


def positive(value) -> bool:
    """A validator of value > 0 (None passes)."""
    if value is not None and not value > 0:
        raise flags.ValidationError(f"Expected a value > 0. Received: {value}")
    return True


def existing_folder(what: str):
    """A validator: None, a remote path (gs://...) or an existing local folder, else `what`."""
    def check(path) -> bool:
        if path is None or "://" in path or os.path.isdir(path):
            return True
        problem = "not a folder" if os.path.exists(path) else "no such folder"
        raise flags.ValidationError(f"{problem}. Expected {what}.")
    return check


def parses(parse):
    """A validator from a parser that raises ValueError with a Keras-style message."""
    def check(text) -> bool:
        if text is None:
            return True
        try:
            parse(text)
        except ValueError as error:
            raise flags.ValidationError(str(error)) from None
        return True
    return check
