"""The epoch loop shared by pretrain_cnn and train_tan: resumable, logged, checkpointed.

Each epoch is one `model.fit` call on that epoch's dataset, built from `seed + epoch`. So an epoch's
data order and augmentation depend only on its index, and a run killed after epoch k and rerun
(which restores weights, optimizer and dropout-seed states from checkpoint k) ends with the same
weights as a run never interrupted.
"""

import importlib.util
import os
import signal
import sys
from pathlib import Path
from typing import Callable

import keras

from experiments import checkpoints
from experiments.schedule import step_decay_learning_rate

LOG_DIR = "logs"
LR_SCHEDULES = ("step", "constant")


def fit_resumable(model, make_dataset: Callable[[int], object], stage_dir: Path, epochs: int,
                  base_learning_rate: float, seed: int, keep_checkpoints: int = 0,
                  verbose: int = 1, crash_after_epoch: int | None = None,
                  lr_schedule: str = "step") -> list[dict]:
    """Trains a compiled `model` for `epochs`, resuming from `stage_dir`'s checkpoints.

    Args:
      model: a compiled Keras model; its optimizer's learning rate is set every epoch.
      make_dataset: `epoch -> dataset` of (inputs, targets) batches for 0-based `epoch`.
      stage_dir: where checkpoints/ and logs/ (train.csv, tensorboard/) go.
      epochs: total epochs, counting those already done.
      base_learning_rate: see `schedule.step_decay_learning_rate`.
      seed: re-seeds the backend at the start of every epoch with `seed + epoch`.
      keep_checkpoints: how many epoch checkpoints to keep (0: all).
      verbose: Keras progress bar setting (1: a bar, 2: one line per epoch, 0: silent).
      crash_after_epoch: for tests only; SIGKILLs the process right after saving that epoch.
      lr_schedule: 'step' (`schedule.step_decay_learning_rate`, every stage's default) or
        'constant' (`base_learning_rate` throughout; see `make_optimizer`).

    Returns:
      The per-epoch logs of the epochs trained in this call.
    """
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"Expected lr_schedule in {LR_SCHEDULES}. "
                         f"Received: lr_schedule={lr_schedule!r}")
    stage_dir = Path(stage_dir)
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    done = checkpoints.restore_latest(stage_dir, model, optimizer)
    if done:
        print(f"Resuming {stage_dir} after epoch {done}/{epochs}.", flush=True)
    log_dir = stage_dir / LOG_DIR
    log_dir.mkdir(parents=True, exist_ok=True)

    def learning_rate(epoch, _current=None):
        if lr_schedule == "constant":
            return float(base_learning_rate)
        return step_decay_learning_rate(epoch, base_learning_rate, epochs)

    callbacks = [
        keras.callbacks.LearningRateScheduler(learning_rate),
        keras.callbacks.CSVLogger(str(log_dir / "train.csv"), append=True),
    ]
    if tensorboard_available():
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(log_dir / "tensorboard"),
                                                     write_graph=False))
    elif verbose:
        print("note: the tensorboard package is not installed; logging to train.csv only "
              "(pip install tensorboard for logs/tensorboard/).")
    history = []
    for epoch in range(done, epochs):
        keras.utils.set_random_seed(seed + epoch)
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs} (learning rate {learning_rate(epoch):g})",
                  flush=True)
        result = model.fit(make_dataset(epoch), initial_epoch=epoch, epochs=epoch + 1,
                           callbacks=callbacks, verbose=verbose, shuffle=False)
        history.append({k: float(v[-1]) for k, v in result.history.items()})
        checkpoints.save_checkpoint(stage_dir, epoch + 1, model, optimizer, keep=keep_checkpoints)
        if crash_after_epoch is not None and epoch + 1 == crash_after_epoch:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    return history


def tensorboard_available() -> bool:
    """Keras' TensorBoard callback needs the `tensorboard` package (not a TensorFlow dependency)."""
    return importlib.util.find_spec("tensorboard") is not None


OPTIMIZERS = ("sgd", "adam")


def make_sgd(settings):
    """SGD with momentum and decoupled weight decay (a `TrainingSettings`), as every stage trains."""
    return keras.optimizers.SGD(learning_rate=settings.learning_rate, momentum=settings.momentum,
                                weight_decay=settings.weight_decay or None)


def make_optimizer(settings, optimizer: str = "sgd"):
    """The optimizer of a train_tan stage: 'sgd' (the default, `make_sgd`) or 'adam'.

    'adam' is Keras' Adam (its default betas and epsilon) at `settings.learning_rate`, with
    `settings.weight_decay` as decoupled weight decay (0 disables it); `settings.momentum` is
    not used. The paper does not name its optimizer; SGD with momentum is the two-stream
    convention and stays the default. Adam is for small models trained from scratch, where the
    attention has to break its symmetry early (the quickstart: see the README's quickstart section).
    The learning-rate schedule (`fit_resumable`'s `lr_schedule`) is chosen separately.
    """
    if optimizer == "sgd":
        return make_sgd(settings)
    if optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=settings.learning_rate,
                                     weight_decay=settings.weight_decay or None)
    raise ValueError(f"Expected optimizer in {OPTIMIZERS}. Received: optimizer={optimizer!r}")
