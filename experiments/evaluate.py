"""Stage 3: the paper's test protocol (5 snippets x 10 views a video) on a trained model.

    python -m experiments.evaluate --records_dir=records/ucf101 --workspace=ws --init=cnn

Without --run_name it finds the train_tan run of these records' dataset that matches --split,
--model and --init (as train_tan named it), or the only finished one
(`tan_keras.training.find_train_run`, as fuse_scores does). Writes
<workspace>/evaluate/<run_name>/: results.json, scores.npz, attention.npz (TAN) and plots/.
A bar on stderr counts the test videos scored and estimates the time left (--noprogress: none).
The library function is `tan_keras.evaluation.evaluate`.
"""

from absl import flags

from experiments import cli, shared_flags
from tan_keras import choices

FLAGS = flags.FLAGS
shared_flags.define_records_dir()
shared_flags.define_workspace("Workspace holding train_tan/<run_name>/; results go to "
                              "evaluate/<run_name>/.")
shared_flags.define_split(None, "Test split (default: the run's training split).")
shared_flags.define_init(None, "Narrows the search for the run: train_tan's --init.")
shared_flags.define_attention_layer(shared_flags.ATTENTION_LAYER_HELP["load"])
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("run_name", None, "The train_tan run (default: found from --split, --model "
                    "and --init).")
flags.DEFINE_enum("model", None, list(choices.MODELS), "Narrows the search for the run.")
flags.DEFINE_integer("max_videos", None, "Evaluate only the first N test videos.",
                     lower_bound=1)
flags.DEFINE_bool("progress", True, "Show a progress bar of the test videos on stderr, with the "
                  "time elapsed and an estimate of the time left (also into a log file, redrawn "
                  "every 30 s there); --noprogress hides it.")


def main(argv):
    del argv
    from tan_keras.evaluation import evaluate

    evaluate(FLAGS.records_dir, FLAGS.workspace, FLAGS.run_name, FLAGS.split, FLAGS.model,
             FLAGS.init, FLAGS.max_videos, progress=FLAGS.progress,
             attention_layer=FLAGS.attention_layer)


if __name__ == "__main__":
    cli.run(main)
