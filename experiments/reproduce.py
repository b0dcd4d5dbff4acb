r"""The paper's tables and figures: run the missing stages, print measured beside published.

    python -m experiments.reproduce --table=all --records_dir=records --workspace=ws \
        --backbone=googlenet --imagenet_weights=inception_v1.ckpt --epochs=20

--table is 1-5, fig3, fig4, claims (the ledger of Section 3's claims: each with the paper's
line, its number, ours and whether it holds) or all. --records_dir holds one records directory
per dataset (<records_dir>/ucf101, <records_dir>/hmdb51). Stages already done in --workspace are read, not
run again, and tables share the stages they have in common. Each table goes to
<workspace>/tables/<table>.md and .json (and its figure files); --table=all also writes
<workspace>/tables/report.md. One line per stage says which of how many runs and the time left.
The library function is `tan_keras.reproduction.reproduce`; docs/reproducing.md lists what each
table runs.
"""

import json
import os
import shlex
import sys

from absl import flags

from experiments import cli, shared_flags
from tan_keras import choices

FLAGS = flags.FLAGS
flags.DEFINE_string("records_dir", None, "Folder with one records directory per dataset "
                    "(<records_dir>/ucf101, <records_dir>/hmdb51).", required=True)
shared_flags.define_workspace()
shared_flags.define_training_flags()
shared_flags.define_model_flags(with_model=False)
shared_flags.define_run_flags()
shared_flags.define_attention_layer(shared_flags.ATTENTION_LAYER_HELP["train"])
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_enum("table", None, list(choices.TABLES), "Which table or figure to reproduce "
                  "(claims: the ledger of Section 3's claims; all: every one, and report.md).",
                  required=True)
flags.DEFINE_list("datasets", None, "Datasets to include (default: those with records).")
flags.DEFINE_list("splits", None, "Tables 2 and 5's splits (default: those of 1,2,3 that the "
                  "records hold).")
flags.DEFINE_list("mifs_scores", None, "TAN+ inputs: <dataset>:<split>=<score file.npz>.")


def _records_root(path) -> bool:
    if not os.path.isdir(path):
        raise flags.ValidationError(f"--records_dir={path} is not a folder. It should hold one "
                                    f"records directory per dataset, e.g. {path}/ucf101.")
    return True


def _mifs_entries(entries) -> bool:
    for entry in entries or []:
        key, sep, path = entry.partition("=")
        if not sep or ":" not in key or not os.path.isfile(path):
            raise flags.ValidationError(f"--mifs_scores entry {entry!r}: expected "
                                        f"<dataset>:<split>=<existing score file.npz>.")
    return True


flags.register_validator("records_dir", _records_root)
flags.register_validator("mifs_scores", _mifs_entries)
flags.register_multi_flags_validator(
    ["backbone", "imagenet_weights"],
    shared_flags.imagenet_weights_validator(lambda values: True))


def main(argv):
    del argv
    from tan_keras.reproduction import reproduce

    mifs = dict(entry.split("=", 1) for entry in FLAGS.mifs_scores or [])
    result = reproduce(FLAGS.table, FLAGS.records_dir, FLAGS.workspace,
                       shared_flags.training_settings(), FLAGS.datasets,
                       [int(s) for s in FLAGS.splits] if FLAGS.splits else None, mifs,
                       model_options=shared_flags.model_options(),
                       run=shared_flags.run_options(),
                       command=shlex.join(["python", "-m", "experiments.reproduce",
                                           *sys.argv[1:]]),
                       attention_layer=FLAGS.attention_layer)
    if FLAGS.table == "all":
        print(f"wrote {result['report_path']} (and each table's .md and .json beside it)")
    else:
        print(result["markdown"])
        print(json.dumps(result["measured"], indent=2))
        print(f"wrote {result['markdown_path']} and {result['json_path']}")


if __name__ == "__main__":
    cli.run(main)
