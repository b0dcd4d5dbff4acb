"""<workspace>/tables/report.md: every table and figure, laid out like the paper's Section 3,
with the data, the settings and the commit the run used.

The report is written from the tables (`tables.TableOutput`) alone, so a rerun on a finished
workspace rewrites it without training anything.
"""

import datetime
from pathlib import Path

REPORT_FILENAME = "report.md"
SECTIONS = (
    ("3.3 Pre-training", ("1",)),
    ("3.4 Evaluation of TAN", ("fig3", "3", "4", "2", "fig4")),
    ("3.5 Comparison with the state of the art", ("5",)),
    ("The claims of Section 3's text", ("claims",)),
)


def source_commit(root=None) -> str | None:
    """The git commit of the checkout this package runs from (or of `root`), read from .git
    without the git binary; None when it is not a checkout (e.g. an installed wheel)."""
    root = Path(root) if root else Path(__file__).resolve().parents[2]
    git = root / ".git"
    if git.is_file():  # a worktree or submodule: "gitdir: <path>"
        git = (root / git.read_text().split(":", 1)[1].strip()).resolve()
    head = git / "HEAD"
    if not head.is_file():
        return None
    ref = head.read_text().strip()
    if not ref.startswith("ref:"):
        return ref
    name = ref.split(":", 1)[1].strip()
    for folder in (git, _common_dir(git)):
        if (folder / name).is_file():
            return (folder / name).read_text().strip()
        packed = folder / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + name):
                    return line.split()[0]
    return None


def _common_dir(git: Path) -> Path:
    common = git / "commondir"
    return (git / common.read_text().strip()).resolve() if common.is_file() else git


def describe_records(source) -> str:
    """One line on a records source: dataset, classes, videos per split, positions, frames."""
    splits = ", ".join(
        f"split {key}: {len(sides.get('train', []))} train / {len(sides.get('test', []))} test"
        for key, sides in sorted(source.manifest["splits"].items()))
    params = source.params
    detail = [f"{source.num_classes} classes", splits]
    if "positions" in params:
        detail.append(f"{params['positions']} positions a video")
    detail.append(f"frames {source.frames.width}x{source.frames.height}")
    if "flow_engine" in params:
        detail.append(f"{params['flow_engine']} TV-L1 flow")
    return f"{source.name.upper()} at {source.path}: " + "; ".join(detail)


def _settings_lines(title: str, values: dict) -> list[str]:
    return [f"- {title}: " + ", ".join(f"{k}={v}" for k, v in values.items())]


def write_report(out_dir, outputs: dict, sources: dict, absent: dict, settings: dict,
                 stages: tuple[int, int], command: str | None = None) -> Path:
    """Writes <out_dir>/report.md.

    Args:
      out_dir: the tables folder (figures already in it).
      outputs: {table name: `tables.TableOutput`}.
      sources: {dataset: `RecordsSource`} of the datasets run.
      absent: {dataset: why it was not run}.
      settings: {'training': ..., 'model': ..., 'run': ...} as dicts.
      stages: (stages in the plan, stages run now).
      command: how the report was made (the caller's command line, say), shown as it is.
    """
    commit = source_commit()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# TAN (ICME 2018), Section 3: our numbers beside the paper's", "",
             f"Written {now} by tan-keras "
             + (f"at commit {commit[:12]}" if commit else "(not a git checkout)") + ".",
             "Every cell is `measured (paper)`, accuracy in %; `-` is a number not there. "
             "Published-only rows are other papers' methods, which this project does not run.",
             ""]
    if command:
        lines += ["```bash", command, "```", ""]
    lines += ["## The run", "", "Data:"]
    lines += [f"- {describe_records(source)}" for source in sources.values()]
    lines += [f"- {dataset.upper()}: {why}" for dataset, why in absent.items()]
    lines += ["", "Settings (every stage):"]
    for title, key in (("training", "training"), ("model", "model"), ("run", "run")):
        lines += _settings_lines(title, settings[key])
    planned, ran = stages
    lines += ["", f"Stages: {planned} in the plan; {ran} run now, {planned - ran} read from the "
              "workspace (done before).", ""]
    for section, names in SECTIONS:
        shown = [name for name in names if name in outputs]
        if not shown:
            continue
        lines += [f"## {section}", ""]
        for name in shown:
            output = outputs[name]
            lines += [f"### {output.title}", "", output.markdown.rstrip(), ""]
    path = Path(out_dir) / REPORT_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path
