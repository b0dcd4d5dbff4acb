"""One checkpoint per epoch, and resuming from the newest complete one.

    <stage_dir>/checkpoints/epoch-0003.weights.h5   model weights after epoch 3 (Keras format;
                                                    `model.load_weights` reads it)
    <stage_dir>/checkpoints/epoch-0003.state.npz    every model variable (random-seed states of
                                                    dropout included) and every optimizer variable

The state file is written second, atomically (temporary name, then rename), so a checkpoint
counts only once its state file exists: a process killed mid-write leaves the previous one.
"""

import os
import re
from pathlib import Path

import numpy as np

from tan_keras.errors import IncompatibleInputError

CHECKPOINT_DIR = "checkpoints"
_STATE_PATTERN = re.compile(r"epoch-(\d{4})\.state\.npz$")


def weights_path(stage_dir: Path, epoch: int) -> Path:
    return Path(stage_dir) / CHECKPOINT_DIR / f"epoch-{epoch:04d}.weights.h5"


def state_path(stage_dir: Path, epoch: int) -> Path:
    return Path(stage_dir) / CHECKPOINT_DIR / f"epoch-{epoch:04d}.state.npz"


def completed_epochs(stage_dir: Path) -> list[int]:
    """Epochs (1-based) with a complete checkpoint, ascending."""
    folder = Path(stage_dir) / CHECKPOINT_DIR
    if not folder.is_dir():
        return []
    epochs = [int(m.group(1)) for p in folder.iterdir() if (m := _STATE_PATTERN.match(p.name))]
    return sorted(e for e in epochs if weights_path(stage_dir, e).is_file())


def save_checkpoint(stage_dir: Path, epoch: int, model, optimizer, keep: int = 0,
                    weights_model=None) -> Path:
    """Saves the checkpoint of 1-based `epoch`; keeps the newest `keep` (0 keeps all).

    weights_model: whose weights the .weights.h5 holds (default `model`); the state file holds
    every variable of `model` and `optimizer` either way.
    """
    target = weights_path(stage_dir, epoch)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name.replace(".weights.h5", ".tmp.weights.h5"))
    (weights_model or model).save_weights(temporary)
    os.replace(temporary, target)
    arrays = {f"model_{i:05d}": np.asarray(v.numpy()) for i, v in enumerate(model.variables)}
    arrays.update({f"optimizer_{i:05d}": np.asarray(v.numpy())
                   for i, v in enumerate(optimizer.variables)})
    state = state_path(stage_dir, epoch)
    temporary = state.with_name(state.name + ".tmp.npz")
    np.savez(temporary, epoch=np.int64(epoch), **arrays)
    os.replace(temporary, state)
    if keep > 0:
        for old in completed_epochs(stage_dir)[:-keep]:
            weights_path(stage_dir, old).unlink(missing_ok=True)
            state_path(stage_dir, old).unlink(missing_ok=True)
    return target


def restore_latest(stage_dir: Path, model, optimizer) -> int:
    """Loads the newest complete checkpoint into `model` and `optimizer` (built first).

    Returns:
      The number of epochs already done (0 when there is no checkpoint).
    """
    epochs = completed_epochs(stage_dir)
    if not epochs:
        return 0
    epoch = epochs[-1]
    path = state_path(stage_dir, epoch)
    with np.load(path) as data:
        model_keys = sorted(k for k in data.files if k.startswith("model_"))
        optimizer_keys = sorted(k for k in data.files if k.startswith("optimizer_"))
        if len(model_keys) != len(model.variables) or len(optimizer_keys) != len(optimizer.variables):
            raise IncompatibleInputError(
                f"Expected checkpoint {path} to hold {len(model.variables)} model and "
                f"{len(optimizer.variables)} optimizer variables. Received: {len(model_keys)} and "
                f"{len(optimizer_keys)}; the stage directory holds a different model. Delete "
                f"{Path(stage_dir)} or choose another run name.")
        for variable, key in zip(model.variables, model_keys):
            _assign(variable, data[key], path)
        for variable, key in zip(optimizer.variables, optimizer_keys):
            _assign(variable, data[key], path)
    return epoch


def _assign(variable, value: np.ndarray, path: Path) -> None:
    if tuple(variable.shape) != value.shape:
        raise IncompatibleInputError(f"Expected {variable.path} of shape "
                                     f"{tuple(variable.shape)} in checkpoint {path}. "
                                     f"Received: shape={value.shape}")
    variable.assign(value)
