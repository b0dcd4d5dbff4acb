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
from tan_keras.training import distribution, initialization, optimizers, runtime
from tan_keras.training.inputs import train_batches
from tan_keras.training.settings import RunOptions, TrainingSettings
from tan_keras.training.stage_run import StageSpec, run_stage
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
                                 num_snippets: int, *, frame_height: int | None = None,
                                 frame_width: int | None = None) -> keras.Model:
    """`classifier` (frames [B', S, S, 3] -> logits) fed by a stream's uint8 clips.

    Inputs: the stream's uint8 frames ('rgb' [B, T, H, W, 3], or 'flow_x' and 'flow_y'
    [B, T, H, W]; H = frame_height, W = frame_width, both None for any size), 'crop' [B, 4] and
    'flip' [B]; output: logits [B * T, C], one per snippet (the labels are repeated T times to
    match).
    """
    from tan_keras.layers import ClipPreprocessing, FoldSnippets
    from tan_keras.models.preprocessed import clip_parameter_inputs, frame_inputs

    inputs = {**frame_inputs(num_snippets, frame_height=frame_height, frame_width=frame_width,
                             streams=(stream,)),
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
                 run: RunOptions = RunOptions(), callbacks=()) -> Path:
    """Fine-tunes the `stream` CNN on `records_dir`'s split; returns backbone.weights.h5's path.

    Skips the work when the stage is done; resumes from its last epoch checkpoint otherwise.
    Every input (records, split, ImageNet weights, enough training videos for a full batch on
    several replicas) is checked before the stage folder is written.

    Args:
      records_dir: a records directory (data_prep's output) or a prepared TFDS version folder.
      workspace: the workspace; the stage is <workspace>/pretrain_cnn/<dataset>_split<k>_<stream>.
      stream: 'rgb' or 'flow'.
      split: the split whose training side is used.
      settings: the training hyperparameters, the optimizer and the schedule.
      imagenet: start from ImageNet weights (`settings.imagenet_weights`); else random init.
      run: the devices (`strategy`), mixed precision, XLA and progress output, as train_tan's.
      callbacks: more Keras callbacks for every epoch's `fit` (`fit.fit_resumable`).
    """
    if stream not in choices.STREAMS:
        raise ValueError(f"Expected stream in {choices.STREAMS}. Received: stream={stream!r}")
    distribution.check_strategy(run.strategy)
    from tan_keras.data import RecordsSource

    source = RecordsSource.open(records_dir)
    train_videos = source.videos(split, "train")
    weights = None
    if imagenet:
        weights = initialization.imagenet_weights(settings.backbone, settings.imagenet_weights,
                                                  instead="imagenet=False")
    stage_dir = Workspace(workspace).pretrain_dir(source.name, split, stream)
    weights_file = stage_dir / BACKBONE_WEIGHTS
    recorded = {
        "stage": "pretrain_cnn", "dataset": source.name, "split": int(split),
        "stream": stream, "classes": source.classes,
        "num_classes": source.num_classes, "imagenet": bool(imagenet),
        "mixed_precision": bool(run.mixed_precision),
        "backbone": settings.backbone, "image_size": settings.image_size,
        "training": settings.to_dict()}

    def build():
        classifier = build_snippet_classifier(settings.backbone, settings.image_size,
                                              source.num_classes, stream, weights)
        model = snippet_classifier_on_frames(classifier, stream, settings.backbone,
                                             settings.num_snippets,
                                             frame_height=source.frames.height,
                                             frame_width=source.frames.width)
        model.compile(optimizer=optimizers.make_optimizer(settings),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["sparse_categorical_accuracy"],
                      **runtime.compile_options(run))
        return model, classifier

    def batches(epoch, drop_remainder, input_context):
        return _labels_per_snippet(
            train_batches(source, split, settings, epoch, drop_remainder,
                          streams=(stream,), input_context=input_context),
            settings.num_snippets)

    run_stage(StageSpec(
        name="pretrain_cnn", stage_dir=stage_dir, recorded=recorded, output=weights_file,
        build=build, batches=batches,
        save=lambda classifier: classifier.get_layer(f"{stream}_backbone").save_weights(
            weights_file),
        train_videos=len(train_videos), videos_of=f"split {split} of {source.path}",
        run_name_argument=None), settings, run, callbacks)
    return weights_file
