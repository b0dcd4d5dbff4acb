"""Stage 1 (Table 1, "CNN on target"): fine-tune one stream's CNN as a snippet classifier.

Every sampled snippet frame (rgb) or flow image (flow) of a training video is one example with
the video's label: CNN -> dropout -> Dense(C). The frames arrive as uint8 (one stream's only)
and are cropped, resized, flipped and normalised inside the model, as in train_tan. Only the
CNN's weights are kept, in <workspace>/pretrain_cnn/<dataset>_split<k>_<stream>/
backbone.weights.h5, where `train_tan(init="cnn")` finds them.
"""

from pathlib import Path

import keras

from tan_keras import choices
from tan_keras.training import distribution, initialization, optimizers, runtime, stage_files
from tan_keras.training.fit import fit_resumable
from tan_keras.training.inputs import frame_size, read_manifest, split_videos, train_batches
from tan_keras.training.settings import TrainingSettings
from tan_keras.training.workspace import BACKBONE_WEIGHTS, Workspace


def build_snippet_classifier(backbone: str, image_size: int, num_classes: int, stream: str,
                             weights=None, dropout: float = 0.5) -> keras.Model:
    """frames [B, S, S, 3] float -> logits [B, C]; the CNN is the layer '<stream>_backbone'."""
    from tan_keras.backbones import build_backbone

    cnn = build_backbone(backbone, image_size, weights, name=f"{stream}_backbone")
    frames = keras.Input((image_size, image_size, 3), name=stream)
    features = keras.layers.Dropout(dropout, name="dropout")(cnn(frames))
    logits = keras.layers.Dense(num_classes, name="frame_classifier", dtype="float32")(features)
    return keras.Model(frames, logits, name=f"{stream}_snippet_classifier")


def snippet_classifier_on_frames(classifier: keras.Model, stream: str, backbone: str,
                                 num_snippets: int, frame_size=None) -> keras.Model:
    """`classifier` (frames [B', S, S, 3] -> logits) fed by a stream's uint8 clips.

    Inputs: the stream's uint8 frames ('rgb' [B, T, H, W, 3], or 'flow_x' and 'flow_y'
    [B, T, H, W]), 'crop' [B, 4] and 'flip' [B]; output: logits [B * T, C], one per snippet
    (the labels are repeated T times to match).
    """
    from tan_keras.layers import ClipPreprocessing, FoldSnippets
    from tan_keras.models.preprocessed import clip_parameter_inputs, frame_inputs

    inputs = {**frame_inputs(num_snippets, frame_size, streams=(stream,)),
              **clip_parameter_inputs()}
    image_size = classifier.inputs[0].shape[1]
    frames = ClipPreprocessing(image_size, backbone, name="clip_preprocessing")(inputs)[stream]
    return keras.Model(inputs, classifier(FoldSnippets(name="fold")(frames)),
                       name=f"{classifier.name}_on_frames")


def _labels_per_snippet(batches, num_snippets: int):
    """(inputs, labels [B]) -> (inputs, labels [B * T]), each video's label once per snippet."""
    import tensorflow as tf

    return batches.map(lambda inputs, labels: (inputs, tf.repeat(labels, num_snippets)))


def pretrain_cnn(records_dir, workspace, stream: str = "rgb", split: int = 1,
                 settings: TrainingSettings = TrainingSettings(), imagenet: bool = True,
                 optimizer: str = "sgd", lr_schedule: str = "step", verbose: int = 1,
                 jit_compile: bool = False, strategy: str = "default") -> Path:
    """Fine-tunes the `stream` CNN on `records_dir`'s split; returns backbone.weights.h5's path.

    Skips the work when the stage is done; resumes from its last epoch checkpoint otherwise.
    Every input is checked before the stage folder is written.

    Args:
      records_dir: a records directory (data_prep's output).
      workspace: the workspace; the stage is <workspace>/pretrain_cnn/<dataset>_split<k>_<stream>.
      stream: 'rgb' or 'flow'.
      split: the split whose training side is used.
      settings: the training hyperparameters.
      imagenet: start from ImageNet weights (`settings.imagenet_weights`); else random init.
      optimizer, lr_schedule: see `optimizers.make_optimizer` and `optimizers.learning_rate_at`.
      verbose: Keras progress (1: a bar, 2: one line per epoch, 0: none).
      jit_compile: TensorFlow: compile the train step with XLA (on JAX it always is,
        `runtime.train_step_jit`).
      strategy: 'default', 'mirrored' or 'multi_worker' (`distribution.place`), as train_tan's.
    """
    if stream not in choices.STREAMS:
        raise ValueError(f"Expected stream in {choices.STREAMS}. Received: stream={stream!r}")
    distribution.check_strategy(strategy)
    manifest = read_manifest(records_dir)
    split_videos(manifest, split, "train", records_dir)
    weights = None
    if imagenet:
        weights = initialization.imagenet_weights(settings.backbone, settings.imagenet_weights)
    stage_dir = Workspace(workspace).pretrain_dir(manifest["name"], split, stream)
    weights_file = stage_dir / BACKBONE_WEIGHTS
    placement = distribution.place(strategy, settings.batch_size)
    finished = stage_files.open_stage(stage_dir, {
        "stage": "pretrain_cnn", "dataset": manifest["name"], "split": int(split),
        "stream": stream, "classes": manifest["classes"],
        "num_classes": len(manifest["classes"]), "imagenet": bool(imagenet),
        "optimizer": optimizer, "lr_schedule": lr_schedule,
        "backbone": settings.backbone, "image_size": settings.image_size,
        "training": settings.to_dict()}, run_name_flag=None, write=placement.is_chief)
    if finished and weights_file.is_file():
        print(f"pretrain_cnn: {stage_dir} is done; skipping.")
        return weights_file
    runtime.make_deterministic(settings.seed)
    print(f"pretrain_cnn: {stage_dir.name}, {placement.replicas} replica(s)"
          + distribution.process_note(placement) + ".", flush=True)
    with placement.scope:
        classifier = build_snippet_classifier(settings.backbone, settings.image_size,
                                              len(manifest["classes"]), stream, weights)
        model = snippet_classifier_on_frames(classifier, stream, settings.backbone,
                                             settings.num_snippets, frame_size(records_dir, split))
        model.compile(optimizer=optimizers.make_optimizer(settings, optimizer),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["sparse_categorical_accuracy"],
                      jit_compile=runtime.train_step_jit(jit_compile))
        model.optimizer.build(model.trainable_variables)

    def make_dataset(epoch):
        return placement.distribute(lambda input_context: _labels_per_snippet(
            train_batches(records_dir, split, settings, epoch, placement.replicas > 1,
                          streams=(stream,), input_context=input_context),
            settings.num_snippets))

    history = fit_resumable(
        model, make_dataset, stage_dir, settings.epochs, settings.learning_rate, settings.seed,
        lr_schedule=lr_schedule, verbose=verbose, weights_model=classifier,
        is_chief=placement.is_chief, extra_callbacks=placement.callbacks)
    if placement.is_chief:
        classifier.get_layer(f"{stream}_backbone").save_weights(weights_file)
        stage_files.mark_done(stage_dir, {"epochs": settings.epochs,
                                          "last_epoch": history[-1] if history else {}})
    distribution.report_weights(placement, model)
    return weights_file
