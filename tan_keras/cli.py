"""How every command runs: absl's `app.run`, with bad input reported in one line.

An `InputError` (a missing folder, no manifest, an unknown class, an incompatible checkpoint)
is printed as `error: <message>` on stderr and the command exits with status 2. Set
TAN_KERAS_TRACEBACK=1 to get the traceback instead. Other exceptions are bugs and keep theirs.
"""

import os
import sys

from absl import app

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
