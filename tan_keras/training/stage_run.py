"""The skeleton both training stages share, from placing the model to done.json.

    place on devices -> a full global batch of training videos? -> settings.json (the chief
    writes; `stage_files.open_stage`) -> skip when done -> determinism, precision -> build and
    compile under the placement's scope -> `fit_resumable` -> the chief saves the stage's output
    -> done.json -> each process of a multi-process run prints its weights digest

A stage (`tan_stage.train_tan`, `pretrain_stage.pretrain_cnn`) checks its own inputs first, then
describes itself as a `StageSpec` (its folder, what settings.json records, its output, and how to
build the model, read an epoch and save the output) and calls `run_stage`.
"""

import dataclasses
from pathlib import Path
from typing import Callable

from tan_keras.errors import IncompatibleInputError
from tan_keras.training import distribution, runtime, stage_files
from tan_keras.training.fit import fit_resumable
from tan_keras.training.settings import RunOptions, TrainingSettings


@dataclasses.dataclass(frozen=True)
class StageSpec:
    """The stage-specific parts `run_stage` calls.

    Attributes:
      name: the stage, 'train_tan' or 'pretrain_cnn', at the start of its printed lines.
      stage_dir: the stage folder.
      recorded: what settings.json records (`stage_files.open_stage`).
      output: the file a finished stage leaves; a done stage with it is skipped.
      build: `() -> (model, weights_model)`, called under the placement's scope: the compiled
        model that trains on uint8 frames, and the float model inside it whose weights the
        checkpoints and the output hold.
      batches: `(epoch, drop_remainder, input_context) -> tf.data.Dataset` of (inputs, targets)
        of one epoch (`inputs.train_batches`); drop_remainder is True with several replicas.
      save: `weights_model -> None`: writes `output` (on the chief only).
      train_videos: the training videos of the split, checked against one global batch.
      videos_of: where they are, for the message, e.g. "split 1 of records/ucf101".
      run_name_argument: the argument that names the stage folder (None: only `workspace`).
    """

    name: str
    stage_dir: Path
    recorded: dict
    output: Path
    build: Callable
    batches: Callable
    save: Callable
    train_videos: int
    videos_of: str
    run_name_argument: str | None = "run_name"


def check_full_batches(train_videos: int, batch_size: int, replicas: int, videos_of: str) -> None:
    """Raises unless one full global batch of training videos exists where a batch must be full.

    With several replicas every step takes a full batch (the last, smaller one is dropped: each
    replica gets batch_size / replicas videos), so fewer videos than one batch would leave an
    epoch without a step. One replica takes a smaller last batch, so any number of videos does.
    """
    if replicas > 1 and train_videos < batch_size:
        raise IncompatibleInputError(
            f"Expected at least batch_size={batch_size} training videos in {videos_of}: with "
            f"{replicas} replicas every step takes a full global batch. Received: "
            f"{train_videos} training videos. Pass a smaller `batch_size` (at most "
            f"{train_videos}, divisible by {replicas}), or strategy='default'.")


def run_stage(spec: StageSpec, settings: TrainingSettings, run: RunOptions,
              callbacks=()) -> bool:
    """Runs the stage `spec` describes; returns False when it was done already (skipped).

    Nothing is written to `spec.stage_dir` before the placement and the batch size are checked.

    Args:
      spec: the stage's parts.
      settings: the training hyperparameters (seed, epochs, batch size, schedule).
      run: the devices, precision, XLA and progress output.
      callbacks: more Keras callbacks for every epoch's `fit` (`fit.fit_resumable`).
    """
    placement = distribution.place(run.strategy, settings.batch_size)
    check_full_batches(spec.train_videos, settings.batch_size, placement.replicas, spec.videos_of)
    finished = stage_files.open_stage(spec.stage_dir, spec.recorded, spec.run_name_argument,
                                      write=placement.is_chief)
    if finished and Path(spec.output).is_file():
        print(f"{spec.name}: {spec.stage_dir} is done; skipping.")
        return False

    runtime.make_deterministic(settings.seed)
    policy = runtime.set_mixed_precision(run.mixed_precision)
    print(f"{spec.name}: {spec.stage_dir.name}, dtype policy {policy}, {placement.replicas} "
          f"replica(s)" + distribution.process_note(placement) + ".", flush=True)
    with placement.scope:
        model, weights_model = spec.build()
        model.optimizer.build(model.trainable_variables)

    def make_dataset(epoch):
        return placement.distribute(
            lambda input_context: spec.batches(epoch, placement.replicas > 1, input_context))

    history = fit_resumable(model, make_dataset, spec.stage_dir, settings, verbose=run.verbose,
                            callbacks=[*placement.callbacks, *callbacks],
                            weights_model=weights_model, is_chief=placement.is_chief)
    if placement.is_chief:
        spec.save(weights_model)
        stage_files.mark_done(spec.stage_dir, {"epochs": settings.epochs,
                                               "last_epoch": history[-1] if history else {}})
    distribution.report_weights(placement, weights_model)
    return True
