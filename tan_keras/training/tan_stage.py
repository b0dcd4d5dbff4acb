"""Stage 2: train TAN, or one of the paper's baselines, on one split.

Loss: the sum of the two branch cross-entropies (plus one on the fused output for baselines whose
fusion has weights). Writes <workspace>/train_tan/<run_name>/: settings.json, checkpoints/ (one
per epoch), logs/ (train.csv, tensorboard/), final.weights.h5 and done.json. Rerun after a crash,
it resumes.
"""

from pathlib import Path

from tan_keras import choices
from tan_keras.training import distribution, initialization, optimizers, runtime, stage_files
from tan_keras.training.fit import fit_resumable
from tan_keras.training.inputs import (frame_settings, read_manifest, split_videos,
                                       train_batches)
from tan_keras.training.settings import ModelOptions, TrainingSettings
from tan_keras.training.workspace import FINAL_WEIGHTS, Workspace, default_run_name


def build_stage_model(model_name: str, num_classes: int, settings: TrainingSettings,
                      model_options: ModelOptions | dict, backbone_weights=None,
                      attention_layer=None):
    """The stage's float model: `tan_keras.models.build_model` with the stage's settings.

    attention_layer: for TAN, a callable `(units, name=...) -> TemporalAttention` such as a
      `TemporalAttention` subclass; called with `model_options.attention_units` and the name
      'temporal_attention' (the name weight transfer goes by). None: `TemporalAttention`.
    """
    from tan_keras.models import build_model
    from tan_keras.models.tan import ATTENTION_LAYER

    options = model_options if isinstance(model_options, dict) else model_options.to_dict()
    extra = {}
    if attention_layer is not None and model_name == "tan":
        extra["attention_layer"] = attention_layer(options["attention_units"],
                                                   name=ATTENTION_LAYER)
    return build_model(model_name, num_classes, backbone=settings.backbone,
                       num_snippets=settings.num_snippets, image_size=settings.image_size,
                       backbone_weights=backbone_weights, **options, **extra)


def attention_layer_name(attention_layer) -> str | None:
    """What settings.json records of a custom attention layer: its registered Keras name
    (`keras.saving.register_keras_serializable`), by which evaluate rebuilds the model."""
    if attention_layer is None:
        return None
    import keras

    name = keras.saving.get_registered_name(attention_layer)
    if keras.saving.get_registered_object(name) is not attention_layer:
        raise ValueError("Expected attention_layer to be registered with "
                         "keras.saving.register_keras_serializable (evaluate rebuilds the model "
                         f"from its name). Received: attention_layer={attention_layer!r}")
    return name


def stage_settings(manifest: dict, split: int, model_name: str, init: str,
                   settings: TrainingSettings, model_options: ModelOptions,
                   mixed_precision: bool, optimizer: str, lr_schedule: str,
                   attention_layer: str | None = None, frames: dict | None = None) -> dict:
    """What settings.json records for a train_tan stage (and what other stages compare).

    frames: the records' frame settings (`inputs.frame_settings`), which predict and export
      need to treat a new video as the records did.
    """
    recorded = {"attention_layer": attention_layer} if attention_layer else {}
    if frames is not None:
        recorded["frames"] = frames
    return {**recorded, "stage": "train_tan", "dataset": manifest["name"], "split": int(split),
            "classes": manifest["classes"], "num_classes": len(manifest["classes"]),
            "model": model_name, "init": init, "model_options": model_options.to_dict(),
            "optimizer": optimizer, "lr_schedule": lr_schedule,
            "mixed_precision": bool(mixed_precision), "backbone": settings.backbone,
            "image_size": settings.image_size, "num_snippets": settings.num_snippets,
            "training": settings.to_dict()}


def _check_choices(model: str, optimizer: str, lr_schedule: str) -> None:
    for name, value, allowed in (("model", model, choices.MODELS),
                                 ("optimizer", optimizer, choices.OPTIMIZERS),
                                 ("lr_schedule", lr_schedule, choices.LR_SCHEDULES)):
        if value not in allowed:
            raise ValueError(f"Expected {name} in {allowed}. Received: {name}={value!r}")


