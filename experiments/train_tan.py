"""Stage 2: train TAN, or one of the paper's baselines, on one split.

    python -m experiments.train_tan --records_dir=records/ucf101 --workspace=ws --split=1 \
        --model=tan --init=cnn --backbone=googlenet --image_size=224 --epochs=20

--model: tan | two_stream | fc_fusion | branch_selection | bs_l2 | spatial_attention.
--init:  imagenet | cnn | cnn:<dataset> | tan:<checkpoint> (see experiments/model_init.py).
Loss: the sum of the two branch cross-entropies (plus one on the fused output for baselines whose
fusion has weights). --optimizer: sgd (with momentum; the default) | adam (see
training.make_optimizer). --lr_schedule: step (the default: learning rate x0.1 at 50% and 75% of
the epochs) | constant.
Writes <workspace>/train_tan/<run_name>/: settings.json, checkpoints/ (one per epoch), logs/
(train.csv, tensorboard/), final.weights.h5 and done.json. Rerun after a crash, it resumes.
"""

from pathlib import Path

from absl import app, flags

from experiments import model_init, runtime, training
from experiments.common_flags import define_training_flags, settings_from_flags
from experiments.inputs import train_batches
from experiments.records import read_manifest, split_videos
from experiments.settings import TrainingSettings, open_stage
from experiments.workspace import FINAL_WEIGHTS, Workspace, default_run_name, is_done, mark_done

DEFAULT_MODEL_OPTIONS = {"rnn": "lstm", "rnn_units": 512, "attention_units": 256, "dropout": 0.5}


def build(model_name: str, num_classes: int, settings: TrainingSettings, model_options: dict,
          backbone_weights=None):
    """The stage's model: `tan_keras.models.build_model` with the stage's settings."""
    from tan_keras.models import build_model

    return build_model(model_name, num_classes, backbone=settings.backbone,
                       num_snippets=settings.num_snippets, image_size=settings.image_size,
                       backbone_weights=backbone_weights, **model_options)


def stage_settings(manifest: dict, split: int, model_name: str, init: str,
                   settings: TrainingSettings, model_options: dict, mixed_precision: bool,
                   optimizer: str = "sgd", lr_schedule: str = "step") -> dict:
    """What settings.json records for a train_tan stage (and what other stages compare)."""
    return {"stage": "train_tan", "dataset": manifest["name"], "split": int(split),
            "classes": manifest["classes"], "num_classes": len(manifest["classes"]),
            "model": model_name, "init": init, "model_options": model_options,
            "optimizer": optimizer, "lr_schedule": lr_schedule,
            "mixed_precision": bool(mixed_precision), "backbone": settings.backbone,
            "image_size": settings.image_size, "num_snippets": settings.num_snippets,
            "training": settings.to_dict()}


def _initialise(model, init: str, manifest: dict, split: int, workspace, records_dir,
                model_name: str, model_options: dict, settings: TrainingSettings) -> None:
    kind, argument = model_init.parse_init(init)
    if kind == "cnn":
        dataset = argument or manifest["name"]
        hint = str(records_dir) if dataset == manifest["name"] else f"<{dataset} records>"
        model_init.load_pretrained_cnns(model, workspace, dataset, split, settings, hint)
    elif kind == "tan":
        copied = model_init.transfer_tan(
            model, Path(argument), model_name, model_options, settings,
            lambda classes: build(model_name, classes, settings, model_options))
        print(f"init: copied {len(copied)} layers from {argument}; new classifiers.")


