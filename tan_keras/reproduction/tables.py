"""One function per table of the paper: run the missing stages, put measured beside published.

`reproduce(table, records_root, workspace, settings)` takes one records directory per dataset
(<records_root>/ucf101, <records_root>/hmdb51; those absent are left out of the table). Stages
already done in the workspace are skipped, so a table can be rerun or extended. Tables go to
<workspace>/tables/<table>.md and .json.

  1     Table 1, split 1: TAN (and TAN+ with MIFS scores) per pre-training setting.
        ImageNet (init imagenet), CNN on target (pretrain_cnn + init cnn), and for HMDB51 with
        UCF101 records: CNN on UCF101 (init cnn:ucf101), TAN on UCF101 (init tan:<UCF101 TAN>).
  2     Table 2: every split, the best setting of Table 1 (HMDB51: TAN on UCF101 when UCF101
        records exist, else CNN on target; UCF101: CNN on target). TAN+ when MIFS scores exist.
  3     Table 3, split 1 of the first dataset (HMDB51 by default): two-stream CNN + LSTM and TAN,
        spatial / temporal / fused, both from CNNs pre-trained on the target (init cnn).
  fig3  Fig. 3, split 1 of UCF101 (or the first dataset): the fusion baselines and TAN, init cnn.
"""

import json
from pathlib import Path

from tan_keras import choices
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.evaluation import evaluate, fuse, write_fusion
from tan_keras.evaluation.fusion import evaluated_scores
from tan_keras.reproduction import paper_numbers
from tan_keras.training import ModelOptions, RunOptions, TrainingSettings, pretrain_cnn, train_tan
from tan_keras.training.workspace import Workspace

FIG3_MODELS = ("fc_fusion", "branch_selection", "bs_l2", "two_stream", "spatial_attention", "tan")


class _Runner:
    """Runs (or finds done) the stages of one table inside a workspace."""

    def __init__(self, sources: dict, workspace, settings: TrainingSettings,
                 model_options: ModelOptions, run: RunOptions, mifs_scores: dict):
        self.sources = sources  # dataset -> its RecordsSource, opened once
        self.workspace = Path(workspace)
        self.settings = settings
        self.run = run
        self.mifs_scores = mifs_scores
        self.model_options = model_options

    def records(self, dataset: str):
        return self.sources[dataset]

    def pretrain(self, dataset: str, split: int) -> None:
        for stream in choices.STREAMS:
            pretrain_cnn(self.records(dataset), self.workspace, stream, split, self.settings,
                         run=self.run)

    def tan_stage(self, dataset: str, split: int, model: str, init: str) -> Path:
        kind, _, source = init.partition(":")
        if kind == "cnn":
            self.pretrain(source or dataset, split)
        return train_tan(self.records(dataset), self.workspace, model, init, split,
                         self.settings, model_options=self.model_options, run=self.run)

    def measure(self, dataset: str, split: int, model: str, init: str) -> dict:
        """Trains and evaluates; returns spatial/temporal/fused/fused_plus top-1 in %."""
        stage_dir = self.tan_stage(dataset, split, model, init)
        results = evaluate(self.records(dataset), self.workspace, stage_dir.name)
        measured = {name: round(100 * results[name]["top1"], 2)
                    for name in ("spatial", "temporal", "fused")}
        measured["run_name"] = stage_dir.name
        mifs = self.mifs_scores.get(f"{dataset}:{split}")
        if mifs:
            fused = fuse([evaluated_scores(self.workspace, stage_dir.name), mifs])
            write_fusion(fused, Workspace(self.workspace).fuse_dir(
                f"{stage_dir.name}+mifs"))
            measured["fused_plus"] = round(100 * fused["top1"], 2)
        return measured


def _cell(measured, paper) -> str:
    left = "-" if measured is None else f"{measured:.1f}"
    right = "-" if paper is None else f"{paper:.1f}"
    return f"{left} ({right})"


