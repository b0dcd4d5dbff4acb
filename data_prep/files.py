"""Paths on this machine or on a remote filesystem (gs://, ...), and atomic writes.

Local paths use the standard library; other filesystems use tf.io.gfile, imported only then, so
a local build never loads TensorFlow.
"""

import os


def is_local(path: str) -> bool:
    """True for a path on this machine's filesystem (no 'scheme://' prefix)."""
    return "://" not in str(path)


def write_atomically(path: str, chunks, mode: str = "wb") -> None:
    """Writes `chunks` (bytes, or str with mode='w') to `path` under a temporary name, then renames.

    A reader never sees a partial file; a killed writer leaves only `<path>.tmp-<pid>`.
    """
    tmp = f"{path}.tmp-{os.getpid()}"
    if is_local(path):
        with open(tmp, mode) as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
        return
    import tensorflow as tf
    with tf.io.gfile.GFile(tmp, mode) as f:
        for chunk in chunks:
            f.write(chunk)
    tf.io.gfile.rename(tmp, path, overwrite=True)
