"""The training stages as plain functions, and what they share.

  pretrain_cnn(records_dir, workspace, stream, split, settings, ...): Table 1's "CNN on target".
  train_tan(records_dir, workspace, model, init, split, settings, ...): TAN or a baseline.
  TrainingSettings, ModelOptions: the hyperparameters, validated.
  Workspace, default_run_name, find_train_run: where the stages write (WORKSPACE.md).

The modules: settings, stage_files (settings.json / done.json), workspace, runtime
(determinism, mixed precision, logical CPUs), distribution (one device, this machine's devices,
or several processes: `join_cluster`, `place`), checkpoints and fit (the resumable epoch loop),
optimizers (optimizers and schedules), initialization (ImageNet, this workspace's CNNs, another
TAN), inputs (the records, batches per epoch), pretrain_stage and tan_stage.
"""

from tan_keras.training.pretrain_stage import build_snippet_classifier, pretrain_cnn
from tan_keras.training.settings import ModelOptions, TrainingSettings
from tan_keras.training.tan_stage import build_stage_model, train_tan
from tan_keras.training.workspace import Workspace, default_run_name, find_train_run

__all__ = ["ModelOptions", "TrainingSettings", "Workspace", "build_snippet_classifier",
           "build_stage_model", "default_run_name", "find_train_run", "pretrain_cnn",
           "train_tan"]
