"""`reproduce(table, ...)`: run what a table of the paper needs, put measured beside published.

`reproduce(table, records_root, workspace, settings)` takes one records directory per dataset
(<records_root>/ucf101, <records_root>/hmdb51; those absent are left out, and the tables say
so). The stages are the ordinary ones: those already done in the workspace are read, not run
again, so a table can be rerun or extended, and tables share every stage they have in common
(`plan`). Each table goes to <workspace>/tables/<name>.md and .json, with its figure files.

'all' runs every table's stages once and also writes <workspace>/tables/report.md, laid out like
the paper's Section 3 (`report`), ending with the ledger of its text's claims (`claims`).
There, a table that cannot be filled (no HMDB51 records, a split the records lack, a stage that
failed on bad input) says why instead of ending the run; named alone, the same table raises
the error.
"""

import json
from pathlib import Path

from tan_keras import choices
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.reproduction import report, tables
from tan_keras.reproduction.plan import TABLE_ORDER, runs_for
from tan_keras.reproduction.runner import Runner
from tan_keras.training import ModelOptions, RunOptions, TrainingSettings
from tan_keras.training.workspace import Workspace

PAPER_SPLITS = (1, 2, 3)


def open_sources(records_root: Path, datasets=None) -> tuple[dict, dict]:
    """({dataset: RecordsSource} of the datasets run, {dataset: why not} of the others)."""
    from tan_keras.data import RecordsSource

    known = tables.PAPER_DATASETS
    chosen = [d for d in ("ucf101", "hmdb51") if (records_root / d).is_dir()] \
        if datasets is None else list(datasets)
    sources, absent = {}, {}
    for dataset in chosen:
        source = RecordsSource.open(records_root / dataset)
        if source.name != dataset:
            raise IncompatibleInputError(
                f"Expected the records at {records_root / dataset} to be named {dataset!r}. "
                f"Received: manifest name={source.name!r}")
        sources[dataset] = source
    for dataset in known:
        if dataset not in sources:
            absent[dataset] = (f"left out (datasets={chosen})" if datasets is not None
                               else f"no records at {records_root / dataset}")
    return sources, absent


def default_splits(sources: dict) -> list[int]:
    """The paper's splits (1-3) that every dataset's records hold."""
    return [split for split in PAPER_SPLITS
            if all(str(split) in source.manifest["splits"] for source in sources.values())] \
        or [1]


def reproduce(table: str, records_root, workspace, settings: TrainingSettings = TrainingSettings(),
              datasets=None, splits=None, mifs_scores: dict | None = None,
              model_options: ModelOptions = ModelOptions(),
              run: RunOptions = RunOptions(verbose=2), command: str | None = None,
              attention_layer=None) -> dict:
    """Runs what `table` needs and writes its files under <workspace>/tables/.

    Args:
      table: '1'-'5', 'fig3', 'fig4', 'claims' (the ledger of Section 3's claims, with every
        run it reads) or 'all' (`choices.TABLES`).
      records_root: folder holding one records dir per dataset (<records_root>/ucf101, ...).
      datasets: datasets to include (default: those with records, ucf101 first).
      splits: Tables 2 and 5's splits (default: those of 1, 2, 3 that every dataset's records
        hold).
      mifs_scores: {'<dataset>:<split>': score file} of external MIFS scores, for TAN+.
      settings, model_options, run: the training settings (optimizer and schedule included),
        the sizes of every model trained, and how every stage runs (`RunOptions`: devices,
        precision, XLA, progress; verbose=0 also hides evaluate's bar).
      command: the command line, shown in report.md.
      attention_layer: TAN's attention layer in every table: a `TemporalAttention` subclass or
        its import path 'package.module:ClassName' (`tan_keras.layers.attention_path`); each
        TAN run records it, and evaluate builds the run with it. None: `TemporalAttention`.

    Returns:
      {'table', 'markdown' (the table's, or for 'all' the report's), 'measured' (the table's
       figures; for 'all', {table: figures}), 'settings', 'model_options', 'run', 'datasets',
       'splits', 'stages' ({'planned', 'run_now'}), 'markdown_path', 'json_path', and for 'all'
       'report_path'}.

    Raises:
      MissingInputError, IncompatibleInputError: no records, records of another dataset, or
        (for a table named alone) a split the records lack or a stage's bad input.
    """
    table = str(table)
    if table not in choices.TABLES:
        raise ValueError(f"Expected table in {choices.TABLES}. Received: table={table!r}")
    records_root = Path(records_root)
    sources, absent = open_sources(records_root, datasets)
    if not sources:
        raise MissingInputError(f"Expected `records_root` to hold a records directory per "
                                f"dataset, {records_root}/ucf101 or {records_root}/hmdb51. "
                                f"Received: records_root={str(records_root)!r}, which holds "
                                f"neither. Build them there first: "
                                f"`data_prep.build.local.build_records` with output_dir="
                                f"{str(records_root / 'ucf101')!r} (docs/data_prep.md)")
    splits = [int(s) for s in splits] if splits else default_splits(sources)
    if attention_layer is not None:  # before any stage: an import error ends the call here
        from tan_keras.layers.attention_path import attention_class

        attention_class(attention_layer)
    runner = Runner(sources, workspace, settings, model_options, run, dict(mifs_scores or {}),
                    keep_going=table == "all", progress=run.verbose > 0,
                    attention_layer=attention_layer)
    measured = runner.measure(runs_for(table, list(sources), splits))
    context = tables.Context(list(sources), splits, absent, frozenset(mifs_scores or {}))
    out_dir = Workspace(workspace).tables_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    shared = {"settings": settings.to_dict(), "model_options": model_options.to_dict(),
              "run": run.to_dict(), "datasets": list(sources), "splits": splits,
              "stages": {"planned": measured.stages, "run_now": measured.trained}}
    outputs = {}
    for name in TABLE_ORDER if table == "all" else (table,):
        output = tables.render(name, context, measured, out_dir)
        outputs[name] = output
        stem = out_dir / tables.FILE_NAMES[name]
        stem.with_suffix(".md").write_text(f"### {output.title}\n\n{output.markdown}")
        stem.with_suffix(".json").write_text(json.dumps(
            {"table": name, "title": output.title, "measured": output.data,
             "files": output.files, **shared}, indent=2) + "\n")
    result = {"table": table, **shared}
    if table == "all":
        path = report.write_report(out_dir, outputs, sources, absent,
                                   {"training": shared["settings"],
                                    "model": shared["model_options"], "run": shared["run"]},
                                   (measured.stages, measured.trained), command)
        result.update(markdown=path.read_text(), report_path=str(path),
                      measured={name: output.data for name, output in outputs.items()},
                      markdown_path=str(path), json_path=None)
    else:
        stem = out_dir / tables.FILE_NAMES[table]
        result.update(markdown=stem.with_suffix(".md").read_text(), measured=outputs[table].data,
                      markdown_path=str(stem.with_suffix(".md")),
                      json_path=str(stem.with_suffix(".json")))
    return result