def _markdown(title: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f"### {title}", "", "Accuracy %, measured (paper).", "",
             "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _table1(runner: _Runner, datasets: list[str]) -> tuple[str, dict]:
    measured = {}
    for dataset in datasets:
        rows = {"imagenet": "imagenet", "cnn": "cnn"}
        if dataset == "hmdb51" and "ucf101" in datasets:
            ucf_tan = runner.tan_stage("ucf101", 1, "tan", "cnn")
            rows.update(cnn_ucf101="cnn:ucf101", tan_ucf101=f"tan:{ucf_tan}")
        for row, init in rows.items():
            measured[(dataset, row)] = runner.measure(dataset, 1, "tan", init)
    header = ["pre-training"] + [f"{d.upper()} {v}" for d in datasets for v in ("TAN", "TAN+")]
    rows = []
    for row in paper_numbers.TABLE1_ROWS:
        cells = [paper_numbers.TABLE1_ROW_TITLES[row]]
        for dataset in datasets:
            got = measured.get((dataset, row), {})
            for variant, key in (("TAN", "fused"), ("TAN+", "fused_plus")):
                paper = paper_numbers.TABLE1.get((dataset, variant), {}).get(row)
                cells.append(_cell(got.get(key), paper))
        rows.append(cells)
    data = {f"{d}/{r}": v for (d, r), v in measured.items()}
    return _markdown("Table 1 (split 1)", header, rows), data


def _table2(runner: _Runner, datasets: list[str], splits: list[int]) -> tuple[str, dict]:
    measured = {}
    for dataset in datasets:
        for split in splits:
            init = "cnn"
            if dataset == "hmdb51" and "ucf101" in datasets:
                init = f"tan:{runner.tan_stage('ucf101', split, 'tan', 'cnn')}"
            got = runner.measure(dataset, split, "tan", init)
            measured[(dataset, split)] = got.get("fused_plus", got["fused"])
    rows = []
    for dataset in datasets:
        values = [measured[(dataset, s)] for s in splits]
        paper = paper_numbers.TABLE2.get(dataset, {})
        rows.append([dataset.upper()] + [_cell(measured[(dataset, s)], paper.get(s))
                                         for s in splits]
                    + [_cell(sum(values) / len(values), paper.get("mean"))])
    header = ["dataset"] + [f"split {s}" for s in splits] + ["mean"]
    data = {f"{d}/split{s}": v for (d, s), v in measured.items()}
    return _markdown("Table 2 (TAN+ when MIFS scores are given, else TAN)", header, rows), data


def _table3(runner: _Runner, dataset: str) -> tuple[str, dict]:
    measured = {model: runner.measure(dataset, 1, model, "cnn") for model in ("two_stream", "tan")}
    rows = [[paper_numbers.TABLE3_TITLES[m]] + [
        _cell(measured[m][key], paper_numbers.TABLE3[m][column])
        for key, column in (("spatial", "spatial"), ("temporal", "temporal"), ("fused", "fusion"))]
        for m in measured]
    return (_markdown(f"Table 3 ({dataset.upper()} split 1)",
                      ["model", "spatial", "temporal", "fusion"], rows), measured)


def _fig3(runner: _Runner, dataset: str) -> tuple[str, dict]:
    measured = {model: runner.measure(dataset, 1, model, "cnn") for model in FIG3_MODELS}
    rows = [[paper_numbers.FIG3_TITLES.get(m, m.replace("_", " ")),
             _cell(measured[m]["spatial"], None), _cell(measured[m]["temporal"], None),
             _cell(measured[m]["fused"], paper_numbers.FIG3.get(m))] for m in FIG3_MODELS]
    return (_markdown(f"Fig. 3 ({dataset.upper()} split 1)",
                      ["method", "spatial", "temporal", "fusion"], rows), measured)


def reproduce(table: str, records_root, workspace, settings: TrainingSettings = TrainingSettings(),
              datasets=None, splits=None, mifs_scores: dict | None = None,
              model_options: ModelOptions = ModelOptions(),
              run: RunOptions = RunOptions(verbose=2)) -> dict:
    """Runs what `table` needs and writes <workspace>/tables/<name>.md and .json.

    Args:
      records_root: folder holding one records dir per dataset (<records_root>/ucf101, ...).
      datasets: datasets to include (default: those with records, ucf101 first).
      splits: Table 2's splits (default 1, 2, 3).
      mifs_scores: {'<dataset>:<split>': score file} of external MIFS scores, for TAN+.
      settings, model_options, run: the training settings (optimizer and schedule included),
        the sizes of every model trained, and how every stage runs (`RunOptions`: devices,
        precision, XLA, progress).

    Returns:
      {'table', 'markdown', 'measured', 'settings', 'markdown_path', 'json_path'}.
    """
    if str(table) not in choices.TABLES:
        raise ValueError(f"Expected table in {choices.TABLES}. Received: table={table!r}")
    table = str(table)
    records_root = Path(records_root)
    if datasets is None:
        datasets = [d for d in ("ucf101", "hmdb51") if (records_root / d).is_dir()]
    datasets = list(datasets)
    if not datasets:
        raise MissingInputError(f"No records under {records_root}: expected {records_root}/ucf101 "
                                f"or {records_root}/hmdb51. Build them with: python -m "
                                f"data_prep.build_records --output_dir={records_root}/ucf101 ...")
    from tan_keras.data import RecordsSource

    sources = {dataset: RecordsSource.open(records_root / dataset) for dataset in datasets}
    for dataset, source in sources.items():
        name = source.name
        if name != dataset:
            raise IncompatibleInputError(
                f"Expected the records at {records_root / dataset} to be named {dataset!r}. "
                f"Received: manifest name={name!r}")
    runner = _Runner(sources, workspace, settings, model_options, run, dict(mifs_scores or {}))
    if table == "1":
        markdown, measured = _table1(runner, datasets)
    elif table == "2":
        markdown, measured = _table2(runner, datasets, list(splits or (1, 2, 3)))
    elif table == "3":
        markdown, measured = _table3(runner, "hmdb51" if "hmdb51" in datasets else datasets[0])
    else:
        markdown, measured = _fig3(runner, "ucf101" if "ucf101" in datasets else datasets[0])
    out_dir = Workspace(workspace).tables_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    name = "fig3" if table == "fig3" else f"table{table}"
    result = {"table": table, "markdown": markdown, "measured": measured,
              "settings": settings.to_dict(), "run": run.to_dict(),
              "model_options": model_options.to_dict(),
              "datasets": datasets,
              "markdown_path": str(out_dir / f"{name}.md"),
              "json_path": str(out_dir / f"{name}.json")}
    (out_dir / f"{name}.md").write_text(markdown)
    (out_dir / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
