"""Every command the docs show exists and accepts every flag written there.

The docs are README.md, WORKSPACE.md and docs/**/*.md (whatever exists when the tests run), plus
the quickstart's closing `NEXT_STEPS`. Their fenced shell blocks and inline code spans are read
by `tests.helpers.shell_blocks` (its docstring states the rules: which blocks count, variables,
continuations, `[optional]` parts, `...` placeholders). Each project command (`python -m
experiments|data_prep|tan_keras...`, `tan-quickstart`, `tan-build-records`) must name a module
that exists, and each of its `--flags` must be one that `python -m <module> --helpfull` lists.

The first tests check the parser and the checker on small literal blocks, against a fake
project in a temporary folder, so that they can fail; the last ones check the repository's docs.
"""

import textwrap

import pytest

from tests.helpers import shell_blocks as sb
from tests.helpers.paths import REPO_ROOT

FAKE_FLAGS = {
    "experiments.stage": sb.FlagTable(
        frozenset({"table", "workspace", "records_dir", "epochs", "mifs_scores", "smoke",
                   "beam_options", "init", "help", "helpfull"}),
        frozenset({"smoke", "help", "helpfull"})),
}
ABSL_COMMAND = ("from absl import app\n\ndef main(argv):\n    pass\n\n"
                "if __name__ == '__main__':\n    app.run(main)\n")


@pytest.fixture
def fake_layout(tmp_path) -> sb.ProjectLayout:
    """A project with `experiments.stage` (an absl command), a library module, a plain script, a
    package without __main__, and the console script `tan-stage` = `python -m experiments.stage`."""
    files = {
        "experiments/__init__.py": "",
        "experiments/stage.py": ABSL_COMMAND,
        "experiments/library.py": "def helper():\n    pass\n",
        "experiments/plain.py": "if __name__ == '__main__':\n    print('runs for real')\n",
        "experiments/family/__init__.py": "",
        "data_prep/__init__.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return sb.ProjectLayout(root=tmp_path, packages=frozenset({"experiments", "data_prep"}),
                            scripts={"tan-stage": "experiments.stage"})


def _fake_flags(module: str) -> sb.FlagTable:
    if module not in FAKE_FLAGS:
        raise RuntimeError(f"no fake flags for {module}")
    return FAKE_FLAGS[module]


def _markdown(body: str, info: str = "bash") -> str:
    """A doc whose line 3 is the block's first line."""
    return f"# Title\n```{info}\n{textwrap.dedent(body).strip()}\n```\n"


def _commands(markdown: str, layout: sb.ProjectLayout, inline: bool = False) -> list[sb.Command]:
    commands, problems = sb.commands_in_markdown(markdown, "doc.md", layout, inline=inline)
    assert not problems, [str(p) for p in problems]
    return commands


def _problems(markdown: str, layout: sb.ProjectLayout, inline: bool = False) -> list[str]:
    commands, problems = sb.commands_in_markdown(markdown, "doc.md", layout, inline=inline)
    return [str(p) for p in problems + sb.check_commands(commands, layout, _fake_flags)]


# ---- The parser and the checker, on literal blocks -------------------------------------------


def test_a_good_block_passes(fake_layout):
    doc = _markdown("""
        pip install -e .
        python -m experiments.stage --table=1 --workspace=ws --smoke
        tan-stage --epochs=3
    """)
    assert [c.module for c in _commands(doc, fake_layout)] == ["experiments.stage"] * 2
    assert _problems(doc, fake_layout) == []


def test_an_unknown_flag_is_reported_with_file_line_command_and_flag(fake_layout):
    doc = _markdown("""
        python -m experiments.stage --table=1
        python -m experiments.stage --table=1 --epoch=3
    """)
    assert _problems(doc, fake_layout) == [
        ("doc.md:4: experiments.stage has no flag --epoch (did you mean --epochs?)\n"
         "    python -m experiments.stage --table=1 --epoch=3")]


def test_an_unknown_module_is_reported(fake_layout):
    doc = _markdown("python -m experiments.bench_model --steps=5")
    assert _problems(doc, fake_layout) == [
        ("doc.md:3: no module named experiments.bench_model\n"
         "    python -m experiments.bench_model --steps=5")]


def test_modules_that_cannot_run_or_take_no_absl_flags_are_reported(fake_layout):
    doc = _markdown("""
        python -m experiments.library
        python -m experiments.family
        python -m experiments.plain --epochs=3
        python -m experiments.plain
    """)
    problems = _problems(doc, fake_layout)
    assert len(problems) == 3
    assert "doc.md:3: experiments.library is not a command" in problems[0]
    assert "doc.md:4: experiments.family is a package without __main__.py" in problems[1]
    assert ("doc.md:5: experiments.plain does not use absl flags, so it cannot take --epochs"
            in problems[2])


