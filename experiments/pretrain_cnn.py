"""Stage 1 (Table 1, "CNN on target"): fine-tune one stream's CNN as a snippet classifier.

    python -m experiments.pretrain_cnn --records_dir=records/ucf101 --workspace=ws \
        --split=1 --stream=rgb --backbone=googlenet --image_size=224 --epochs=20

Every sampled snippet frame (rgb) or flow image (flow) of a training video is one example with
the video's label: CNN -> dropout -> Dense(C). The CNN's weights go to
<workspace>/pretrain_cnn/<dataset>_split<k>_<stream>/backbone.weights.h5, where
`train_tan --init=cnn` finds them.
"""

from pathlib import Path

import keras
from absl import app, flags

from experiments import model_init, runtime, training
from experiments.common_flags import define_training_flags, settings_from_flags
from experiments.inputs import train_batches
from experiments.records import read_manifest, split_videos
from experiments.settings import TrainingSettings, open_stage
from experiments.workspace import BACKBONE_WEIGHTS, Workspace, is_done, mark_done

STREAMS = ("rgb", "flow")


def build_snippet_classifier(backbone: str, image_size: int, num_classes: int, stream: str,
                             weights=None, dropout: float = 0.5) -> keras.Model:
    """frames [B, S, S, 3] float -> logits [B, C]; the CNN is the layer '<stream>_backbone'."""
    from tan_keras.backbones import build_backbone

    cnn = build_backbone(backbone, image_size, weights, name=f"{stream}_backbone")
    frames = keras.Input((image_size, image_size, 3), name=stream)
    features = keras.layers.Dropout(dropout, name="dropout")(cnn(frames))
    logits = keras.layers.Dense(num_classes, name="frame_classifier", dtype="float32")(features)
    return keras.Model(frames, logits, name=f"{stream}_snippet_classifier")


def _frames_of_stream(batches, stream: str):
    """({'rgb', 'flow'} [B, T, S, S, 3], labels [B]) -> ([B * T, S, S, 3], labels [B * T])."""
    import tensorflow as tf

    def unfold(inputs, labels):
        frames = inputs[stream]
        shape = tf.shape(frames)
        folded = tf.reshape(frames, tf.concat([[-1], shape[2:]], axis=0))
        return folded, tf.repeat(labels, shape[1])

    return batches.map(unfold, num_parallel_calls=tf.data.AUTOTUNE)


def pretrain(records_dir, workspace, stream: str = "rgb", split: int = 1,
             settings: TrainingSettings = TrainingSettings(), imagenet: bool = True,
             verbose: int = 1, jit_compile: bool = False) -> Path:
    """Fine-tunes the `stream` CNN on `records_dir`'s split; returns backbone.weights.h5's path.

    Skips the work when the stage is done; resumes from its last epoch checkpoint otherwise.
    """
    if stream not in STREAMS:
        raise ValueError(f"Expected stream in {STREAMS}. Received: stream={stream!r}")
    manifest = read_manifest(records_dir)
    split_videos(manifest, split, "train", records_dir)
    stage_dir = Workspace(workspace).pretrain_dir(manifest["name"], split, stream)
    weights_file = stage_dir / BACKBONE_WEIGHTS
    if is_done(stage_dir):
        print(f"pretrain_cnn: {stage_dir} is done; skipping.")
        return weights_file
    open_stage(stage_dir, {
        "stage": "pretrain_cnn", "dataset": manifest["name"], "split": int(split),
        "stream": stream, "classes": manifest["classes"],
        "num_classes": len(manifest["classes"]), "imagenet": bool(imagenet),
        "backbone": settings.backbone, "image_size": settings.image_size,
        "training": settings.to_dict()})
    runtime.make_deterministic(settings.seed)
    model = build_snippet_classifier(
        settings.backbone, settings.image_size, len(manifest["classes"]), stream,
        model_init.imagenet_weights(settings.backbone, settings.imagenet_weights)
        if imagenet else None)
    model.compile(optimizer=training.make_sgd(settings),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["sparse_categorical_accuracy"], jit_compile=jit_compile)
    history = training.fit_resumable(
        model, lambda epoch: _frames_of_stream(
            train_batches(records_dir, split, settings, epoch), stream),
        stage_dir, settings.epochs, settings.learning_rate, settings.seed, verbose=verbose)
    model.get_layer(f"{stream}_backbone").save_weights(weights_file)
    mark_done(stage_dir, {"epochs": settings.epochs, "last_epoch": history[-1] if history else {}})
    return weights_file


FLAGS = flags.FLAGS


def main(argv):
    del argv
    path = pretrain(FLAGS.records_dir, FLAGS.workspace, FLAGS.stream, FLAGS.split,
                    settings_from_flags(), imagenet=FLAGS.imagenet, verbose=FLAGS.verbose,
                    jit_compile=FLAGS.jit_compile)
    print(f"backbone weights: {path}")


def run_main():
    define_training_flags(epochs_default=20, learning_rate_default=0.001)
    flags.DEFINE_enum("stream", "rgb", STREAMS, "Which stream's CNN to fine-tune.")
    flags.DEFINE_bool("imagenet", True, "Start from ImageNet weights (else random init).")
    flags.mark_flags_as_required(["records_dir", "workspace"])
    app.run(main)


if __name__ == "__main__":
    run_main()
