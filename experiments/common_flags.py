"""absl flags shared by the training scripts: the fields of TrainingSettings and the data/workspace."""

from absl import flags

from experiments.settings import TrainingSettings

FLAGS = flags.FLAGS


def define_training_flags(epochs_default: int, learning_rate_default: float) -> None:
    """The flags every training script shares (the fields of TrainingSettings)."""
    defaults = TrainingSettings()
    flags.DEFINE_string("records_dir", None, "Records directory (with manifest.json).")
    flags.DEFINE_string("workspace", None, "Workspace directory; everything is written inside.")
    flags.DEFINE_integer("split", 1, "Official split number (1, 2 or 3).")
    flags.DEFINE_string("backbone", defaults.backbone, "Per-frame CNN.")
    flags.DEFINE_integer("image_size", defaults.image_size, "Side of the square crops.")
    flags.DEFINE_integer("num_snippets", defaults.num_snippets, "T, snippets per video.")
    flags.DEFINE_integer("epochs", epochs_default, "Training epochs.")
    flags.DEFINE_integer("batch_size", defaults.batch_size, "Videos per step.")
    flags.DEFINE_float("learning_rate", learning_rate_default,
                       "Base learning rate (with the step schedule: x0.1 at 50% and 75% of the epochs).")
    flags.DEFINE_float("momentum", defaults.momentum, "SGD momentum.")
    flags.DEFINE_float("weight_decay", defaults.weight_decay, "Decoupled weight decay.")
    flags.DEFINE_integer("seed", defaults.seed, "Seed of data order, augmentation and init.")
    flags.DEFINE_string("imagenet_weights", None, "ImageNet weights source: default 'imagenet' "
                        "(Keras applications); googlenet needs the TF-Slim inception_v1.ckpt path.")
    flags.DEFINE_integer("verbose", 1, "Keras progress: 1 bar, 2 one line per epoch, 0 none.")
    flags.DEFINE_bool("jit_compile", False, "Compile the train step with XLA.")


def settings_from_flags() -> TrainingSettings:
    return TrainingSettings(
        backbone=FLAGS.backbone, image_size=FLAGS.image_size, num_snippets=FLAGS.num_snippets,
        epochs=FLAGS.epochs, batch_size=FLAGS.batch_size, learning_rate=FLAGS.learning_rate,
        momentum=FLAGS.momentum, weight_decay=FLAGS.weight_decay, seed=FLAGS.seed,
        imagenet_weights=FLAGS.imagenet_weights)