def test_flags_that_cannot_be_listed_are_reported(fake_layout):
    (fake_layout.root / "data_prep" / "tool.py").write_text(ABSL_COMMAND)
    problems = _problems(_markdown("python -m data_prep.tool --x=1"), fake_layout)
    assert problems == [("doc.md:3: cannot list the flags of data_prep.tool: no fake flags for "
                         "data_prep.tool\n    python -m data_prep.tool --x=1")]


def test_variables_of_the_block_are_expanded(fake_layout):
    doc = _markdown("""
        W="--workspace=ws --epochs=20"
        export R=--records_dir=records
        python -m experiments.stage --table=1 $W ${R} "$W"
        W="--workspace=ws --epoch=20"
        python -m experiments.stage --table=2 $W '$W' --init=$HOME/x
    """)
    commands = _commands(doc, fake_layout)
    assert commands[0].args == ("--table=1", "--workspace=ws", "--epochs=20",
                                "--records_dir=records", "--workspace=ws --epochs=20")
    assert commands[1].args == ("--table=2", "--workspace=ws", "--epoch=20", "$W",
                                "--init=$HOME/x")
    assert _problems(doc, fake_layout) == [
        ("doc.md:7: experiments.stage has no flag --epoch (did you mean --epochs?)\n"
         "    python -m experiments.stage --table=2 $W '$W' --init=$HOME/x")]


def test_continuations_are_joined_and_keep_the_start_line(fake_layout):
    trailing_spaces = "  "
    doc = _markdown(f"""
        # a comment line
        python -m experiments.stage --table=1 \\
            --workspace=ws \\{trailing_spaces}
            --epochz=3
    """)
    [command] = _commands(doc, fake_layout)
    assert (command.line, command.args) == (4, ("--table=1", "--workspace=ws", "--epochz=3"))
    assert _problems(doc, fake_layout)[0].startswith(
        "doc.md:4: experiments.stage has no flag --epochz")


def test_optional_parts_in_brackets_are_checked_as_written(fake_layout):
    good = _markdown(
        "python -m experiments.stage --table=1 [--mifs_scores=ucf101:1=m.npz] [--smoke]")
    bad = _markdown("python -m experiments.stage --table=1 [--mifs=ucf101:1=m.npz]")
    assert _problems(good, fake_layout) == []
    assert "has no flag --mifs\n" in _problems(bad, fake_layout)[0]


def test_environment_prefixes_and_wrappers_are_skipped(fake_layout):
    doc = _markdown("""
        KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=2 python -m experiments.stage --table=1
        time tan-stage --smoke
        env -i KERAS_BACKEND=jax python3 -u -m experiments.stage --bogus
    """)
    assert [c.module for c in _commands(doc, fake_layout)] == ["experiments.stage"] * 3
    assert [p.split("\n")[0] for p in _problems(doc, fake_layout)] == [
        "doc.md:5: experiments.stage has no flag --bogus"]


def test_compound_commands_are_split_and_other_programs_ignored(fake_layout):
    doc = _markdown("""
        pip install -e ".[test]" && tan-stage --bogus1 | tee log.txt
        cd x; python -m experiments.stage --bogus2 > out.txt 2>&1 || echo failed
        python -m pytest -q --bogus3 && wget --bogus4 http://x && tar xzf y.tar.gz
        python experiments/stage.py --bogus5
    """)
    flags = [p.split("\n")[0].rsplit(" ", 1)[-1] for p in _problems(doc, fake_layout)]
    assert flags == ["--bogus1", "--bogus2", "--bogus5"]


def test_quoted_values_are_not_read_as_flags(fake_layout):
    doc = _markdown("""
        python -m experiments.stage --beam_options="--runner=DataflowRunner --bogus \\
            --region=r" --table=1
        python -m experiments.stage --beam_options '--runner=FlinkRunner' --table '--x'
    """)
    assert _problems(doc, fake_layout) == []


def test_comments_are_dropped(fake_layout):
    doc = _markdown("""
        python -m experiments.stage --table=1   # or --bogus
        # python -m experiments.stage --bogus
        python -m experiments.stage --init=a#b
    """)
    assert [c.args for c in _commands(doc, fake_layout)] == [("--table=1",), ("--init=a#b",)]


def test_double_dash_ends_flags_and_no_prefix_works_for_booleans_only(fake_layout):
    good = _markdown("python -m experiments.stage --nosmoke --smoke=false -- --anything")
    bad = _markdown("python -m experiments.stage --noepochs")
    assert _problems(good, fake_layout) == []
    assert "has no flag --noepochs" in _problems(bad, fake_layout)[0]


