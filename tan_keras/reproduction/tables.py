"""Each table and figure of the paper's Section 3, from what the runs measured, beside the
paper's numbers (`paper_numbers`).

`render(name, context, measured, out_dir)` gives a `TableOutput`: its markdown (the table, cells
"measured (paper)", then notes on what could not be filled and why), its data for the JSON file,
and the figure files it wrote into `out_dir`. Published-only rows (methods this project does not
run) show "-" where ours would be. Every measured cell shows its spatial, temporal and fused
accuracy (Table 2 per split); the notes name the runs that fill a row, and say when a row starts
from another initialisation than the paper's or when TAN+ is missing for some splits (TAN and
TAN+ are never mixed in one mean). 'claims' is the ledger of the text's claims (`claims`).
Which runs each table needs is `plan.runs_for`.
"""

import dataclasses
from pathlib import Path

from tan_keras.reproduction import figures, paper_numbers
from tan_keras.reproduction.plan import FIG3_MODELS, Run, best_init, main_dataset, table4_models
from tan_keras.reproduction.runner import Measured

PAPER_DATASETS = ("hmdb51", "ucf101")  # the paper's column order
BRANCHES = ("spatial", "temporal", "fused")  # every measured cell shows the three
TITLES = {
    "1": "Table 1. TAN under each pre-training setting (split 1)",
    "2": "Table 2. TAN on the three splits",
    "3": "Table 3. Comparison with the two-stream baseline (split 1)",
    "4": "Table 4. Comparison with existing attention methods",
    "5": "Table 5. Comparison with the state of the art",
    "fig3": "Fig. 3. Fusion methods and TAN (split 1)",
    "fig4": "Fig. 4. Class-level change from two-stream to TAN (split 1)",
    "claims": "The claims of Section 3's text, checked",
}
FILE_NAMES = {"1": "table1", "2": "table2", "3": "table3", "4": "table4", "5": "table5",
              "fig3": "fig3", "fig4": "fig4", "claims": "claims"}


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


class Notes:
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


def _main_dataset(table: str, context: Context, notes: Notes) -> str:
    """The one dataset of Table 3 or Figs. 3 and 4, noting when it is not the paper's."""
    dataset = main_dataset(table, context.datasets)
    paper = "hmdb51" if table == "3" else "ucf101"
    if dataset != paper:
        kind = "table" if table == "3" else "figure"
        notes.add(f"The paper's numbers are {paper.upper()}'s; without {paper.upper()} records "
                  f"this {kind} is {dataset.upper()}'s.")
    return dataset


def _values(run_values: dict) -> dict:
    """A run's figures without evaluate's whole results and its training log (kept for the
    JSON files)."""
    return {k: v for k, v in run_values.items() if k not in ("results", "training_log")}


def _fallback_note(context: Context, notes: Notes) -> None:
    """Says when HMDB51's runs start from its own CNNs instead of the UCF101 model."""
    if "hmdb51" in context.datasets and "ucf101" not in context.datasets:
        notes.add("HMDB51's runs start from its own pre-trained CNNs (init=cnn), not from the "
                  "model pre-trained on UCF101 that the paper compares with (lines 464-466): "
                  "there are no UCF101 records.")


def _filled_by(notes: Notes, label: str, runs) -> None:
    """Notes which runs fill a row's cells (their train_tan / evaluate folder names)."""
    names = [notes.measured.get(run)["run_name"] for run in runs if notes.measured.get(run)]
    if names:
        notes.add(f"{label}: " + ", ".join(f"`{name}`" for name in names) + ".")


