"""The epoch loop shared by the stages: resumable, logged, checkpointed.

Each epoch is one `model.fit` call on that epoch's dataset, built from the epoch index. So an
epoch's data order and augmentation depend only on its index, and a run killed after epoch k and
rerun (which restores weights, optimizer and dropout-seed states from checkpoint k) ends with the
same weights as a run never interrupted.
"""

import importlib.util
from pathlib import Path
from typing import Callable

import keras

from tan_keras.training import checkpoints
from tan_keras.training.optimizers import learning_rate_at
from tan_keras.training.settings import TrainingSettings
from tan_keras.training.stage_files import LOG_DIR


def fit_resumable(model, make_dataset: Callable[[int], object], stage_dir: Path,
                  settings: TrainingSettings, verbose: int = 1, callbacks=(),
                  weights_model=None, is_chief: bool = True,
                  keep_checkpoints: int = 0) -> list[dict]:
    """Trains a compiled `model` for `settings.epochs`, resuming from `stage_dir`'s checkpoints.

    Args:
      model: a compiled Keras model; its optimizer's learning rate is set every epoch.
      make_dataset: `epoch -> dataset` of (inputs, targets) batches for 0-based `epoch`.
      stage_dir: where checkpoints/ and logs/ (train.csv, tensorboard/) go.
      settings: `epochs` (total, counting those already done), `learning_rate` and
        `lr_schedule` (`optimizers.learning_rate_at`), and `seed`: the backend is re-seeded at
        the start of every epoch with `seed + epoch`.
      verbose: Keras progress bar setting (1: a bar, 2: one line per epoch, 0: silent).
      callbacks: more Keras callbacks for every epoch's `fit`, after the learning-rate schedule
        and before the logs (for example `distribution.Placement.callbacks`, or a caller's own).
        Each epoch is its own `fit` call, so `on_train_begin` and `on_train_end` come once an
        epoch; the epoch's checkpoint is saved after its `fit` returns.
      weights_model: the model whose weights each checkpoint's .weights.h5 holds (default
        `model`): the float model inside a model that preprocesses its frames, so that
        checkpoints load like final weights.
      is_chief: False in the other processes of a multi-process run: they train and resume like
        the chief but write nothing (no checkpoint, no log) and show no progress.
      keep_checkpoints: how many epoch checkpoints to keep (0: all).

    Returns:
      The per-epoch logs of the epochs trained in this call.
    """
    epochs, base_learning_rate = settings.epochs, settings.learning_rate
    stage_dir = Path(stage_dir)
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    done = checkpoints.restore_latest(stage_dir, model, optimizer)
    if done:
        print(f"Resuming {stage_dir} after epoch {done}/{epochs}.", flush=True)
    verbose = verbose if is_chief else 0

    def learning_rate(epoch, _current=None):
        return learning_rate_at(epoch, base_learning_rate, epochs, settings.lr_schedule)

    every_epoch = [keras.callbacks.LearningRateScheduler(learning_rate), *callbacks]
    if is_chief:
        every_epoch += log_callbacks(stage_dir / LOG_DIR, verbose)
    history = []
    for epoch in range(done, epochs):
        keras.utils.set_random_seed(settings.seed + epoch)
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs} (learning rate {learning_rate(epoch):g})",
                  flush=True)
        result = model.fit(make_dataset(epoch), initial_epoch=epoch, epochs=epoch + 1,
                           callbacks=every_epoch, verbose=verbose, shuffle=False)
        history.append({k: float(v[-1]) for k, v in result.history.items()})
        if is_chief:
            path = checkpoints.save_checkpoint(stage_dir, epoch + 1, model, optimizer,
                                               keep=keep_checkpoints, weights_model=weights_model)
            if verbose:
                print(f"Saved checkpoint {path}", flush=True)
    return history


def log_callbacks(log_dir: Path, verbose: int) -> list:
    """train.csv, and TensorBoard logs when the tensorboard package is installed."""
    log_dir.mkdir(parents=True, exist_ok=True)
    callbacks = [keras.callbacks.CSVLogger(str(log_dir / "train.csv"), append=True)]
    if tensorboard_available():
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(log_dir / "tensorboard"),
                                                     write_graph=False))
    elif verbose:
        print("note: the tensorboard package is not installed; logging to train.csv only "
              "(pip install tensorboard for logs/tensorboard/).")
    return callbacks


def tensorboard_available() -> bool:
    """Keras' TensorBoard callback needs the `tensorboard` package (not a TensorFlow dependency)."""
    return importlib.util.find_spec("tensorboard") is not None
