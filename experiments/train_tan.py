r"""Stage 2: train TAN, or one of the paper's baselines, on one split.

    python -m experiments.train_tan --records_dir=records/ucf101 --workspace=ws --split=1 \
        --model=tan --init=cnn --backbone=googlenet --epochs=20

Writes <workspace>/train_tan/<run_name>/ (default run name <dataset>_split<k>_<model>_<init>);
rerun after a crash, it resumes; rerun when done, it skips. The library function is
`tan_keras.training.train_tan`; docs/training.md describes the stages.
"""

from absl import flags

from experiments import shared_flags
from tan_keras import choices, cli

FLAGS = flags.FLAGS
shared_flags.define_records_dir()
shared_flags.define_workspace()
shared_flags.define_split()
shared_flags.define_training_flags()
shared_flags.define_model_flags()
shared_flags.define_init()
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("run_name", None, "Stage folder name (default: "
                    "<dataset>_split<k>_<model>_<init>).")
flags.DEFINE_enum("strategy", "default", list(choices.STRATEGIES),
                  "default: one device. mirrored: tf.distribute over this machine's GPUs (or "
                  "logical CPUs). multi_worker: MultiWorkerMirroredStrategy from TF_CONFIG.")
flags.DEFINE_integer("num_cpu_devices", 1, "Split the CPU into this many logical devices (to "
                     "run --strategy=mirrored without GPUs).", lower_bound=1)
flags.DEFINE_bool("mixed_precision", False, "mixed_float16 on GPU, mixed_bfloat16 on CPU.")
flags.DEFINE_integer("crash_after_epoch", None, "Tests only: SIGKILL after this epoch.")
flags.register_multi_flags_validator(
    ["backbone", "init", "imagenet_weights"],
    shared_flags.imagenet_weights_validator(lambda values: values["init"] == "imagenet"))


def main(argv):
    del argv
    from tan_keras.training import runtime, train_tan

    if FLAGS.num_cpu_devices > 1:
        runtime.split_cpu(FLAGS.num_cpu_devices)
    stage_dir = train_tan(
        FLAGS.records_dir, FLAGS.workspace, model=FLAGS.model, init=FLAGS.init, split=FLAGS.split,
        settings=shared_flags.training_settings(), run_name=FLAGS.run_name,
        model_options=shared_flags.model_options(), optimizer=FLAGS.optimizer,
        lr_schedule=FLAGS.lr_schedule, strategy=FLAGS.strategy,
        mixed_precision=FLAGS.mixed_precision, jit_compile=FLAGS.jit_compile,
        verbose=FLAGS.verbose, crash_after_epoch=FLAGS.crash_after_epoch)
    print(f"final weights: {stage_dir / 'final.weights.h5'}")


if __name__ == "__main__":
    cli.run(main)