def test_ellipsis_placeholders(fake_layout):
    doc = _markdown("""
        ... --bogus0
        python -m experiments.stage --table=1 \\
            --workspace=ws
        python -m experiments.stage ... --epochs=2
        ...
        ... --smoke --bogus1
    """)
    commands = _commands(doc, fake_layout)
    assert [(c.line, c.args) for c in commands] == [
        (4, ("--table=1", "--workspace=ws")), (6, ("...", "--epochs=2")),
        (8, ("--smoke", "--bogus1"))]
    assert _problems(doc, fake_layout) == [
        "doc.md:8: experiments.stage has no flag --bogus1\n    ... --smoke --bogus1"]


def test_angle_bracket_placeholders(fake_layout):
    doc = _markdown("""
        python -m experiments.<stage> --flags
        python -m experiments.stage --init=tan:<workspace>/train_tan/<run> --<flag>=1
    """)
    [command] = _commands(doc, fake_layout)
    assert command.args == ("--init=tan:<workspace>/train_tan/<run>", "--<flag>=1")
    assert _problems(doc, fake_layout) == []


def test_console_blocks_read_only_prompted_lines(fake_layout):
    doc = _markdown("""
        $ python -m experiments.stage --table=1 \\
            --bogus1
        Built 6 records; see --bogus2 and it's done
        $ tan-stage --smoke
    """, info="console")
    assert [c.line for c in _commands(doc, fake_layout)] == [3, 6]
    assert [p.split("\n")[0] for p in _problems(doc, fake_layout)] == [
        "doc.md:3: experiments.stage has no flag --bogus1"]


def test_which_blocks_are_read(fake_layout):
    untagged_tree = _markdown("""
        tan_keras/            the library
          layers/             don't run: python -m experiments.nope
        ...                   # more
    """, info="")
    untagged_usage = _markdown("""
        Usage:
        python -m experiments.nope --x
    """, info="")
    python = _markdown('subprocess.run("python -m experiments.nope")', info="python")
    text = _markdown("python -m experiments.nope", info="text")
    shell = "\n".join(_markdown("$ python -m experiments.nope", info=info)
                      for info in ("sh", "shell", "Bash", "{.bash}"))
    assert _problems(untagged_tree, fake_layout) == []
    assert _problems(python, fake_layout) == _problems(text, fake_layout) == []
    assert [p.split("\n")[0] for p in _problems(untagged_usage, fake_layout)] == [
        "doc.md:4: no module named experiments.nope"]
    assert len(_problems(shell, fake_layout)) == 4


def test_fences_inside_list_items_and_long_fences(fake_layout):
    doc = ("- item\n\n  ```bash\n  python -m experiments.stage \\\n    --bogus\n  ```\n"
           "````sh\n```\npython -m experiments.stage --bogus2\n````\n")
    assert [p.split("\n")[0] for p in _problems(doc, fake_layout)] == [
        "doc.md:4: experiments.stage has no flag --bogus",
        "doc.md:9: experiments.stage has no flag --bogus2"]


def test_inline_code_spans(fake_layout):
    doc = ("Run `python -m experiments.stage --table=1` or\n`KERAS_BACKEND=jax tan-stage\n"
           "--bogus`, not `--flag` or `python -m experiments.<stage> --flags`.\n\n"
           "```bash\npython -m experiments.nope\n```\n`time python -m experiments.gone`\n")
    assert [p.split("\n")[0] for p in _problems(doc, fake_layout, inline=True)] == [
        "doc.md:2: experiments.stage has no flag --bogus",
        "doc.md:8: no module named experiments.gone"]


def test_a_project_command_that_does_not_parse_is_reported(fake_layout):
    doc = _markdown("""
        echo "a stray quote on another program's line is ignored
        python -m experiments.stage --table="1
        python -m experiments.stage --bogus
    """)
    assert [p.split("\n")[0] for p in _problems(doc, fake_layout)] == [
        'doc.md:4: the line does not parse as shell (unclosed " quote)',
        "doc.md:5: experiments.stage has no flag --bogus"]


def test_expand_variables_follows_bash_quoting():
    variables = {"W": "--a=1  --b=2", "Q": 'say "hi"'}
    assert sb.expand_variables("x $W ${W}x '$W' \"$Q\" $OTHER", variables) == \
        "x --a=1 --b=2 --a=1 --b=2x '$W' \"say \\\"hi\\\"\" $OTHER"


def test_parse_helpfull_reads_absl_flag_lines():
    text = textwrap.dedent("""\
        Usage text that mentions
          --not_a_flag: in the docstring
        flags:

        /repo/experiments/stage.py:
          --datasets: Datasets to include.
            (a comma separated list)
          --[no]smoke: Tiny sizes.
            --continued: not a flag line
            (default: 'false')

        absl.logging:
          -v,--verbosity: Logging verbosity level.
          -?,--[no]help: show this help
        """)
    table = sb.parse_helpfull(text)
    assert table.names == {"datasets", "smoke", "verbosity", "help"}
    assert table.booleans == {"smoke", "help"}
    assert table.accepts("nosmoke") and not table.accepts("nodatasets")
    with pytest.raises(ValueError, match="no absl flags"):
        sb.parse_helpfull("usage: plain argparse\n  -h, --help  show this help")


