"""What each table of the paper needs, as runs, and the stages that make them, in order.

A table needs *runs*: a model trained on one split of one dataset from one initialisation, then
evaluated (`Run`). A run needs *stages*: pretrain_cnn for each stream when it starts from
pre-trained CNNs, the UCF101 model when it starts from it, then train_tan and evaluate (`Step`).
Tables share runs (Table 1's and Table 2's split-1 TAN, Fig. 3's and Fig. 4's two-stream and TAN
runs are the same), and runs share stages (every `cnn` run of a split shares its two
pretrain_cnn stages), so `steps_for` lists each stage once, each after the stages it needs.

Which runs each table needs (split 1 unless said; `datasets` in order, UCF101 first;
docs/reproducing.md gives the paper's lines for each reading):

  1       per dataset: tan from imagenet and from cnn; for HMDB51 when UCF101 is among the
          datasets, also from cnn:ucf101 and tan:ucf101 (the UCF101 TAN trained from cnn).
  2, 5    every split of `splits`: tan from the best setting of Table 1 (HMDB51: tan:ucf101 when
          UCF101 is among the datasets, else cnn; UCF101: cnn). Table 5's "Ours" is their mean.
  3       HMDB51 (else the first dataset): two_stream and tan, both from the best setting
          (HMDB51: each from its own UCF101 model, tan:ucf101; else cnn).
  4       per dataset: soft_attention from imagenet, spatial_attention
          from imagenet ("SA") and from cnn ("SA + pre-train CNN"); TAN is Table 2's runs (the
          mean over the splits of TAN without MIFS).
  fig3    UCF101 (else the first dataset): the paper's five groups, fc_fusion, branch_selection,
          bs_l2, two_stream (average late fusion) and tan, all from cnn.
  fig4    UCF101 (else the first dataset): two_stream and tan from cnn, per class.
  claims  every table's runs, and what only the text's claims need: two_stream from imagenet
          per dataset (lines 445-446), and Fig. 3's TAN tested at 25 snippets (lines 302-305).
"""

import dataclasses

from tan_keras import choices

FIG3_MODELS = ("fc_fusion", "branch_selection", "bs_l2", "two_stream", "tan")  # its five groups
TABLE_ORDER = ("1", "2", "3", "fig3", "4", "fig4", "5", "claims")  # Section 3's order, then the
# ledger of its text's claims
SOFT_ATTENTION = "soft_attention"  # Table 4's soft attention [17]
PAPER_TEST_SNIPPETS = 25  # what [14, 23] test at, against the paper's 5 (lines 302-305)
TRANSFER_SOURCE = "ucf101"  # the dataset HMDB51 borrows pre-training from (Table 1)


@dataclasses.dataclass(frozen=True, order=True)
class Run:
    """One model trained on one split and evaluated.

    `init` is train_tan's, except 'tan:ucf101': the same model trained on UCF101 from 'cnn' on
    the same split, which the runner names by its stage folder. `test_snippets`: evaluate at
    this many snippets instead of the training's T (the same trained model: `trained`).
    """

    dataset: str
    split: int
    model: str
    init: str
    test_snippets: int | None = None

    def describe(self) -> str:
        tested = f" tested at {self.test_snippets} snippets" if self.test_snippets else ""
        return f"{self.dataset} split {self.split} {self.model} init={self.init}{tested}"

    @property
    def trained(self) -> "Run":
        """The run whose train_tan stage this one evaluates (itself, at the training's T)."""
        return dataclasses.replace(self, test_snippets=None)


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
    """The run whose whole model `run` starts from ('tan:ucf101': the same model on UCF101,
    from 'cnn'), or None."""
    kind, argument = choices.parse_init(run.init)
    if kind != "tan":
        return None
    return Run(argument, run.split, run.model, "cnn")


def best_init(dataset: str, datasets) -> str:
    """The setting the paper compares with after Table 1 (lines 464-466: "in the rest of the
    paper, we will use the model which pre-trains TAN on UCF101"), which Tables 2-5 use:
    HMDB51 from the model trained on UCF101 ('tan:ucf101') when UCF101 is among `datasets`;
    otherwise, and for UCF101, from CNNs pre-trained on the target ('cnn')."""
    if dataset == "hmdb51" and TRANSFER_SOURCE in datasets:
        return f"tan:{TRANSFER_SOURCE}"
    return "cnn"


def table4_models() -> tuple:
    """Table 4's measured baselines as (model, init): soft attention [17] from ImageNet, as
    Sharma et al. start; spatial attention from ImageNet and from CNNs pre-trained on the
    target."""
    return ((SOFT_ATTENTION, "imagenet"), ("spatial_attention", "imagenet"),
            ("spatial_attention", "cnn"))


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
        dataset = main_dataset(table, datasets)
        return [Run(dataset, 1, model, best_init(dataset, datasets))
                for model in ("two_stream", "tan")]
    if table == "4":
        runs = []
        for dataset in datasets:
            runs += [Run(dataset, 1, model, init) for model, init in table4_models()]
            runs += [Run(dataset, int(split), "tan", best_init(dataset, datasets))
                     for split in splits]
        return runs
    if table == "fig3":
        return [Run(main_dataset(table, datasets), 1, model, "cnn") for model in FIG3_MODELS]
    if table == "fig4":
        return [Run(main_dataset(table, datasets), 1, model, "cnn")
                for model in ("two_stream", "tan")]
    if table == "claims":
        tables = _unique(run for name in TABLE_ORDER if name != "claims"
                         for run in runs_for(name, datasets, splits))
        return tables + claim_runs(datasets)
    raise ValueError(f"Expected table in {choices.TABLES}. Received: table={table!r}")


def claim_runs(datasets) -> list[Run]:
    """The runs only the ledger of the text's claims needs (`claims`)."""
    fig3 = main_dataset("fig3", datasets)
    return ([Run(dataset, 1, "two_stream", "imagenet") for dataset in datasets]
            + [Run(fig3, 1, "tan", "cnn", test_snippets=PAPER_TEST_SNIPPETS)])


def steps_for(runs) -> list[Step]:
    """The stages that make `runs`, each once, each after the stages it needs.

    A run from 'cnn' or 'cnn:<dataset>' needs both streams' pretrain_cnn of that dataset and
    split; one from 'tan:<dataset>' needs the same model on that dataset from 'cnn' trained
    first (not evaluated, unless a table measures it too). A run tested at other snippets
    (`Run.test_snippets`) is its trained run's train_tan, then its own evaluate.
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
        add_training(run.trained)
        add(Step("evaluate", run.dataset, run.split, run=run))
    return steps


def _unique(runs) -> list[Run]:
    seen = []
    for run in runs:
        if run not in seen:
            seen.append(run)
    return seen
