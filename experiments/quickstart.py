"""The quickstart: TAN's central claim, measured on a synthetic dataset made for it, in minutes.

    tan-quickstart                          # or: python -m experiments.quickstart
    tan-quickstart --workspace=my_run --epochs=20 --train_videos_per_class=80
    tan-quickstart --smoke                  # a one-epoch check of the whole pipeline

What it shows
-------------
The dataset (experiments/synthetic_actions.py) has 5 classes, one "posture" each. Every video
shows all 5 postures, one per segment, in random order; only the segment of the video's own
class holds motion (a small marker orbiting in the posture's hollow centre, the same motion for
every class). Appearance says *which* postures there are (always all of them); motion says *which
segment* is the action. So:

* the RGB stream alone, the flow stream alone and their average (the two-stream CNN + LSTM
  baseline with average fusion) can do no better than chance, 1/5;
* TAN's attention, shared across the streams, can: alpha over the RGB snippets is scored with
  the flow branch's state, so the spatial branch can read the posture of the moving snippet.

The pipeline, each stage the project's own code:
  1. generate    MJPG videos, UCF101-style split files and a sidecar with each video's action
                 segment (experiments/synthetic_actions.py)
  2. data_prep   decoding, real TV-L1 flow, sharded TFRecords (data_prep.build.build_records)
  3. train       the two-stream baseline and TAN, tiny backbone (experiments.train_tan.train)
  4. evaluate    the paper's protocol: 5 snippets x 10 views (experiments.evaluate.evaluate)
  5. report      a Table-3-style table, summary.json and plots (experiments/quickstart_report.py)

It ends by printing where the outputs are and what to run next on UCF101/HMDB51.
"""

from absl import app, flags

from experiments import quickstart_pipeline as pipeline
from experiments import quickstart_report as report

FLAGS = flags.FLAGS
_DEFAULTS = pipeline.QuickstartOptions()


def define_flags() -> None:
    flags.DEFINE_string("workspace", "tan_workspace", "Output folder (relative to the current "
                        "directory); a rerun with the same options resumes.")
    flags.DEFINE_bool("smoke", False, "Tiny sizes and one epoch: checks the pipeline end to end "
                      "(its numbers mean nothing). Other size flags are ignored.")
    flags.DEFINE_integer("train_videos_per_class", _DEFAULTS.train_videos_per_class,
                         "Training videos generated per class.")
    flags.DEFINE_integer("test_videos_per_class", _DEFAULTS.test_videos_per_class,
                         "Test videos generated per class.")
    flags.DEFINE_integer("frames_per_segment", _DEFAULTS.frames_per_segment,
                         "Frames in each of the 5 segments of a video.")
    flags.DEFINE_integer("positions_per_segment", _DEFAULTS.positions_per_segment,
                         "Positions data_prep stores per segment (K = 5 x this).")
    flags.DEFINE_integer("image_size", _DEFAULTS.image_size, "Side of the crops fed to the CNN.")
    flags.DEFINE_integer("epochs", _DEFAULTS.epochs, "Training epochs of each model.")
    flags.DEFINE_integer("batch_size", _DEFAULTS.batch_size, "Videos per step.")
    flags.DEFINE_float("learning_rate", _DEFAULTS.learning_rate, "Base learning rate.")
    flags.DEFINE_enum("optimizer", _DEFAULTS.optimizer, ["adam", "sgd"],
                      "adam, or sgd with momentum 0.9 (train_tan's --optimizer).")
    flags.DEFINE_enum("lr_schedule", _DEFAULTS.lr_schedule, ["constant", "step"],
                      "constant, or step: x0.1 at 50% and 75% of the epochs (train_tan's "
                      "--lr_schedule).")
    flags.DEFINE_float("weight_decay", _DEFAULTS.weight_decay, "Decoupled weight decay.")
    flags.DEFINE_integer("rnn_units", _DEFAULTS.rnn_units, "LSTM units of each branch.")
    flags.DEFINE_integer("attention_units", _DEFAULTS.attention_units,
                         "Size of TAN's attention states m and n.")
    flags.DEFINE_float("dropout", _DEFAULTS.dropout, "Dropout rate.")
    flags.DEFINE_integer("seed", _DEFAULTS.seed, "Seed of the dataset and the training.")
    flags.DEFINE_integer("num_workers", _DEFAULTS.num_workers, "data_prep worker processes.")
    flags.DEFINE_integer("verbose", 2, "Keras progress: 1 bar, 2 one line per epoch, 0 none.")


def options_from_flags() -> pipeline.QuickstartOptions:
    if FLAGS.smoke:
        return pipeline.SMOKE_OPTIONS
    return pipeline.QuickstartOptions(
        train_videos_per_class=FLAGS.train_videos_per_class,
        test_videos_per_class=FLAGS.test_videos_per_class,
        frames_per_segment=FLAGS.frames_per_segment,
        positions_per_segment=FLAGS.positions_per_segment, image_size=FLAGS.image_size,
        epochs=FLAGS.epochs, batch_size=FLAGS.batch_size, learning_rate=FLAGS.learning_rate,
        optimizer=FLAGS.optimizer, lr_schedule=FLAGS.lr_schedule,
        momentum=_DEFAULTS.momentum, weight_decay=FLAGS.weight_decay, rnn_units=FLAGS.rnn_units,
        attention_units=FLAGS.attention_units, dropout=FLAGS.dropout, seed=FLAGS.seed,
        num_workers=FLAGS.num_workers)


def describe(summary: dict, workspace: str) -> str:
    """The closing lines: the table, the attention figures, the claim's check, where things are."""
    claim = summary["claim"]
    lines = [
        "",
        "Top-1 accuracy (%) on the synthetic test videos (chance "
        f"{100 * summary['chance_top1']:.0f}%), like the paper's Table 3:",
        "",
        report.format_table(summary["accuracy"]),
        "",
        f"TAN attention on the action snippet (last step): alpha {summary['attention_action_mass_alpha']:.2f}, "
        f"beta {summary['attention_action_mass_beta']:.2f}, mean {summary['attention_action_mass']:.2f} "
        f"(uniform {summary['attention_uniform_mass']:.2f}).",
        f"Claim: TAN - two-stream = {claim['tan_minus_two_stream_points']:+.1f} points "
        f"(target >= {claim['target_points']:.0f}: {'met' if claim['accuracy_target_met'] else 'NOT met'}); "
        f"attention / uniform = {claim['attention_ratio_to_uniform']:.2f} "
        f"(target >= {claim['target_ratio']:.0f}: {'met' if claim['attention_target_met'] else 'NOT met'}).",
        f"Total time: {summary['total_seconds']:.0f} s.",
        "",
        f"Outputs in {workspace}: summary.json, table.md, plots/, evaluate/<run>/results.json.",
        report.next_steps(workspace),
    ]
    return "\n".join(lines)


def main(argv):
    del argv
    summary = pipeline.run_quickstart(FLAGS.workspace, options_from_flags(), verbose=FLAGS.verbose)
    print(describe(summary, FLAGS.workspace), flush=True)


def run_main():
    define_flags()
    app.run(main)


if __name__ == "__main__":
    run_main()
