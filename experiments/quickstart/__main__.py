"""The quickstart: TAN's central claim, measured on a synthetic dataset made for it, in minutes.

    tan-quickstart                          # or: python -m experiments.quickstart
    tan-quickstart --workspace=my_run --epochs=20 --train_videos_per_class=80
    tan-quickstart --smoke                  # a one-epoch check of the whole pipeline

It generates a small action dataset (`generator`), runs the project's own stages on it
(data_prep with real TV-L1 flow, `train_tan` for the two-stream baseline and TAN, `evaluate`
with the paper's 5-snippet x 10-view protocol), and reports whether TAN's attention finds the
action (`pipeline`, `report`). docs/quickstart.md explains the design and the findings.
"""

from absl import flags

from experiments import cli
from experiments.quickstart.options import SMOKE_OPTIONS, QuickstartOptions
from tan_keras import choices

FLAGS = flags.FLAGS
_DEFAULTS = QuickstartOptions()

flags.DEFINE_string("workspace", "tan_workspace", "Output folder (relative to the current "
                    "directory); a rerun with the same options resumes.")
flags.DEFINE_bool("smoke", False, "Tiny sizes and one epoch: checks the pipeline end to end "
                  "(its numbers mean nothing). Other size flags are ignored.")
flags.DEFINE_integer("train_videos_per_class", _DEFAULTS.train_videos_per_class,
                     "Training videos generated per class.", lower_bound=1)
flags.DEFINE_integer("test_videos_per_class", _DEFAULTS.test_videos_per_class,
                     "Test videos generated per class.", lower_bound=1)
flags.DEFINE_integer("frames_per_segment", _DEFAULTS.frames_per_segment,
                     "Frames in each of the 5 segments of a video.", lower_bound=2)
flags.DEFINE_integer("positions_per_segment", _DEFAULTS.positions_per_segment,
                     "Positions data_prep stores per segment (K = 5 x this).", lower_bound=1)
flags.DEFINE_integer("image_size", _DEFAULTS.image_size, "Side of the crops fed to the CNN.",
                     lower_bound=choices.MIN_IMAGE_SIZE["tiny"])
flags.DEFINE_integer("epochs", _DEFAULTS.epochs, "Training epochs of each model.", lower_bound=1)
flags.DEFINE_integer("batch_size", _DEFAULTS.batch_size, "Videos per step.", lower_bound=1)
flags.DEFINE_float("learning_rate", _DEFAULTS.learning_rate, "Base learning rate (> 0).",
                   lower_bound=1e-12)
flags.DEFINE_enum("optimizer", _DEFAULTS.optimizer, list(choices.OPTIMIZERS),
                  "adam, or sgd with momentum 0.9 (train_tan's --optimizer).")
flags.DEFINE_enum("lr_schedule", _DEFAULTS.lr_schedule, list(choices.LR_SCHEDULES),
                  "constant, or step: x0.1 at 50% and 75% of the epochs (train_tan's "
                  "--lr_schedule).")
flags.DEFINE_float("weight_decay", _DEFAULTS.weight_decay, "Decoupled weight decay.",
                   lower_bound=0)
flags.DEFINE_integer("rnn_units", _DEFAULTS.rnn_units, "LSTM units of each branch.",
                     lower_bound=1)
flags.DEFINE_integer("attention_units", _DEFAULTS.attention_units,
                     "Size of TAN's attention states m and n.", lower_bound=1)
flags.DEFINE_float("dropout", _DEFAULTS.dropout, "Dropout rate, in [0, 1).", lower_bound=0,
                   upper_bound=0.99)
flags.DEFINE_integer("seed", _DEFAULTS.seed, "Seed of the dataset and the training.")
flags.DEFINE_integer("num_workers", _DEFAULTS.num_workers, "data_prep worker processes.",
                     lower_bound=1)
flags.DEFINE_integer("verbose", 2, "Keras progress: 1 bar, 2 one line per epoch, 0 none.",
                     lower_bound=0, upper_bound=2)


_OPTION_FLAGS = [name for name in QuickstartOptions.__dataclass_fields__ if name != "momentum"]


def _options_consistent(values) -> bool:
    try:
        QuickstartOptions(**values)
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


flags.register_multi_flags_validator(_OPTION_FLAGS, _options_consistent)


def options_from_flags() -> QuickstartOptions:
    if FLAGS.smoke:
        return SMOKE_OPTIONS
    return QuickstartOptions(**{name: getattr(FLAGS, name) for name in _OPTION_FLAGS})


def main(argv):
    del argv
    from experiments.quickstart import pipeline, report

    summary = pipeline.run_quickstart(FLAGS.workspace, options_from_flags(), verbose=FLAGS.verbose)
    print(report.describe(summary, FLAGS.workspace), flush=True)


def run_main():
    """The `tan-quickstart` console script."""
    cli.run(main)


if __name__ == "__main__":
    run_main()
