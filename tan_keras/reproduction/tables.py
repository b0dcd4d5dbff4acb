"""Each table and figure of the paper's Section 3, from what the runs measured, beside the
paper's numbers (`paper_numbers`).

`render(name, context, measured, out_dir)` gives a `TableOutput`: its markdown (the table, cells
"measured (paper)", then notes on what could not be filled and why), its data for the JSON file,
and the figure files it wrote into `out_dir`. Published-only rows (methods this project does not
run) show "-" where ours would be. Which runs each table needs is `plan.runs_for`.
"""

import dataclasses
from pathlib import Path

from tan_keras.reproduction import figures, paper_numbers
from tan_keras.reproduction.plan import FIG3_MODELS, Run, best_init, main_dataset
from tan_keras.reproduction.runner import Measured

PAPER_DATASETS = ("hmdb51", "ucf101")  # the paper's column order
TITLES = {
    "1": "Table 1. TAN under each pre-training setting (split 1)",
    "2": "Table 2. TAN on the three splits",
    "3": "Table 3. Comparison with the two-stream baseline (split 1)",
    "4": "Table 4. Comparison with existing attention methods (split 1)",
    "5": "Table 5. Comparison with the state of the art",
    "fig3": "Fig. 3. Fusion methods and TAN (split 1)",
    "fig4": "Fig. 4. Class-level change from two-stream to TAN (split 1)",
}
FILE_NAMES = {"1": "table1", "2": "table2", "3": "table3", "4": "table4", "5": "table5",
              "fig3": "fig3", "fig4": "fig4"}


@dataclasses.dataclass
class Context:
    """What every table is drawn from besides the measurements.

    Attributes:
      datasets: the datasets run, e.g. ['ucf101', 'hmdb51'].
      splits: Tables 2 and 5's splits.
      absent: {dataset: why it was not run} for the paper's datasets not in `datasets`.
      mifs_keys: the '<dataset>:<split>' keys given MIFS scores (TAN+).
    """

    datasets: list
    splits: list
    absent: dict
    mifs_keys: frozenset = frozenset()


@dataclasses.dataclass
class TableOutput:
    """One table or figure: `markdown` (heading, table, notes), `data` (JSON-able), `files` (the
    images and CSV written beside it, names relative to the tables folder)."""

    name: str
    title: str
    markdown: str
    data: dict
    files: list = dataclasses.field(default_factory=list)


def number(value) -> str:
    """A percentage as the tables print it: '-' for none, else the paper's precision (one
    decimal, two where it gives two: 81.95)."""
    if value is None:
        return "-"
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


def cell(measured, paper) -> str:
    """'measured (paper)': ours to one decimal, the paper's as printed; '-' for none."""
    ours = "-" if measured is None else f"{measured:.1f}"
    return f"{ours} ({number(paper)})"


