"""Paths on this machine or on a remote filesystem (gs://, ...), and atomic writes.

Local paths use the standard library; other filesystems use tf.io.gfile, imported only then, so
a local build never loads TensorFlow.
"""

import os
import shutil


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


def _gfile():
    import tensorflow as tf
    return tf.io.gfile


def exists(path: str) -> bool:
    """Whether the file `path` exists (local or remote)."""
    return os.path.isfile(path) if is_local(path) else _gfile().exists(path)


def read_bytes(path: str) -> bytes:
    """The bytes of the file `path` (local or remote)."""
    if is_local(path):
        with open(path, "rb") as f:
            return f.read()
    with _gfile().GFile(path, "rb") as f:
        return f.read()


def make_dirs(directory: str) -> None:
    """Creates `directory` and its parents (local or remote); nothing if it exists."""
    if is_local(directory):
        os.makedirs(directory, exist_ok=True)
    else:
        _gfile().makedirs(directory)


def list_dir(directory: str) -> list[str]:
    """The names in `directory` (local or remote); [] when it does not exist."""
    if is_local(directory):
        return os.listdir(directory) if os.path.isdir(directory) else []
    return _gfile().listdir(directory) if _gfile().isdir(directory) else []


def remove(path: str) -> None:
    """Removes the file `path` (local or remote)."""
    os.remove(path) if is_local(path) else _gfile().remove(path)


def remove_tree(directory: str) -> None:
    """Removes `directory` and everything in it (local or remote); nothing if it is absent."""
    if is_local(directory):
        shutil.rmtree(directory, ignore_errors=True)
    elif _gfile().isdir(directory):
        _gfile().rmtree(directory)
