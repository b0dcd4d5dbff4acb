r"""A training command killed (SIGKILL) right after epoch N's checkpoint, as a crash would.

    python -m tests.helpers.killed_after_epoch <N> <command module> <the command's flags>

e.g. `python -m tests.helpers.killed_after_epoch 1 experiments.train_tan --records_dir=...`.
It runs the command's own `main` (through `experiments.cli.run`, as the command does), with the
stage functions `tan_keras.training.train_tan` and `pretrain_cnn` given one more Keras callback,
`KillAfterEpoch(N)`: the library's public `callbacks` argument, no hook of its own.
"""

import functools
import importlib
import os
import signal
import sys


def kill_after_epoch(epoch: int):
    """A Keras callback that SIGKILLs this process once `epoch` (1-based) is checkpointed.

    Each epoch is its own `fit` call and its checkpoint is saved when that call returns
    (`tan_keras.training.fit.fit_resumable`), so the callback kills at the start of the next
    epoch: after epoch `epoch`'s checkpoint, before anything of the next one.
    """
    import keras

    class KillAfterEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, index, logs=None):
            if index == epoch:  # 0-based index of the next epoch = epochs done
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    return KillAfterEpoch()


def _with_callback(stage, epoch: int):
    @functools.wraps(stage)
    def run(*args, callbacks=(), **kwargs):
        return stage(*args, callbacks=[*callbacks, kill_after_epoch(epoch)], **kwargs)
    return run


def main() -> None:
    epoch, module_name, flags = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    sys.argv = [module_name, *flags]
    command = importlib.import_module(module_name)  # defines the command's flags
    import tan_keras.training as training

    for name in ("train_tan", "pretrain_cnn"):
        setattr(training, name, _with_callback(getattr(training, name), epoch))
    from experiments import cli

    cli.run(command.main)


if __name__ == "__main__":
    main()