def table_markdown(header, rows, notes=()) -> str:
    lines = ["Accuracy %, measured (paper).", "", "| " + " | ".join(header) + " |",
             "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


class _Notes:
    """The notes of one table: absent datasets and runs that could not be filled, each once."""

    def __init__(self, context: Context, measured: Measured):
        self.context, self.measured, self.lines = context, measured, []

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def value(self, run: Run, key: str = "fused"):
        """The run's `key` figure, or None (noting why when the run failed or is absent)."""
        if run.dataset in self.context.absent:
            self.add(f"{run.dataset.upper()}: {self.context.absent[run.dataset]}.")
            return None
        got = self.measured.get(run)
        if got is None:
            reason = str(self.measured.failed.get(run, "not run")).rstrip(".")
            self.add(f"{run.describe()}: not filled: {reason}.")
            return None
        return got.get(key)


def _main_dataset(table: str, context: Context, notes: _Notes) -> str:
    """The one dataset of Table 3 or Figs. 3 and 4, noting when it is not the paper's."""
    dataset = main_dataset(table, context.datasets)
    paper = "hmdb51" if table == "3" else "ucf101"
    if dataset != paper:
        kind = "table" if table == "3" else "figure"
        notes.add(f"The paper's numbers are {paper.upper()}'s; without {paper.upper()} records "
                  f"this {kind} is {dataset.upper()}'s.")
    return dataset


def _values(run_values: dict) -> dict:
    """A run's figures without evaluate's whole results (kept for the JSON files)."""
    return {k: v for k, v in run_values.items() if k != "results"}


def _table1(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    inits = {"imagenet": "imagenet", "cnn": "cnn", "cnn_ucf101": "cnn:ucf101",
             "tan_ucf101": "tan:ucf101"}
    header = ["pre-training"] + [f"{d.upper()} {v}" for d in PAPER_DATASETS
                                 for v in ("TAN", "TAN+")]
    rows, data = [], {}
    for row in paper_numbers.TABLE1_ROWS:
        cells = [paper_numbers.TABLE1_ROW_TITLES[row]]
        for dataset in PAPER_DATASETS:
            run = Run(dataset, 1, "tan", inits[row])
            tan = plus = None
            transfer = row in ("cnn_ucf101", "tan_ucf101")
            if transfer and dataset == "hmdb51" and "ucf101" not in context.datasets \
                    and dataset in context.datasets:
                notes.add("The rows pre-trained on UCF101 need UCF101 records.")
            elif not transfer or dataset == "hmdb51":
                tan = notes.value(run)
            if tan is not None:
                data[f"{dataset}/{row}"] = _values(measured.get(run))
                plus = measured.get(run).get("fused_plus")
            for variant, value in (("TAN", tan), ("TAN+", plus)):
                paper = paper_numbers.TABLE1.get((dataset, variant), {}).get(row)
                cells.append(cell(value, paper))
        rows.append(cells)
    without = [f"{d}:1" for d in context.datasets if f"{d}:1" not in context.mifs_keys]
    if without:
        notes.add("TAN+ needs MIFS scores (`mifs_scores`); none given for "
                  + ", ".join(without) + ", so those TAN+ cells are empty.")
    return TableOutput("1", TITLES["1"], table_markdown(header, rows, notes.lines), data)


def _split_figure(run_values: dict) -> float:
    return run_values.get("fused_plus", run_values["fused"])


def _split_means(context, measured, notes) -> dict:
    """{dataset: (mean over the splits filled, [per-split value or None])} of Table 2's runs."""
    means = {}
    for dataset in PAPER_DATASETS:
        values = []
        for split in context.splits:
            run = Run(dataset, int(split), "tan", best_init(dataset, context.datasets))
            value = notes.value(run)
            values.append(None if value is None else _split_figure(measured.get(run)))
        filled = [v for v in values if v is not None]
        means[dataset] = (sum(filled) / len(filled) if filled else None, values)
    without = [f"{d}:{s}" for d in context.datasets for s in context.splits
               if f"{d}:{s}" not in context.mifs_keys]
    if without:
        notes.add("TAN+ needs MIFS scores (`mifs_scores`); without them (" + ", ".join(without)
                  + ") the cells are TAN's, beside the paper's TAN+.")
    if sorted(int(s) for s in context.splits) != [1, 2, 3]:
        notes.add(f"Ours is the mean of split(s) {', '.join(map(str, context.splits))}; the "
                  "paper's of splits 1-3.")
    return means


def _table2(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    means = _split_means(context, measured, notes)
    header = ["dataset"] + [f"split {s}" for s in context.splits] + ["mean"]
    rows, data = [], {}
    for dataset in PAPER_DATASETS:
        paper = paper_numbers.TABLE2[dataset]
        mean, values = means[dataset]
        rows.append([dataset.upper()] + [cell(v, paper.get(int(s)))
                                         for v, s in zip(values, context.splits)]
                    + [cell(mean, paper["mean"])])
        data.update({f"{dataset}/split{s}": v for s, v in zip(context.splits, values)})
        data[f"{dataset}/mean"] = mean
    title = TITLES["2"] + " (TAN+ when MIFS scores are given, else TAN)"
    return TableOutput("2", title, table_markdown(header, rows, notes.lines), data)


def _table3(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    dataset = _main_dataset("3", context, notes)
    rows, data = [], {}
    for model in ("two_stream", "tan"):
        run = Run(dataset, 1, model, "cnn")
        got = {key: notes.value(run, key) for key in ("spatial", "temporal", "fused")}
        data[model] = got
        paper = paper_numbers.TABLE3[model]
        rows.append([paper_numbers.TABLE3_TITLES[model]] + [
            cell(got[key], paper[column])
            for key, column in (("spatial", "spatial"), ("temporal", "temporal"),
                                ("fused", "fusion"))])
    title = f"{TITLES['3'][:-1]}, {dataset.upper()})"
    return TableOutput("3", title, table_markdown(["model", "spatial", "temporal", "fusion"],
                                                  rows, notes.lines), data)


def _table4(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    rows, data = [], {}
    for key, title, ours in paper_numbers.TABLE4_ROWS:
        cells = [title if ours else f"{title}, published (not run here)"]
        for dataset in PAPER_DATASETS:
            value = notes.value(Run(dataset, 1, *ours)) if ours else None
            if ours:
                data[f"{dataset}/{key}"] = value
            cells.append(cell(value, paper_numbers.TABLE4[dataset][key]))
        rows.append(cells)
    header = ["model"] + [d.upper() for d in PAPER_DATASETS]
    return TableOutput("4", TITLES["4"], table_markdown(header, rows, notes.lines), data)


def _table5(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    means = _split_means(context, measured, notes)
    rows = [[f"{title}, published"] + [cell(None, published[d]) for d in PAPER_DATASETS]
            for title, published in paper_numbers.TABLE5_PUBLISHED]
    rows.append(["Ours (TAN, the mean of Table 2)"]
                + [cell(means[d][0], paper_numbers.TABLE5_OURS[d]) for d in PAPER_DATASETS])
    data = {f"{d}/ours": means[d][0] for d in PAPER_DATASETS}
    header = ["method"] + [d.upper() for d in PAPER_DATASETS]
    return TableOutput("5", TITLES["5"], table_markdown(header, rows, notes.lines), data)


def _fig3(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    dataset = _main_dataset("fig3", context, notes)
    values = {model: {key: notes.value(Run(dataset, 1, model, "cnn"), key)
                      for key in ("spatial", "temporal", "fused")} for model in FIG3_MODELS}
    titles = {m: paper_numbers.FIG3_TITLES.get(m, m.replace("_", " ")) for m in FIG3_MODELS}
    rows = [[titles[m], cell(values[m]["spatial"], None), cell(values[m]["temporal"], None),
             cell(values[m]["fused"], paper_numbers.FIG3.get(m))] for m in FIG3_MODELS]
    image = "fig3.png"
    figures.plot_fig3(values, Path(out_dir) / image, titles=titles,
                      paper_fused=paper_numbers.FIG3)
    markdown = (f"![{TITLES['fig3']}]({image})\n\n"
                + table_markdown(["method", "spatial", "temporal", "fusion"], rows, notes.lines))
    title = f"{TITLES['fig3'][:-1]}, {dataset.upper()})"
    return TableOutput("fig3", title, markdown, values, [image])


def _fig4(context, measured, out_dir) -> TableOutput:
    notes = _Notes(context, measured)
    dataset = _main_dataset("fig4", context, notes)
    runs = [Run(dataset, 1, model, "cnn") for model in ("two_stream", "tan")]
    got = [notes.value(run) for run in runs]
    title = f"{TITLES['fig4'][:-1]}, {dataset.upper()})"
    if None in got:
        return TableOutput("fig4", title, "Not drawn.\n\n" + "\n".join(
            f"- {line}" for line in notes.lines) + "\n", {})
    baseline, tan = (measured.get(run)["results"] for run in runs)
    rows = figures.class_changes(tan["classes"], baseline["fused"]["per_class"],
                                 tan["fused"]["per_class"])
    named = paper_numbers.FIG4_NAMED_CLASSES
    image, table = "fig4.png", "fig4.csv"
    figures.plot_fig4(rows, Path(out_dir) / image, paper_named=named)
    figures.write_fig4_csv(rows, Path(out_dir) / table, paper_named=named)
    markdown = figures.fig4_markdown(rows, image, table, paper_named=named)
    if notes.lines:
        markdown += "\n" + "\n".join(f"- {line}" for line in notes.lines) + "\n"
    data = {"classes": [dataclasses.asdict(row) for row in rows]}
    return TableOutput("fig4", title, markdown, data, [image, table])


RENDERERS = {"1": _table1, "2": _table2, "3": _table3, "4": _table4, "5": _table5,
             "fig3": _fig3, "fig4": _fig4}


def render(name: str, context: Context, measured: Measured, out_dir) -> TableOutput:
    """Table or figure `name` ('1'-'5', 'fig3', 'fig4'); figure files go into `out_dir`."""
    return RENDERERS[name](context, measured, out_dir)
