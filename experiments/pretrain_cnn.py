r"""Stage 1 (Table 1, "CNN on target"): fine-tune one stream's CNN as a snippet classifier.

    python -m experiments.pretrain_cnn --records_dir=records/ucf101 --workspace=ws \
        --split=1 --stream=rgb --backbone=googlenet --imagenet_weights=inception_v1.ckpt

The CNN's weights go to <workspace>/pretrain_cnn/<dataset>_split<k>_<stream>/backbone.weights.h5,
where `train_tan --init=cnn` finds them. The library function is
`tan_keras.training.pretrain_cnn`; docs/training.md describes the stages.
"""

from absl import flags

from experiments import cli, shared_flags
from tan_keras import choices

FLAGS = flags.FLAGS
shared_flags.define_records_dir()
shared_flags.define_workspace()
shared_flags.define_split()
shared_flags.define_training_flags()
shared_flags.define_run_flags()
shared_flags.define_distribution_flags()
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_enum("stream", "rgb", list(choices.STREAMS), "Which stream's CNN to fine-tune.")
flags.DEFINE_bool("imagenet", True, "Start from ImageNet weights (--noimagenet: random init).")
flags.register_multi_flags_validator(
    ["backbone", "imagenet", "imagenet_weights"],
    shared_flags.imagenet_weights_validator(lambda values: values["imagenet"],
                                            instead="imagenet=False"))


def main(argv):
    del argv
    shared_flags.start_distribution()
    from tan_keras.training import pretrain_cnn

    path = pretrain_cnn(FLAGS.records_dir, FLAGS.workspace, FLAGS.stream, FLAGS.split,
                        shared_flags.training_settings(), imagenet=FLAGS.imagenet,
                        run=shared_flags.run_options())
    print(f"backbone weights: {path}")


if __name__ == "__main__":
    cli.run(main)
