"""How every command runs: absl's `app.run`, with bad input reported in one line; and the
parse-time flag checks the commands share.

An `InputError` (a missing folder, no manifest, an unknown class, an incompatible checkpoint)
is printed as `error: <message>` on stderr and the command exits with status 2. Set
TAN_KERAS_TRACEBACK=1 to get the traceback instead. Other exceptions are bugs and keep theirs.
"""

import os
import sys

from absl import app, flags

from tan_keras.errors import InputError

TRACEBACK_VARIABLE = "TAN_KERAS_TRACEBACK"
INPUT_ERROR_STATUS = 2


def run(main) -> None:
    """`app.run(main)`; an InputError ends the command with one line and status 2."""

    def guarded(argv):
        try:
            return main(argv)
        except InputError as error:
            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            print(f"error: {error}", file=sys.stderr, flush=True)
            return INPUT_ERROR_STATUS

    app.run(guarded)


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
