"""Errors for bad input that a user can fix: a missing file, a wrong setting, a checkpoint that
does not fit.

The library raises these with a message that names the file and says what to do. The commands in
`experiments/` and `data_prep` print that message as one line and exit with status 2, without a
traceback. Anything else is a bug and keeps its traceback.

Each class also derives from the built-in exception a caller would expect, so
`except FileNotFoundError` still catches a `MissingInputError`.
"""


class InputError(Exception):
    """Bad input a user can fix; the message names the file or setting and the fix."""


class MissingInputError(InputError, FileNotFoundError):
    """A file or folder the work needs is not there (records, a checkpoint, a finished stage)."""


class IncompatibleInputError(InputError, ValueError):
    """An input exists but does not fit: other settings, other classes, a bad value."""