def _table1(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
    inits = {"imagenet": "imagenet", "cnn": "cnn", "cnn_ucf101": "cnn:ucf101",
             "tan_ucf101": "tan:ucf101"}
    header = ["pre-training"] + [f"{d.upper()} {v}" for d in PAPER_DATASETS
                                 for v in ("spatial", "temporal", "TAN", "TAN+")]
    rows, data = [], {}
    for row in paper_numbers.TABLE1_ROWS:
        cells = [paper_numbers.TABLE1_ROW_TITLES[row]]
        for dataset in PAPER_DATASETS:
            run = Run(dataset, 1, "tan", inits[row])
            got = None
            transfer = row in ("cnn_ucf101", "tan_ucf101")
            if transfer and dataset == "hmdb51" and "ucf101" not in context.datasets \
                    and dataset in context.datasets:
                notes.add("The rows pre-trained on UCF101 need UCF101 records.")
            elif not transfer or dataset == "hmdb51":
                if notes.value(run) is not None:
                    got = measured.get(run)
            if got is not None:
                data[f"{dataset}/{row}"] = _values(got)
            branches = paper_numbers.TABLE1_BRANCHES.get((dataset, row), {})
            cells += [cell(None if got is None else got[key], branches.get(key))
                      for key in ("spatial", "temporal")]
            for variant, key in (("TAN", "fused"), ("TAN+", "fused_plus")):
                paper = paper_numbers.TABLE1.get((dataset, variant), {}).get(row)
                cells.append(cell(None if got is None else got.get(key), paper))
        rows.append(cells)
    without = [f"{d}:1" for d in context.datasets if f"{d}:1" not in context.mifs_keys]
    if without:
        notes.add("TAN+ needs MIFS scores (`mifs_scores`); none given for "
                  + ", ".join(without) + ", so those TAN+ cells are empty.")
    notes.add("The paper prints no branch of Table 1; the spatial and temporal numbers of "
              "\"TAN on UCF101\" are Table 3's TAN, the same model (lines 464-466).")
    return TableOutput("1", TITLES["1"], table_markdown(header, rows, notes.lines), data)


def _mean(values) -> float | None:
    filled = [v for v in values if v is not None]
    return sum(filled) / len(filled) if filled else None


def split_runs(context: Context, dataset: str) -> list[Run]:
    """Table 2's runs of `dataset`, one a split of `context.splits`."""
    return [Run(dataset, int(split), "tan", best_init(dataset, context.datasets))
            for split in context.splits]


def split_values(context, measured, notes, dataset: str) -> dict:
    """Table 2's figures of one dataset: {key: ([per split, None where not measured], mean)}
    for the branches, 'fused' (TAN) and 'fused_plus' (TAN+). The TAN+ mean is None unless every
    split has TAN+: TAN and TAN+ are never mixed in one mean."""
    got = []
    for run in split_runs(context, dataset):
        got.append(measured.get(run) if notes.value(run) is not None else None)
    out = {}
    for key in (*BRANCHES, "fused_plus"):
        values = [None if g is None else g.get(key) for g in got]
        complete = key != "fused_plus" or all(v is not None for v in values)
        out[key] = (values, _mean(values) if complete else None)
    return out


def _split_notes(context, notes, values: dict) -> None:
    plus = {d: [s for s, v in zip(context.splits, values[d]["fused_plus"][0]) if v is not None]
            for d in context.datasets}
    for dataset, given in plus.items():
        if given and len(given) < len(context.splits):
            notes.add(f"{dataset.upper()} TAN+: MIFS scores for split(s) "
                      f"{', '.join(map(str, given))} only; its mean is left empty rather than "
                      "mixing TAN and TAN+ across splits.")
    if not any(plus.values()):
        notes.add("TAN+ needs MIFS scores (`mifs_scores`); without them the paper's TAN+ "
                  "numbers stand beside our TAN.")
    if sorted(int(s) for s in context.splits) != [1, 2, 3]:
        notes.add(f"Ours is the mean of split(s) {', '.join(map(str, context.splits))}; the "
                  "paper's of splits 1-3.")
    _fallback_note(context, notes)


def _table2(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
    values = {d: split_values(context, measured, notes, d) for d in PAPER_DATASETS}
    header = ["dataset", "branch"] + [f"split {s}" for s in context.splits] + ["mean"]
    rows, data = [], {}
    for dataset in PAPER_DATASETS:
        paper = paper_numbers.TABLE2[dataset]
        has_plus = any(v is not None for v in values[dataset]["fused_plus"][0])
        for key, label in (("spatial", "spatial"), ("temporal", "temporal"), ("fused", "TAN"),
                           ("fused_plus", "TAN+")):
            if key == "fused_plus" and not has_plus:
                continue
            published = key == ("fused_plus" if has_plus else "fused")
            per_split, mean = values[dataset][key]
            rows.append([dataset.upper(), label] + [
                cell(v, paper.get(int(s)) if published else None)
                for v, s in zip(per_split, context.splits)]
                + [cell(mean, paper["mean"] if published else None)])
            for split, value in zip(context.splits, per_split):
                data.setdefault(f"{dataset}/split{split}", {})[key] = value
            data.setdefault(f"{dataset}/mean", {})[key] = mean
    _split_notes(context, notes, values)
    title = TITLES["2"] + " (TAN and its branches; TAN+ where MIFS scores are given)"
    return TableOutput("2", title, table_markdown(header, rows, notes.lines), data)


def table5_ours(context, measured, notes, dataset: str) -> tuple[float | None, str]:
    """Table 5's "Ours" of `dataset`: (the TAN+ mean of Table 2 when every split has TAN+, else
    the TAN mean, and which of the two it is)."""
    values = split_values(context, measured, notes, dataset)
    if values["fused_plus"][1] is not None:
        return values["fused_plus"][1], "TAN+"
    return values["fused"][1], "TAN"


def _table5(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
    rows = [[f"{title}, published"] + [cell(None, published[d]) for d in PAPER_DATASETS]
            for title, published in paper_numbers.TABLE5_PUBLISHED]
    ours = {d: table5_ours(context, measured, notes, d) for d in PAPER_DATASETS}
    rows.append(["Ours (the mean of Table 2)"]
                + [cell(ours[d][0], paper_numbers.TABLE5_OURS[d]) for d in PAPER_DATASETS])
    for dataset in context.datasets:
        what = ("TAN+, as the paper's" if ours[dataset][1] == "TAN+" else
                "TAN without MIFS (the paper's is TAN+; MIFS scores are not given for every "
                "split)")
        notes.add(f"{dataset.upper()}: Ours is {what}.")
    values = {d: split_values(context, measured, notes, d) for d in context.datasets}
    _split_notes(context, notes, values)
    data = {f"{d}/ours": ours[d][0] for d in PAPER_DATASETS}
    data.update({f"{d}/ours_is": ours[d][1] for d in context.datasets})
    header = ["method"] + [d.upper() for d in PAPER_DATASETS]
    return TableOutput("5", TITLES["5"], table_markdown(header, rows, notes.lines), data)


def _table3(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
    dataset = _main_dataset("3", context, notes)
    init = best_init(dataset, context.datasets)
    rows, data = [], {}
    for model in ("two_stream", "tan"):
        run = Run(dataset, 1, model, init)
        got = {key: notes.value(run, key) for key in BRANCHES}
        data[model] = got
        paper = paper_numbers.TABLE3[model]
        rows.append([paper_numbers.TABLE3_TITLES[model]] + [
            cell(got[key], paper[column])
            for key, column in (("spatial", "spatial"), ("temporal", "temporal"),
                                ("fused", "fusion"))])
        _filled_by(notes, paper_numbers.TABLE3_TITLES[model], [run])
    if init.startswith("tan:"):
        notes.add("Both rows start from the same model trained on UCF101 first (init=tan:ucf101, "
                  "new classifiers): the paper's TAN here is its \"TAN on UCF101\" (lines "
                  "464-466; 70.2 in Tables 1 and 3), and the two-stream model gets the same "
                  "start (docs/reproducing.md).")
    else:
        _fallback_note(context, notes)
    data["init"] = init
    title = f"{TITLES['3'][:-1]}, {dataset.upper()})"
    return TableOutput("3", title, table_markdown(["model", "spatial", "temporal", "fusion"],
                                                  rows, notes.lines), data)


def _table4_row(context, measured, notes, dataset, ours) -> dict | None:
    """One measured row's {branch: value} on `dataset` (None where not filled)."""
    if ours == "table2":
        values = split_values(context, measured, notes, dataset)
        return {key: values[key][1] for key in BRANCHES}
    if ours == "table2_split1":
        if 1 not in [int(s) for s in context.splits]:
            return None
        run = Run(dataset, 1, "tan", best_init(dataset, context.datasets))
    else:
        run = Run(dataset, 1, *ours)
    if notes.value(run) is None:
        return None
    return {key: measured.get(run)[key] for key in BRANCHES}


def _table4(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
    built = dict(table4_models())
    header = ["model"] + [f"{d.upper()} {b}" for d in PAPER_DATASETS
                          for b in ("spatial", "temporal", "fused")]
    rows, data = [], {}
    for key, title, ours in paper_numbers.TABLE4_ROWS:
        if isinstance(ours, tuple) and ours[0] not in built:
            notes.add(f"{title}: not built in this version of tan-keras; the paper's number "
                      "stands alone.")
            ours = None
        cells = [title if ours else f"{title}, published (not run here)"]
        for dataset in PAPER_DATASETS:
            got = _table4_row(context, measured, notes, dataset, ours) if ours else None
            if ours:
                data[f"{dataset}/{key}"] = got
            got = got or {}
            cells += [cell(got.get("spatial"), None), cell(got.get("temporal"), None),
                      cell(got.get("fused"), paper_numbers.TABLE4[dataset][key])]
        rows.append(cells)
        if isinstance(ours, tuple):
            _filled_by(notes, title, [Run(d, 1, *ours) for d in context.datasets])
    _filled_by(notes, "TAN", [run for d in context.datasets for run in split_runs(context, d)])
    notes.add("TAN's row is the mean over Table 2's splits of TAN without MIFS, as the paper's "
              "68.3 / 92.1 read (with the gaps of its lines 509-511; docs/reproducing.md); the "
              "other measured rows are split 1, as is \"TAN, split 1\" beside Table 1's number "
              "for its run.")
    if sorted(int(s) for s in context.splits) != [1, 2, 3]:
        notes.add(f"TAN's mean is over split(s) {', '.join(map(str, context.splits))}; the "
                  "paper's over splits 1-3.")
    _fallback_note(context, notes)
    return TableOutput("4", TITLES["4"], table_markdown(header, rows, notes.lines), data)


def _fig3(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
    dataset = _main_dataset("fig3", context, notes)
    values = {model: {key: notes.value(Run(dataset, 1, model, "cnn"), key) for key in BRANCHES}
              for model in FIG3_MODELS}
    titles = {m: paper_numbers.FIG3_TITLES.get(m, m.replace("_", " ")) for m in FIG3_MODELS}
    paper = {m: {**paper_numbers.FIG3_BRANCHES[m], "fused": paper_numbers.FIG3[m]}
             for m in FIG3_MODELS}
    rows = [[titles[m]] + [cell(values[m][key], paper[m][key]) for key in BRANCHES]
            for m in FIG3_MODELS]
    image = "fig3.png"
    figures.plot_fig3(values, Path(out_dir) / image, titles=titles,
                      paper_fused=paper_numbers.FIG3, paper_branches=paper_numbers.FIG3_BRANCHES)
    notes.add("The paper's branch numbers are its figure's six bar labels as "
              "docs/paper_readings.md reads them (FC fusion's and BS's branch bars carry none).")
    markdown = (f"![{TITLES['fig3']}]({image})\n\n"
                + table_markdown(["method", "spatial", "temporal", "fusion"], rows, notes.lines))
    title = f"{TITLES['fig3'][:-1]}, {dataset.upper()})"
    return TableOutput("fig3", title, markdown, values, [image])


def _fig4(context, measured, out_dir) -> TableOutput:
    notes = Notes(context, measured)
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


def _claims(context, measured, out_dir) -> TableOutput:
    from tan_keras.reproduction import claims

    rows = claims.ledger(context, measured)
    return TableOutput("claims", TITLES["claims"], claims.ledger_markdown(rows),
                       {"claims": [dataclasses.asdict(row) for row in rows]})


RENDERERS = {"1": _table1, "2": _table2, "3": _table3, "4": _table4, "5": _table5,
             "fig3": _fig3, "fig4": _fig4, "claims": _claims}


def render(name: str, context: Context, measured: Measured, out_dir) -> TableOutput:
    """Table or figure `name` ('1'-'5', 'fig3', 'fig4', 'claims'); figure files go into
    `out_dir`."""
    return RENDERERS[name](context, measured, out_dir)
