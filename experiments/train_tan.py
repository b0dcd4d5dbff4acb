r"""Stage 2: train TAN, or one of the paper's baselines, on one split.

    python -m experiments.train_tan --records_dir=records/ucf101 --workspace=ws --split=1 \
        --model=tan --init=cnn --backbone=googlenet --epochs=20

Writes <workspace>/train_tan/<run_name>/ (default run name <dataset>_split<k>_<model>_<init>);
rerun after a crash, it resumes; rerun when done, it skips. --preset=paper starts from the
paper's settings (flags given explicitly override them). On several processes (the same
command in each; only --process_id differs, or TF_CONFIG's task on TensorFlow):

    KERAS_BACKEND=jax python -m experiments.train_tan ... --strategy=multi_worker \
        --coordinator_address=host0:1234 --num_processes=2 --process_id=0

The library function is `tan_keras.training.train_tan`; docs/training.md describes the stages.
"""

from absl import flags

from experiments import cli, shared_flags

FLAGS = flags.FLAGS
shared_flags.define_records_dir()
shared_flags.define_workspace()
shared_flags.define_split()
shared_flags.define_training_flags()
shared_flags.define_model_flags()
shared_flags.define_init()
shared_flags.define_run_flags()
shared_flags.define_distribution_flags()
shared_flags.define_attention_layer(shared_flags.ATTENTION_LAYER_HELP["train"])
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("run_name", None, "Stage folder name (default: "
                    "<dataset>_split<k>_<model>_<init>).")
flags.register_multi_flags_validator(
    ["backbone", "init", "imagenet_weights"],
    shared_flags.imagenet_weights_validator(lambda values: values["init"] == "imagenet",
                                            instead="init='cnn'"))


def main(argv):
    del argv
    shared_flags.start_distribution()
    from tan_keras.training import train_tan

    stage_dir = train_tan(
        FLAGS.records_dir, FLAGS.workspace, model=FLAGS.model, init=FLAGS.init, split=FLAGS.split,
        settings=shared_flags.training_settings(), model_options=shared_flags.model_options(),
        run=shared_flags.run_options(), run_name=FLAGS.run_name,
        attention_layer=FLAGS.attention_layer)
    print(f"final weights: {stage_dir / 'final.weights.h5'}")


if __name__ == "__main__":
    cli.run(main)
