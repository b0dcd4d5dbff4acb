"""What each table of the paper needs, as runs, and the stages that make them, in order.

A table needs *runs*: a model trained on one split of one dataset from one initialisation, then
evaluated (`Run`). A run needs *stages*: pretrain_cnn for each stream when it starts from
pre-trained CNNs, the UCF101 TAN when it starts from it, then train_tan and evaluate (`Step`).
Tables share runs (Table 3's, Fig. 3's and Fig. 4's two-stream and TAN runs are the same), and
runs share stages (every `cnn` run of a split shares its two pretrain_cnn stages), so
`steps_for` lists each stage once, each after the stages it needs.

Which runs each table needs (split 1 unless said; `datasets` in order, UCF101 first):

  1     per dataset: tan from imagenet and from cnn; for HMDB51 when UCF101 is among the
        datasets, also from cnn:ucf101 and tan:ucf101 (the UCF101 TAN trained from cnn).
  2, 5  every split of `splits`: tan from the best setting of Table 1 (HMDB51: tan:ucf101 when
        UCF101 is among the datasets, else cnn; UCF101: cnn). Table 5's "Ours" is their mean.
  3     HMDB51 (else the first dataset): two_stream and tan, both from cnn.
  4     per dataset: spatial_attention from imagenet ("SA") and from cnn ("SA + pre-train
        CNN"), and tan from cnn.
  fig3  UCF101 (else the first dataset): the fusion baselines, spatial_attention and tan, cnn.
  fig4  UCF101 (else the first dataset): two_stream and tan from cnn, per class.
"""

import dataclasses

from tan_keras import choices

FIG3_MODELS = ("fc_fusion", "branch_selection", "bs_l2", "two_stream", "spatial_attention", "tan")
TABLE_ORDER = ("1", "2", "3", "fig3", "4", "fig4", "5")  # the order of the paper's Section 3
TRANSFER_SOURCE = "ucf101"  # the dataset HMDB51 borrows pre-training from (Table 1)


@dataclasses.dataclass(frozen=True, order=True)
class Run:
    """One model trained on one split and evaluated.

    `init` is train_tan's, except 'tan:ucf101': the UCF101 TAN trained from 'cnn' on the same
    split, which the runner names by its stage folder.
    """

    dataset: str
    split: int
    model: str
    init: str

    def describe(self) -> str:
        return f"{self.dataset} split {self.split} {self.model} init={self.init}"


@dataclasses.dataclass(frozen=True)
class Step:
    """One stage: kind 'pretrain_cnn' (of `stream`), 'train_tan' or 'evaluate' (of `run`)."""

    kind: str
    dataset: str
    split: int
    stream: str | None = None
    run: Run | None = None

    def describe(self) -> str:
        if self.kind == "pretrain_cnn":
            return f"pretrain_cnn {self.dataset} split {self.split} {self.stream}"
        return f"{self.kind} {self.run.describe()}"


def source_run(run: Run) -> Run | None:
    """The run whose TAN `run` starts from ('tan:ucf101'), or None."""
    kind, argument = choices.parse_init(run.init)
    if kind != "tan":
        return None
    return Run(argument, run.split, "tan", "cnn")


def best_init(dataset: str, datasets) -> str:
    """Table 1's best setting, which Tables 2 and 5 use: HMDB51 from the UCF101 TAN."""
    if dataset == "hmdb51" and TRANSFER_SOURCE in datasets:
        return f"tan:{TRANSFER_SOURCE}"
    return "cnn"


def main_dataset(table: str, datasets) -> str:
    """The one dataset of Table 3 (HMDB51 in the paper) and Figs. 3 and 4 (UCF101)."""
    wanted = "hmdb51" if table == "3" else "ucf101"
    return wanted if wanted in datasets else datasets[0]


def runs_for(table: str, datasets, splits) -> list[Run]:
    """The runs `table` needs, in the order it shows them ('all': every table's, once each).

    Args:
      table: one of `choices.TABLES`.
      datasets: the datasets with records, e.g. ['ucf101', 'hmdb51'].
      splits: the splits of Tables 2 and 5, e.g. [1, 2, 3].
    """
    datasets = list(datasets)
    if table == "all":
        return _unique(run for name in TABLE_ORDER for run in runs_for(name, datasets, splits))
    if table == "1":
        runs = []
        for dataset in datasets:
            inits = ["imagenet", "cnn"]
            if dataset == "hmdb51" and TRANSFER_SOURCE in datasets:
                inits += [f"cnn:{TRANSFER_SOURCE}", f"tan:{TRANSFER_SOURCE}"]
            runs += [Run(dataset, 1, "tan", init) for init in inits]
        return runs
    if table in ("2", "5"):
        return [Run(dataset, int(split), "tan", best_init(dataset, datasets))
                for dataset in datasets for split in splits]
    if table == "3":
        return [Run(main_dataset(table, datasets), 1, model, "cnn")
                for model in ("two_stream", "tan")]
    if table == "4":
        return [Run(dataset, 1, model, init) for dataset in datasets
                for model, init in (("spatial_attention", "imagenet"),
                                    ("spatial_attention", "cnn"), ("tan", "cnn"))]
    if table == "fig3":
        return [Run(main_dataset(table, datasets), 1, model, "cnn") for model in FIG3_MODELS]
    if table == "fig4":
        return [Run(main_dataset(table, datasets), 1, model, "cnn")
                for model in ("two_stream", "tan")]
    raise ValueError(f"Expected table in {choices.TABLES}. Received: table={table!r}")


def steps_for(runs) -> list[Step]:
    """The stages that make `runs`, each once, each after the stages it needs.

    A run from 'cnn' or 'cnn:<dataset>' needs both streams' pretrain_cnn of that dataset and
    split; one from 'tan:<dataset>' needs that dataset's TAN from 'cnn' trained first (not
    evaluated, unless a table measures it too).
    """
    steps = []

    def add(step):
        if step not in steps:
            steps.append(step)

    def add_training(run):
        kind, argument = choices.parse_init(run.init)
        if kind == "cnn":
            for stream in choices.STREAMS:
                add(Step("pretrain_cnn", argument or run.dataset, run.split, stream=stream))
        elif kind == "tan":
            add_training(source_run(run))
        add(Step("train_tan", run.dataset, run.split, run=run))

    for run in runs:
        add_training(run)
        add(Step("evaluate", run.dataset, run.split, run=run))
    return steps


def _unique(runs) -> list[Run]:
    seen = []
    for run in runs:
        if run not in seen:
            seen.append(run)
    return seen
