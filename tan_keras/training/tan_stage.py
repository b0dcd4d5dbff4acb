"""Stage 2: train TAN, or one of the paper's baselines, on one split.

Loss: the sum of the two branch cross-entropies (plus one on the fused output for baselines whose
fusion has weights). Writes <workspace>/train_tan/<run_name>/: settings.json, checkpoints/ (one
per epoch), logs/ (train.csv, tensorboard/), final.weights.h5 and done.json. Rerun after a crash,
it resumes.
"""

from pathlib import Path

from tan_keras import choices
from tan_keras.errors import IncompatibleInputError
from tan_keras.training import distribution, initialization, optimizers, runtime
from tan_keras.training.inputs import train_batches
from tan_keras.training.settings import ModelOptions, RunOptions, TrainingSettings
from tan_keras.training.stage_run import StageSpec, run_stage
from tan_keras.training.workspace import FINAL_WEIGHTS, Workspace, default_run_name


def build_stage_model(model_name: str, num_classes: int, settings: TrainingSettings,
                      model_options: ModelOptions | dict, backbone_weights=None,
                      attention_layer=None):
    """The stage's float model: `tan_keras.models.build_model` with the stage's settings.

    attention_layer: for TAN, a `TemporalAttention` subclass or its import path
      ('package.module:ClassName', `tan_keras.layers.attention_path`), built with
      `model_options.attention_units` and the name 'temporal_attention' (the name weight transfer
      goes by). None: `TemporalAttention`.
    """
    from tan_keras.layers.attention_path import attention_class
    from tan_keras.models import build_model
    from tan_keras.models.tan import ATTENTION_LAYER

    options = model_options if isinstance(model_options, dict) else model_options.to_dict()
    extra = {}
    if attention_layer is not None and model_name == "tan":
        layer_class = attention_class(attention_layer)
        extra["attention_layer"] = layer_class(options["attention_units"], name=ATTENTION_LAYER)
    # ModelOptions holds the sizes of every model: the ones this model does not take (a
    # baseline's attention_units) are left out, and the call says so.
    return build_model(model_name, num_classes, backbone=settings.backbone,
                       num_snippets=settings.num_snippets, image_size=settings.image_size,
                       backbone_weights=backbone_weights, drop_unused=True, **options, **extra)


def recorded_attention_layer(attention_layer) -> str | None:
    """What settings.json records of a custom attention layer: its import path, by which the
    later stages rebuild the model. The class must be registered with
    `keras.saving.register_keras_serializable`, so that a .keras export of the run loads."""
    if attention_layer is None:
        return None
    import keras

    from tan_keras.layers.attention_path import attention_class, import_path

    layer_class = attention_class(attention_layer)
    name = keras.saving.get_registered_name(layer_class)
    if keras.saving.get_registered_object(name) is not layer_class:
        raise IncompatibleInputError(
            "Expected attention_layer to be registered with "
            "keras.saving.register_keras_serializable (a .keras export of the run is rebuilt "
            f"from it). Received: attention_layer={attention_layer!r}")
    return attention_layer if isinstance(attention_layer, str) else import_path(layer_class)


def stage_settings(manifest: dict, split: int, model_name: str, init: str,
                   settings: TrainingSettings, model_options: ModelOptions,
                   mixed_precision: bool, attention_layer: str | None = None,
                   frames: dict | None = None) -> dict:
    """What settings.json records for a train_tan stage (and what other stages compare).

    frames: the records' frame settings (`RecordsSource.frames.to_dict()`), which predict and export
      need to treat a new video as the records did.
    """
    recorded = {"attention_layer": attention_layer} if attention_layer else {}
    if frames is not None:
        recorded["frames"] = frames
    return {**recorded, "stage": "train_tan", "dataset": manifest["name"], "split": int(split),
            "classes": manifest["classes"], "num_classes": len(manifest["classes"]),
            "model": model_name, "init": init, "model_options": model_options.to_dict(),
            "mixed_precision": bool(mixed_precision), "backbone": settings.backbone,
            "image_size": settings.image_size, "num_snippets": settings.num_snippets,
            "training": settings.to_dict()}