def test_setup_py_gives_the_packages_and_console_scripts():
    layout = sb.ProjectLayout.from_setup_py(REPO_ROOT)
    assert {"experiments", "data_prep", "tan_keras"} <= layout.packages
    assert layout.scripts["tan-quickstart"] == "experiments.quickstart"
    assert layout.scripts["tan-build-records"] == "data_prep.build_records"


def test_a_python_string_block_keeps_file_lines(tmp_path, fake_layout):
    module = tmp_path / "experiments" / "report.py"
    module.write_text('"""Doc."""\n\nSTEPS = """Next:\n  # one\n'
                      '  python -m experiments.stage \\\\\n      --bogus\n'
                      '  Heading: it\'s prose\n  tan-stage --smoke"""\n')
    block = sb.python_string_block(tmp_path, "experiments.report", "STEPS")
    assert block.source == "experiments/report.py (STEPS)"
    commands, problems = sb.commands_in_block(block, fake_layout)
    assert not problems and [c.line for c in commands] == [5, 8]
    [problem] = sb.check_commands(commands, fake_layout, _fake_flags)
    assert str(problem).startswith(
        "experiments/report.py (STEPS):5: experiments.stage has no flag --bogus")


def test_known_flags_of_a_real_command():
    """One real `--helpfull` run: a project command's own, shared and absl flags."""
    table = sb.known_flags("experiments.reproduce", REPO_ROOT)
    assert {"table", "workspace", "records_dir", "helpfull"} <= table.names
    assert "helpfull" in table.booleans and "table" not in table.booleans


# ---- The repository's docs -------------------------------------------------------------------


def _doc_files() -> list[str]:
    """README.md, WORKSPACE.md and docs/**/*.md as they exist now, relative to the checkout."""
    files = [REPO_ROOT / "README.md", REPO_ROOT / "WORKSPACE.md",
             *sorted((REPO_ROOT / "docs").glob("**/*.md"))]
    return [str(f.relative_to(REPO_ROOT)) for f in files if f.is_file()]


DOC_FILES = _doc_files()
NEXT_STEPS = ("experiments.quickstart.report", "NEXT_STEPS")


@pytest.fixture(scope="session")
def repository_commands() -> dict:
    """{(source, 'fenced'|'inline'): (commands, parse problems)}, with every needed module's
    flags listed once, in parallel."""
    layout = sb.ProjectLayout.from_setup_py(REPO_ROOT)
    found = {}
    for name in DOC_FILES:
        text = (REPO_ROOT / name).read_text(encoding="utf-8")
        for kind in ("fenced", "inline"):
            found[name, kind] = sb.commands_in_markdown(text, name, layout, inline=kind == "inline")
    found["NEXT_STEPS", "fenced"] = sb.commands_in_block(
        sb.python_string_block(REPO_ROOT, *NEXT_STEPS), layout)
    needed = {c.module for commands, _ in found.values() for c in commands
              if sb.documented_flags(c.args) and sb.find_module(c.module, REPO_ROOT)}
    sb.prefetch_flags(needed, REPO_ROOT)
    return {"layout": layout, "found": found}


def _assert_runs_as_written(repository_commands, key):
    commands, problems = repository_commands["found"][key]
    problems = problems + sb.check_commands(commands, repository_commands["layout"])
    assert not problems, (f"{len(problems)} documented command(s) would not run as written:\n"
                          + "\n".join(str(p) for p in problems))


@pytest.mark.parametrize("doc", DOC_FILES)
def test_fenced_shell_commands_run_as_written(repository_commands, doc):
    _assert_runs_as_written(repository_commands, (doc, "fenced"))


@pytest.mark.parametrize("doc", DOC_FILES)
def test_inline_commands_run_as_written(repository_commands, doc):
    _assert_runs_as_written(repository_commands, (doc, "inline"))


def test_quickstart_next_steps_run_as_written(repository_commands):
    _assert_runs_as_written(repository_commands, ("NEXT_STEPS", "fenced"))


def test_the_docs_name_project_commands(repository_commands):
    """Guards the checks above against passing because the parser found nothing."""
    found = repository_commands["found"]
    assert found["NEXT_STEPS", "fenced"][0], "no project command found in NEXT_STEPS"
    assert any(commands for (source, kind), (commands, _) in found.items()
               if kind == "fenced" and source != "NEXT_STEPS"), \
        f"no project command found in the fenced blocks of {DOC_FILES}"
