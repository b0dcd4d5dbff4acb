"""report.md: the commit read from .git folders built by hand, and the report's layout."""

import types

import pytest

from tan_keras.reproduction import report, tables
from tan_keras.reproduction.tables import TableOutput

SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_source_commit_detached_head(tmp_path):
    _write(tmp_path / ".git" / "HEAD", SHA + "\n")
    assert report.source_commit(tmp_path) == SHA


def test_source_commit_branch_ref_file(tmp_path):
    _write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    _write(tmp_path / ".git" / "refs" / "heads" / "main", SHA + "\n")
    # A packed older value of the same branch loses to the loose ref.
    _write(tmp_path / ".git" / "packed-refs", f"{OTHER} refs/heads/main\n")
    assert report.source_commit(tmp_path) == SHA


def test_source_commit_ref_only_in_packed_refs(tmp_path):
    _write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    _write(tmp_path / ".git" / "packed-refs",
           "# pack-refs with: peeled fully-peeled sorted\n"
           f"{OTHER} refs/heads/main-old\n"
           f"{SHA} refs/heads/main\n"
           f"^{OTHER}\n"
           f"{OTHER} refs/tags/v1\n")
    assert report.source_commit(tmp_path) == SHA


def test_source_commit_unresolvable_ref(tmp_path):
    _write(tmp_path / ".git" / "HEAD", "ref: refs/heads/unborn\n")
    assert report.source_commit(tmp_path) is None


def test_source_commit_git_file_pointing_elsewhere(tmp_path):
    checkout, elsewhere = tmp_path / "checkout", tmp_path / "store" / "modules" / "x"
    _write(elsewhere / "HEAD", SHA + "\n")
    _write(checkout / ".git", "gitdir: ../store/modules/x\n")  # relative to the checkout
    assert report.source_commit(checkout) == SHA
    _write(checkout / ".git", f"gitdir: {elsewhere}\n")  # absolute
    assert report.source_commit(checkout) == SHA


def test_source_commit_worktree_reads_the_common_dir(tmp_path):
    main_git = tmp_path / "main" / ".git"
    worktree_git = main_git / "worktrees" / "feature"
    _write(worktree_git / "HEAD", "ref: refs/heads/feature\n")
    _write(worktree_git / "commondir", "../..\n")
    _write(main_git / "packed-refs", f"{SHA} refs/heads/feature\n")
    _write(tmp_path / "feature" / ".git", f"gitdir: {worktree_git}\n")
    assert report.source_commit(tmp_path / "feature") == SHA


def test_source_commit_not_a_checkout(tmp_path):
    assert report.source_commit(tmp_path) is None


def _source(name, path, splits, **params):
    """A stand-in for RecordsSource with what describe_records reads."""
    return types.SimpleNamespace(
        name=name, path=path, num_classes=101 if name == "ucf101" else 51,
        manifest={"splits": splits}, params=params,
        frames=types.SimpleNamespace(width=80, height=60))


UCF = _source("ucf101", "records/ucf101",
              {"1": {"train": ["a", "b", "c"], "test": ["d", "e"]},
               "2": {"train": ["a"], "test": []}},
              positions=3, flow_engine="opencv")


def test_describe_records():
    assert report.describe_records(UCF) == (
        "UCF101 at records/ucf101: 101 classes; split 1: 3 train / 2 test, split 2: 1 train / "
        "0 test; 3 positions a video; frames 80x60; opencv TV-L1 flow")
    bare = _source("hmdb51", "r/h", {"1": {"train": ["a"]}})
    assert report.describe_records(bare) == (
        "HMDB51 at r/h: 51 classes; split 1: 1 train / 0 test; frames 80x60")


def _outputs():
    """One TableOutput per table, titled as the tables are, with a marker in its markdown."""
    return {name: TableOutput(name, tables.TITLES[name], f"body of {name}\n", {})
            for name in ("5", "claims", "fig4", "4", "3", "2", "fig3", "1")}  # any order


SETTINGS = {"training": {"epochs": 1, "batch_size": 2}, "model": {"backbone": "tiny"},
            "run": {"verbose": 0}}
COMMAND = "python -m experiments.reproduce --table=all --records_root=records --workspace=ws"


def test_write_report_layout(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "source_commit", lambda root=None: SHA)
    path = report.write_report(tmp_path / "tables", _outputs(), {"ucf101": UCF},
                               {"hmdb51": "no records at records/hmdb51"}, SETTINGS, (34, 10),
                               COMMAND)
    assert path == tmp_path / "tables" / "report.md"
    text = path.read_text()
    lines = text.splitlines()
    assert lines[0] == "# TAN (ICME 2018), Section 3: our numbers beside the paper's"
    assert f"at commit {SHA[:12]}." in lines[2]
    # The command block.
    start = lines.index("```bash")
    assert lines[start:start + 3] == ["```bash", COMMAND, "```"]
    # The data: present datasets described, absent ones with why.
    assert "- " + report.describe_records(UCF) in lines
    assert "- HMDB51: no records at records/hmdb51" in lines
    assert lines.index("- " + report.describe_records(UCF)) < lines.index(
        "- HMDB51: no records at records/hmdb51")
    # The settings, one line each.
    assert "- training: epochs=1, batch_size=2" in lines
    assert "- model: backbone=tiny" in lines
    assert "- run: verbose=0" in lines
    assert ("Stages: 34 in the plan; 10 run now, 24 read from the workspace (done before)."
            in lines)
    # Sections 3.3, 3.4, 3.5 with the tables in the paper's order.
    headings = [line for line in lines if line.startswith("## 3.") or line.startswith("### ")]
    assert headings == [
        "## 3.3 Pre-training", f"### {tables.TITLES['1']}",
        "## 3.4 Evaluation of TAN", f"### {tables.TITLES['fig3']}", f"### {tables.TITLES['3']}",
        f"### {tables.TITLES['4']}", f"### {tables.TITLES['2']}", f"### {tables.TITLES['fig4']}",
        "## 3.5 Comparison with the state of the art", f"### {tables.TITLES['5']}",
        f"### {tables.TITLES['claims']}"]
    assert "## The claims of Section 3's text" in lines
    # Each table's body right under its title.
    for name in ("1", "2", "3", "4", "5", "fig3", "fig4", "claims"):
        title = lines.index(f"### {tables.TITLES[name]}")
        assert lines[title + 2] == f"body of {name}"
    # The run's description comes before the tables.
    assert lines.index("## The run") < lines.index("## 3.3 Pre-training")
    assert text.endswith("body of claims\n")


def test_write_report_leaves_out_empty_sections_and_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "source_commit", lambda root=None: None)
    outputs = {name: output for name, output in _outputs().items() if name in ("3", "fig4")}
    text = report.write_report(tmp_path, outputs, {"ucf101": UCF}, {}, SETTINGS, (6, 6)).read_text()
    assert "(not a git checkout)" in text
    assert "```" not in text
    assert "## 3.3" not in text and "## 3.5" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[-3:] == ["## 3.4 Evaluation of TAN", f"### {tables.TITLES['3']}",
                             f"### {tables.TITLES['fig4']}"]
    assert "Stages: 6 in the plan; 6 run now, 0 read from the workspace (done before)." in text


def test_source_commit_of_this_checkout_is_a_sha_or_none():
    commit = report.source_commit()
    assert commit is None or (len(commit) == 40 and int(commit, 16) >= 0)


@pytest.mark.parametrize("name", ["1", "2", "3", "4", "5", "fig3", "fig4", "claims"])
def test_every_table_has_a_section(name):
    assert sum(name in names for _, names in report.SECTIONS) == 1