def train_tan(records_dir, workspace, model: str = "tan", init: str = "imagenet", split: int = 1,
              settings: TrainingSettings = TrainingSettings(),
              model_options: ModelOptions = ModelOptions(), run: RunOptions = RunOptions(),
              run_name: str | None = None, attention_layer=None, callbacks=()) -> Path:
    """Trains `model` on `records_dir`'s split; returns the stage folder (final.weights.h5 inside).

    Skips the work when the stage is done; resumes from its last epoch checkpoint otherwise.
    Every input (records, split, the `init` source, ImageNet weights, enough training videos for
    a full batch on several replicas) is checked before the stage folder is written.

    Args:
      records_dir: a records directory (data_prep's output) or a prepared TFDS version folder.
      workspace: the workspace; the stage is <workspace>/train_tan/<run_name>.
      model: one of `tan_keras.choices.MODELS`.
      init: 'imagenet', 'cnn', 'cnn:<dataset>' or 'tan:<checkpoint>' (`choices.parse_init`).
      split: the split whose training side is used.
      settings: the training hyperparameters, the optimizer and the schedule.
      model_options: the model's sizes.
      run: the devices (`strategy`; 'multi_worker' needs `distribution.join_cluster()` called
        first, and only the chief writes files), mixed precision, XLA and progress output.
      run_name: the stage folder's name (default `workspace.default_run_name`).
      attention_layer: TAN only: a `TemporalAttention` subclass, or its import path
        'package.module:ClassName', registered with `keras.saving.register_keras_serializable`,
        built in place of `TemporalAttention`; its import path goes into settings.json, from
        which evaluate, export, `load_video_model` and reproduce import it.
      callbacks: more Keras callbacks for every epoch's `fit` (`fit.fit_resumable`).

    The model trains on uint8 frames (`tan_keras.data.train_frames`) with the crop, the resize,
    the flip, the flow image and the normalisation in its compiled step
    (`tan_keras.models.preprocessed.training_model`); final.weights.h5 and the epoch
    checkpoints' weights files hold the float model's weights.
    """
    if model not in choices.MODELS:
        raise ValueError(f"Expected model in {choices.MODELS}. Received: model={model!r}")
    distribution.check_strategy(run.strategy)
    attention_name = recorded_attention_layer(attention_layer if model == "tan" else None)
    kind, argument = choices.parse_init(init)
    from tan_keras.data import RecordsSource

    source = RecordsSource.open(records_dir)
    train_videos = source.videos(split, "train")
    backbone_weights = cnn_weights = tan_weights = None
    if kind == "imagenet":
        backbone_weights = initialization.imagenet_weights(
            settings.backbone, settings.imagenet_weights, instead="init='cnn'")
    elif kind == "cnn":
        dataset = argument or source.name
        hint = source.path if dataset == source.name else f"<{dataset} records>"
        cnn_weights = initialization.pretrained_cnn_weights(workspace, dataset, split, settings,
                                                            hint)
    else:
        tan_weights = initialization.tan_source(Path(argument), model, model_options.to_dict(),
                                                settings)
    run_name = run_name or default_run_name(source.name, split, model, init)
    stage_dir = Workspace(workspace).train_dir(run_name)
    frames = source.frames.to_dict()
    recorded = stage_settings(source.manifest, split, model, init, settings, model_options,
                              run.mixed_precision, attention_name, frames)

    def build():
        network = build_stage_model(model, source.num_classes, settings, model_options,
                                    backbone_weights, attention_layer)
        if cnn_weights:
            initialization.load_pretrained_cnns(network, cnn_weights)
        if tan_weights:
            weights, source_classes = tan_weights
            copied = initialization.transfer_tan(network, weights, build_stage_model(
                model, source_classes, settings, model_options, None, attention_layer))
            print(f"init: copied {len(copied)} layers from {weights}; new classifiers.")
        from tan_keras.models import compile_for_training
        from tan_keras.models.preprocessed import training_model

        on_frames = training_model(network, settings.backbone,
                                   frame_height=source.frames.height,
                                   frame_width=source.frames.width)
        compile_for_training(on_frames, optimizers.make_optimizer(settings),
                             **runtime.compile_options(run))
        return on_frames, network

    def batches(epoch, drop_remainder, input_context):
        from tan_keras.models import training_targets

        return train_batches(
            source, split, settings, epoch, drop_remainder,
            input_context=input_context).map(
                lambda inputs, labels: (inputs, training_targets(labels)))

    run_stage(StageSpec(
        name="train_tan", stage_dir=stage_dir, recorded=recorded,
        output=stage_dir / FINAL_WEIGHTS, build=build, batches=batches,
        save=lambda network: network.save_weights(stage_dir / FINAL_WEIGHTS),
        train_videos=len(train_videos), videos_of=f"split {split} of {source.path}"),
        settings, run, callbacks)
    return stage_dir