def train(records_dir, workspace, model: str = "tan", init: str = "imagenet", split: int = 1,
          settings: TrainingSettings = TrainingSettings(), run_name: str | None = None,
          model_options: dict | None = None, strategy: str = "default",
          mixed_precision: bool = False, jit_compile: bool = False, verbose: int = 1,
          crash_after_epoch: int | None = None, optimizer: str = "sgd",
          lr_schedule: str = "step") -> Path:
    """Trains `model` on `records_dir`'s split; returns the stage dir (final.weights.h5 inside).

    Skips the work when the stage is done; resumes from its last epoch checkpoint otherwise.

    Args:
      model_options: overrides of DEFAULT_MODEL_OPTIONS (rnn, rnn_units, attention_units, dropout).
      strategy: 'default', 'mirrored' or 'multi_worker' (see runtime.strategy_scope).
      optimizer: 'sgd' (momentum `settings.momentum`) or 'adam' (see training.make_optimizer).
      lr_schedule: 'step' (x0.1 at 50% and 75% of the epochs) or 'constant'.
      crash_after_epoch: tests only: SIGKILL the process after that epoch's checkpoint.
    """
    model_init.parse_init(init)
    if optimizer not in training.OPTIMIZERS:
        raise ValueError(f"Expected optimizer in {training.OPTIMIZERS}. "
                         f"Received: optimizer={optimizer!r}")
    if lr_schedule not in training.LR_SCHEDULES:
        raise ValueError(f"Expected lr_schedule in {training.LR_SCHEDULES}. "
                         f"Received: lr_schedule={lr_schedule!r}")
    manifest = read_manifest(records_dir)
    split_videos(manifest, split, "train", records_dir)
    options = {**DEFAULT_MODEL_OPTIONS, **(model_options or {})}
    run_name = run_name or default_run_name(manifest["name"], split, model, init)
    stage_dir = Workspace(workspace).train_dir(run_name)
    if is_done(stage_dir):
        print(f"train_tan: {stage_dir} is done; skipping.")
        return stage_dir
    open_stage(stage_dir, stage_settings(manifest, split, model, init, settings, options,
                                         mixed_precision, optimizer, lr_schedule))
    runtime.make_deterministic(settings.seed)
    policy = runtime.set_mixed_precision(mixed_precision)
    scope, replicas = runtime.strategy_scope(strategy)
    print(f"train_tan: {run_name}, dtype policy {policy}, {replicas} replica(s).")
    with scope:
        backbone_weights = None
        if init == "imagenet":
            backbone_weights = model_init.imagenet_weights(settings.backbone,
                                                           settings.imagenet_weights)
        network = build(model, len(manifest["classes"]), settings, options, backbone_weights)
        _initialise(network, init, manifest, split, workspace, records_dir, model, options,
                    settings)
        from tan_keras.models import compile_for_training, training_targets

        compile_for_training(network, training.make_optimizer(settings, optimizer),
                             jit_compile=jit_compile)
        network.optimizer.build(network.trainable_variables)

    def make_dataset(epoch):
        return train_batches(records_dir, split, settings, epoch, replicas > 1).map(
            lambda inputs, labels: (inputs, training_targets(labels)))

    history = training.fit_resumable(network, make_dataset, stage_dir, settings.epochs,
                                     settings.learning_rate, settings.seed, verbose=verbose,
                                     crash_after_epoch=crash_after_epoch,
                                     lr_schedule=lr_schedule)
    network.save_weights(stage_dir / FINAL_WEIGHTS)
    mark_done(stage_dir, {"epochs": settings.epochs, "last_epoch": history[-1] if history else {}})
    return stage_dir


FLAGS = flags.FLAGS


def main(argv):
    del argv
    if FLAGS.num_cpu_devices > 1:
        runtime.split_cpu(FLAGS.num_cpu_devices)
    stage_dir = train(
        FLAGS.records_dir, FLAGS.workspace, model=FLAGS.model, init=FLAGS.init, split=FLAGS.split,
        settings=settings_from_flags(), run_name=FLAGS.run_name,
        model_options={"rnn": FLAGS.rnn, "rnn_units": FLAGS.rnn_units,
                       "attention_units": FLAGS.attention_units, "dropout": FLAGS.dropout},
        strategy=FLAGS.strategy, mixed_precision=FLAGS.mixed_precision,
        jit_compile=FLAGS.jit_compile, verbose=FLAGS.verbose,
        crash_after_epoch=FLAGS.crash_after_epoch, optimizer=FLAGS.optimizer,
        lr_schedule=FLAGS.lr_schedule)
    print(f"final weights: {stage_dir / FINAL_WEIGHTS}")


def run_main():
    define_training_flags(epochs_default=20, learning_rate_default=0.001)
    flags.DEFINE_enum("model", "tan", ["tan", "two_stream", "fc_fusion", "branch_selection",
                                       "bs_l2", "spatial_attention"], "Which model to train.")
    flags.DEFINE_string("init", "imagenet", "imagenet | cnn | cnn:<dataset> | tan:<checkpoint>.")
    flags.DEFINE_string("run_name", None, "Stage folder name (default: "
                        "<dataset>_split<k>_<model>_<init>).")
    flags.DEFINE_enum("optimizer", "sgd", list(training.OPTIMIZERS),
                      "sgd: SGD with --momentum (the paper-reproduction default). adam: Adam "
                      "(--momentum unused), for small models from scratch such as the quickstart's.")
    flags.DEFINE_enum("lr_schedule", "step", list(training.LR_SCHEDULES),
                      "step: --learning_rate x0.1 at 50% and 75% of the epochs (the default). "
                      "constant: --learning_rate throughout.")
    flags.DEFINE_enum("rnn", "lstm", ["lstm", "gru"], "Recurrent layer of each branch.")
    flags.DEFINE_integer("rnn_units", DEFAULT_MODEL_OPTIONS["rnn_units"], "Recurrent units U.")
    flags.DEFINE_integer("attention_units", DEFAULT_MODEL_OPTIONS["attention_units"],
                         "Size of the attention's global states.")
    flags.DEFINE_float("dropout", DEFAULT_MODEL_OPTIONS["dropout"], "Dropout rate.")
    flags.DEFINE_enum("strategy", "default", list(runtime.STRATEGIES), "tf.distribute strategy.")
    flags.DEFINE_integer("num_cpu_devices", 1, "Split the CPU into this many logical devices "
                         "(to run --strategy=mirrored without GPUs).")
    flags.DEFINE_bool("mixed_precision", False, "mixed_float16 on GPU, mixed_bfloat16 on CPU.")
    flags.DEFINE_integer("crash_after_epoch", None, "Tests only: SIGKILL after this epoch.")
    flags.mark_flags_as_required(["records_dir", "workspace"])
    app.run(main)


if __name__ == "__main__":
    run_main()