def train_tan(records_dir, workspace, model: str = "tan", init: str = "imagenet", split: int = 1,
              settings: TrainingSettings = TrainingSettings(), run_name: str | None = None,
              model_options: ModelOptions = ModelOptions(), optimizer: str = "sgd",
              lr_schedule: str = "step", strategy: str = "default", mixed_precision: bool = False,
              jit_compile: bool = False, verbose: int = 1, attention_layer=None,
              crash_after_epoch: int | None = None) -> Path:
    """Trains `model` on `records_dir`'s split; returns the stage folder (final.weights.h5 inside).

    Skips the work when the stage is done; resumes from its last epoch checkpoint otherwise.
    Every input (records, split, the --init source, ImageNet weights) is checked before the stage
    folder is written.

    Args:
      records_dir: a records directory (data_prep's output).
      workspace: the workspace; the stage is <workspace>/train_tan/<run_name>.
      model: one of `tan_keras.choices.MODELS`.
      init: 'imagenet', 'cnn', 'cnn:<dataset>' or 'tan:<checkpoint>' (`choices.parse_init`).
      split: the split whose training side is used.
      settings: the training hyperparameters.
      run_name: the stage folder's name (default `workspace.default_run_name`).
      model_options: the model's sizes.
      optimizer: 'sgd' or 'adam' (`optimizers.make_optimizer`).
      lr_schedule: 'step' or 'constant' (`optimizers.learning_rate_at`).
      strategy: 'default', 'mirrored' or 'multi_worker' (`distribution.place`); 'multi_worker'
        needs `distribution.join_cluster()` called first, and only the chief writes files.
      mixed_precision: mixed_float16 on GPU, mixed_bfloat16 on CPU.
      jit_compile: TensorFlow: compile the train step with XLA (on JAX it always is,
        `runtime.train_step_jit`).
      verbose: Keras progress (1: a bar, 2: one line per epoch, 0: none).
      attention_layer: TAN only: a `TemporalAttention` subclass (or a callable `(units,
        name=...) -> layer`), registered with `keras.saving.register_keras_serializable`, built
        in place of `TemporalAttention`; its registered name goes into settings.json, and
        evaluate rebuilds the model with it.
      crash_after_epoch: tests only: SIGKILL the process after that epoch's checkpoint.

    The model trains on uint8 frames (`tan_keras.data.train_frames`) with the crop, the resize,
    the flip, the flow image and the normalisation in its compiled step
    (`tan_keras.models.preprocessed.training_model`); final.weights.h5 and the epoch
    checkpoints' weights files hold the float model's weights.
    """
    _check_choices(model, optimizer, lr_schedule)
    distribution.check_strategy(strategy)
    attention_name = attention_layer_name(attention_layer)
    kind, argument = choices.parse_init(init)
    manifest = read_manifest(records_dir)
    split_videos(manifest, split, "train", records_dir)
    backbone_weights = cnn_weights = tan_weights = None
    if kind == "imagenet":
        backbone_weights = initialization.imagenet_weights(settings.backbone,
                                                           settings.imagenet_weights)
    elif kind == "cnn":
        dataset = argument or manifest["name"]
        hint = str(records_dir) if dataset == manifest["name"] else f"<{dataset} records>"
        cnn_weights = initialization.pretrained_cnn_weights(workspace, dataset, split, settings,
                                                            hint)
    else:
        tan_weights = initialization.tan_source(Path(argument), model, model_options.to_dict(),
                                                settings)
    run_name = run_name or default_run_name(manifest["name"], split, model, init)
    stage_dir = Workspace(workspace).train_dir(run_name)
    frames = frame_settings(manifest, records_dir, split, settings.num_snippets)
    placement = distribution.place(strategy, settings.batch_size)
    finished = stage_files.open_stage(stage_dir, stage_settings(
        manifest, split, model, init, settings, model_options, mixed_precision, optimizer,
        lr_schedule, attention_name, frames), write=placement.is_chief)
    if finished and (stage_dir / FINAL_WEIGHTS).is_file():
        print(f"train_tan: {stage_dir} is done; skipping.")
        return stage_dir

    runtime.make_deterministic(settings.seed)
    policy = runtime.set_mixed_precision(mixed_precision)
    print(f"train_tan: {run_name}, dtype policy {policy}, {placement.replicas} replica(s)"
          + distribution.process_note(placement) + ".", flush=True)
    with placement.scope:
        network = build_stage_model(model, len(manifest["classes"]), settings, model_options,
                                    backbone_weights, attention_layer)
        if cnn_weights:
            initialization.load_pretrained_cnns(network, cnn_weights)
        if tan_weights:
            weights, source_classes = tan_weights
            copied = initialization.transfer_tan(network, weights, build_stage_model(
                model, source_classes, settings, model_options, None, attention_layer))
            print(f"init: copied {len(copied)} layers from {weights}; new classifiers.")
        from tan_keras.models import compile_for_training, training_targets
        from tan_keras.models.preprocessed import training_model

        height_width = tuple(reversed(frames["frame_size"]))
        on_frames = training_model(network, settings.backbone, height_width)
        compile_for_training(on_frames, optimizers.make_optimizer(settings, optimizer),
                             jit_compile=runtime.train_step_jit(jit_compile))
        on_frames.optimizer.build(on_frames.trainable_variables)

    def make_dataset(epoch):
        return placement.distribute(lambda input_context: train_batches(
            records_dir, split, settings, epoch, placement.replicas > 1,
            input_context=input_context).map(
                lambda inputs, labels: (inputs, training_targets(labels))))

    history = fit_resumable(on_frames, make_dataset, stage_dir, settings.epochs,
                            settings.learning_rate, settings.seed, lr_schedule=lr_schedule,
                            verbose=verbose, crash_after_epoch=crash_after_epoch,
                            weights_model=network, is_chief=placement.is_chief,
                            extra_callbacks=placement.callbacks)
    if placement.is_chief:
        network.save_weights(stage_dir / FINAL_WEIGHTS)
        stage_files.mark_done(stage_dir, {"epochs": settings.epochs,
                                          "last_epoch": history[-1] if history else {}})
    distribution.report_weights(placement, network)
    return stage_dir
