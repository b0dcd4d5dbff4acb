"""The training stages as plain functions, and what they share.

  pretrain_cnn(records_dir, workspace, stream, split, settings, run, ...): Table 1's "CNN on
    target".
  train_tan(records_dir, workspace, model, init, split, settings, model_options, run, ...): TAN
    or a baseline.
  TrainingSettings, ModelOptions, RunOptions: the hyperparameters (with the optimizer and
    schedule, and `TrainingSettings.preset("paper")`), the model's sizes, how the run executes.
  Workspace, default_run_name, find_train_run: where the stages write (WORKSPACE.md).

The modules: settings, stage_files (settings.json / done.json), workspace, runtime
(determinism, mixed precision, logical CPUs), distribution (one device, this machine's devices,
or several processes: `join_cluster`, `place`), checkpoints and fit (the resumable epoch loop),
optimizers (optimizers and schedules), initialization (ImageNet, this workspace's CNNs, another
TAN), inputs (the records, batches per epoch), stage_run (the skeleton both stages share),
pretrain_stage and tan_stage.
"""

import importlib

# Where each public name lives. They load on first use (PEP 562), so that the settings classes
# import without Keras or TensorFlow: a command's --help reads its flag defaults from them.
_EXPORTS = {
    "ModelOptions": "settings", "RunOptions": "settings", "TrainingSettings": "settings",
    "build_snippet_classifier": "pretrain_stage", "pretrain_cnn": "pretrain_stage",
    "build_stage_model": "tan_stage", "train_tan": "tan_stage",
    "Workspace": "workspace", "default_run_name": "workspace", "find_train_run": "workspace",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
