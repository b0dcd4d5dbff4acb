r"""Late fusion of score files (TAN+ in Table 1: TAN's scores plus external MIFS scores).

    python -m experiments.fuse_scores --records_dir=records/ucf101 --workspace=ws --init=cnn \
        --scores=mifs_ucf101_split1.npz --weights=1,1

With --run_name, or --records_dir (which finds the train_tan run as evaluate does), the run's
evaluated scores (evaluate/<run>/scores.npz, stream `fused`) come first; each --scores entry
`<file.npz>[:<stream>]` is added, weighted by --weights. Writes
<workspace>/fuse_scores/<name>/results.json and scores.npz. The library function is
`tan_keras.evaluation.fuse`; the score-file format is in `tan_keras.evaluation.scores`.
"""

from absl import flags

from experiments import cli, shared_flags
from tan_keras import choices

FLAGS = flags.FLAGS
shared_flags.define_records_dir(required=False, help_text="Records of the run whose evaluated "
                                "scores come first (finds the run as evaluate does).")
shared_flags.define_workspace("Workspace; results go to fuse_scores/<name>/.", required=False)
shared_flags.define_split(None, "Narrows the search for the run.")
shared_flags.define_init(None, "Narrows the search for the run: train_tan's --init.")
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("run_name", None, "The evaluated train_tan run whose scores come first.")
flags.DEFINE_enum("model", None, list(choices.MODELS), "Narrows the search for the run.")
flags.DEFINE_list("scores", [], "Score entries <file.npz>[:<stream>], comma-separated.")
flags.DEFINE_list("weights", None, "One weight per entry, the run's first (default: all 1).")
flags.DEFINE_string("name", None, "Name of this fusion in the workspace (default: "
                    "<run_name>+fusion, or fusion).")


def _run_is_named(values) -> bool:
    if (values["run_name"] or values["records_dir"]) and not values["workspace"]:
        raise flags.ValidationError("--run_name and --records_dir pick a run inside --workspace: "
                                    "pass --workspace too.")
    if not (values["run_name"] or values["records_dir"] or values["scores"]):
        raise flags.ValidationError("Nothing to fuse: pass --scores, and/or --records_dir or "
                                    "--run_name with --workspace.")
    return True


flags.register_multi_flags_validator(["run_name", "records_dir", "workspace", "scores"],
                                     _run_is_named)


def main(argv):
    del argv
    from tan_keras.data import RecordsSource
    from tan_keras.evaluation import fuse, write_fusion
    from tan_keras.evaluation.fusion import evaluated_scores
    from tan_keras.training import Workspace, find_train_run

    entries, run_name = list(FLAGS.scores), None
    if FLAGS.run_name or FLAGS.records_dir:
        dataset = None if FLAGS.run_name else RecordsSource.open(FLAGS.records_dir).name
        run_name = find_train_run(FLAGS.workspace, dataset, FLAGS.split, FLAGS.model, FLAGS.init,
                                  run_name=FLAGS.run_name)
        entries.insert(0, evaluated_scores(FLAGS.workspace, run_name))
    result = fuse(entries, FLAGS.weights)
    print(f"fused {' + '.join(result['inputs'])}: top-1 {100 * result['top1']:.2f}%  top-5 "
          f"{100 * result['top5']:.2f}%  class-mean {100 * result['class_mean']:.2f}%  "
          f"({result['num_videos']} videos)")
    if FLAGS.workspace:
        name = FLAGS.name or (f"{run_name}+fusion" if run_name else "fusion")
        print("wrote", write_fusion(result, Workspace(FLAGS.workspace).fuse_dir(name)))


if __name__ == "__main__":
    cli.run(main)
