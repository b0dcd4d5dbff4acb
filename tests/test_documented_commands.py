"""Every command the docs show runs as typed, up to its `main`, and every Python snippet imports,
binds and calls what exists.

The docs are README.md, WORKSPACE.md and docs/**/*.md (whatever exists when the tests run), plus
the quickstart's closing `NEXT_STEPS`. Their fenced shell blocks and inline code spans are read
by `tests.helpers.shell_blocks` (its docstring states the rules: which blocks count, variables,
continuations, `[optional]` parts, `...` placeholders). Each project command (`python -m
experiments|data_prep|tan_keras...`, the console scripts) must name a module that exists, and its
arguments must pass that command's own absl flag parser and validators
(`tests.helpers.command_flags`, whose docstring states the conventions: the reader's paths exist,
`...` and `<placeholder>` values make a line partial). Each ```` ```python ```` snippet must
import, bind its names and call what it imports with arguments that fit, and so must the inline
code spans that are calls (`train_tan(..., run=RunOptions(...))`); the small snippets marked to
run are run (`tests.helpers.python_snippets`).

The first tests check the parser and the checkers on small literal blocks, against a fake
project in a temporary folder and flags built here, so that they can fail; the last ones check
the repository's docs, all in one process of their own (`tests.helpers.docs_check`), with a few
literal lines beside them that must fail there too.
"""

import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from absl import flags

from tests.helpers import command_flags
from tests.helpers import python_snippets as ps
from tests.helpers import shell_blocks as sb
from tests.helpers.commands import command_env
from tests.helpers.paths import REPO_ROOT


def _stage_flags() -> flags.FlagValues:
    """`experiments.stage`'s flags: no validators, nothing required."""
    values = flags.FlagValues()
    for name in ("table", "workspace", "records_dir", "beam_options", "init"):
        flags.DEFINE_string(name, None, "", flag_values=values)
    flags.DEFINE_integer("epochs", 1, "", flag_values=values)
    flags.DEFINE_list("mifs_scores", None, "", flag_values=values)
    flags.DEFINE_bool("smoke", False, "", flag_values=values)
    return values


def _train_flags() -> flags.FlagValues:
    """`experiments.train`'s flags, with validators like the real commands': a required folder
    that must exist, a bounded integer, an enum, and GoogLeNet from ImageNet needing a file."""
    values = flags.FlagValues()
    flags.DEFINE_string("records_dir", None, "", required=True, flag_values=values)
    flags.register_validator("records_dir", lambda p: p is None or os.path.isdir(p),
                             message="no such folder", flag_values=values)
    flags.DEFINE_integer("epochs", 1, "", lower_bound=1, flag_values=values)
    flags.DEFINE_enum("backbone", "googlenet", ["googlenet", "tiny"], "", flag_values=values)
    flags.DEFINE_string("init", "imagenet", "", flag_values=values)
    flags.DEFINE_string("imagenet_weights", None, "", flag_values=values)
    flags.register_validator("imagenet_weights", lambda p: p is None or os.path.isfile(p),
                             message="no such file", flag_values=values)
    flags.register_multi_flags_validator(
        ["backbone", "init", "imagenet_weights"],
        lambda v: not (v["backbone"] == "googlenet" and v["init"] == "imagenet"
                       and not v["imagenet_weights"]),
        message="googlenet from ImageNet needs --imagenet_weights", flag_values=values)
    return values


FAKE_FLAGS = {"experiments.stage": _stage_flags(), "experiments.train": _train_flags()}
ABSL_COMMAND = ("from absl import app\n\ndef main(argv):\n    pass\n\n"
                "if __name__ == '__main__':\n    app.run(main)\n")


@pytest.fixture
def fake_layout(tmp_path) -> sb.ProjectLayout:
    """A project with `experiments.stage` and `experiments.train` (absl commands), a library
    module, a plain script, a package without __main__, and the console script `tan-stage` =
    `python -m experiments.stage`."""
    files = {
        "experiments/__init__.py": "",
        "experiments/stage.py": ABSL_COMMAND,
        "experiments/train.py": ABSL_COMMAND,
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


def _fake_flags(module: str) -> flags.FlagValues:
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


def test_flags_that_cannot_be_read_are_reported(fake_layout):
    (fake_layout.root / "data_prep" / "tool.py").write_text(ABSL_COMMAND)
    problems = _problems(_markdown("python -m data_prep.tool --x=1"), fake_layout)
    assert problems == [("doc.md:3: cannot read the flags of data_prep.tool: RuntimeError: no "
                         "fake flags for data_prep.tool\n    python -m data_prep.tool --x=1")]


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




# ---- The command's own parser and validators, on literal blocks ------------------------------


def _first_lines(problems: list[str]) -> list[str]:
    return [p.split("\n")[0] for p in problems]


def test_a_line_the_validators_refuse_fails(fake_layout):
    doc = _markdown("""
        python -m experiments.train --records_dir=records --backbone=tiny
        python -m experiments.train --records_dir=records
        python -m experiments.train --records_dir=records --imagenet_weights=inception_v1.ckpt
        python -m experiments.train --records_dir=records --init=cnn --epochs=3
        python -m experiments.train --backbone=tiny
        python -m experiments.train --records_dir=records --backbone=tiny --epochs=0
        python -m experiments.train --records_dir=records --backbone=resnet --epochs=three
    """)
    assert _first_lines(_problems(doc, fake_layout)) == [
        ("doc.md:4: experiments.train refuses it: flags backbone=googlenet, init=imagenet, "
         "imagenet_weights=None: googlenet from ImageNet needs --imagenet_weights"),
        ("doc.md:7: experiments.train refuses it: flag --records_dir=None: Flag --records_dir "
         "must have a value other than None."),
        "doc.md:8: experiments.train refuses it: flag --epochs=0: 0 is not a positive integer",
        ("doc.md:9: experiments.train refuses it: flag --backbone=resnet: value should be one "
         "of <googlenet|tiny>")]


def test_the_readers_paths_exist_for_the_validators(fake_layout, tmp_path):
    """`records` and `inception_v1.ckpt` above do not exist here, yet pass: the convention.
    Outside the check the validators see the real file system again."""
    values = _train_flags()
    missing = str(tmp_path / "nowhere")
    assert command_flags.parse_command_line(
        values, [f"--records_dir={missing}", "--backbone=tiny"]) is None
    assert not os.path.isdir(missing)
    values(["train", f"--records_dir={tmp_path}", "--backbone=tiny"])
    with pytest.raises(flags.IllegalFlagValueError, match="no such folder"):
        values(["train", f"--records_dir={missing}", "--backbone=tiny"])


def test_a_check_leaves_the_flags_as_they_were(fake_layout):
    """The same flags check line after line: a refused line does not taint the next."""
    values = FAKE_FLAGS["experiments.train"]
    refused = ["--records_dir=r", "--epochs=0"]
    good = ["--records_dir=r", "--backbone=tiny"]
    assert command_flags.parse_command_line(values, refused) is not None
    assert command_flags.parse_command_line(values, good) is None
    assert command_flags.parse_command_line(values, ["--records_dir=r", "..."]) is None
    assert command_flags.parse_command_line(values, refused) is not None
    assert not values["records_dir"].present and values["epochs"].value == 1
    assert all(values[name].validators for name in ("records_dir", "imagenet_weights"))


def test_partial_lines_check_the_flags_they_write(fake_layout):
    doc = _markdown("""
        python -m experiments.train ... --epochs=3
        python -m experiments.train --records_dir=records
        ... --backbone=tiny --epochs=3
        ... --epochs=0
        python -m experiments.train "$@"
        python -m experiments.train --helpfull
        python -m experiments.train --epochs=<N> --seed=$S --<flag>=1 ...
        python -m experiments.train ... --backbone=googlenet --init=imagenet
    """)
    assert [c.partial for c in _commands(doc, fake_layout)] == [
        False, False, True, True, False, False, False, False]
    # Line 10 passes: --imagenet_weights may be among the flags the `...` stands for.
    assert _first_lines(_problems(doc, fake_layout)) == [
        ("doc.md:4: experiments.train refuses it: flags backbone=googlenet, init=imagenet, "
         "imagenet_weights=None: googlenet from ImageNet needs --imagenet_weights"),
        "doc.md:6: experiments.train refuses it: flag --epochs=0: 0 is not a positive integer",
        "doc.md:9: experiments.train has no flag --seed"]


def test_inline_spans_are_partial_and_fenced_lines_whole(fake_layout):
    line = "python -m experiments.train --backbone=tiny --epochs=2"
    assert _problems(f"See `{line}`.\n", fake_layout, inline=True) == []
    assert _first_lines(_problems(_markdown(line), fake_layout)) == [
        ("doc.md:3: experiments.train refuses it: flag --records_dir=None: Flag --records_dir "
         "must have a value other than None.")]
    assert _first_lines(_problems("`tan-stage --epochs=x`\n", fake_layout, inline=True)) == [
        ("doc.md:1: experiments.stage refuses it: flag --epochs=x: invalid literal for int() "
         "with base 10: 'x'")]


# ---- One process of its own: each command module imported in turn (docs_check) ---------------

# Two commands that define flags of the same names (as the real ones do through shared_flags),
# one validator that reads the global FLAGS (as model_card's does), and a module that fails.
TWO_COMMANDS = {
    "experiments/common.py": (
        "from absl import flags\n\n"
        "def define_workspace():\n"
        "    flags.DEFINE_string('workspace', None, 'w', required=True)\n"),
    "experiments/first.py": (
        "from absl import app, flags\nfrom experiments import common\n"
        "common.define_workspace()\n"
        "flags.DEFINE_integer('epochs', 1, 'e')\n"
        "flags.register_validator('epochs', lambda e: flags.FLAGS['workspace'].present,\n"
        "                         message='--epochs needs --workspace')\n"
        "if __name__ == '__main__':\n    app.run(lambda argv: None)\n"),
    "experiments/second.py": (
        "from absl import app, flags\nfrom experiments import common\n"
        "common.define_workspace()\n"
        "flags.DEFINE_enum('table', '1', ['1', '2'], 't')\n"
        "if __name__ == '__main__':\n    app.run(lambda argv: None)\n"),
    "experiments/broken.py": (
        "from absl import app\nimport no_such_module_here\n"
        "if __name__ == '__main__':\n    app.run(lambda argv: None)\n"),
}


def _docs_check(tmp_path, root, commands, snippets=()) -> dict:
    request = {"root": str(root), "commands": [dataclasses.asdict(c) for c in commands],
               "snippets": [dataclasses.asdict(s) for s in snippets]}
    (tmp_path / "request.json").write_text(json.dumps(request))
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.docs_check", str(tmp_path / "request.json"),
         str(tmp_path / "answer.json")], cwd=REPO_ROOT, env=command_env(), capture_output=True,
        text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads((tmp_path / "answer.json").read_text())
    return {kind: [[str(sb.Problem(**p)) for p in found] for found in answer[kind]]
            for kind in answer}


def test_docs_check_imports_each_command_apart(fake_layout, tmp_path):
    (fake_layout.root / "setup.py").write_text(
        'setup(packages=find_packages(include=["experiments", "data_prep"]))\n')
    for name, text in TWO_COMMANDS.items():
        (fake_layout.root / name).write_text(text)
    doc = _markdown("""
        python -m experiments.first --workspace=ws --epochs=2
        python -m experiments.second --workspace=ws --table=2
        python -m experiments.first --epochs=2
        python -m experiments.second --workspace=ws --epochs=2
        python -m experiments.first --workspace=ws --table=2
        python -m experiments.broken --x=1
    """)
    answer = _docs_check(tmp_path, fake_layout.root, _commands(doc, fake_layout))
    assert [_first_lines(found) for found in answer["commands"]] == [
        [], [],
        [("doc.md:5: experiments.first refuses it: flag --workspace=None: Flag --workspace must "
          "have a value other than None.")],
        ["doc.md:6: experiments.second has no flag --epochs"],
        ["doc.md:7: experiments.first has no flag --table"],
        [("doc.md:8: cannot read the flags of experiments.broken: ModuleNotFoundError: No "
          "module named 'no_such_module_here'")]]


# ---- Python snippets, on literal blocks ------------------------------------------------------


def _snippet_problems(markdown: str, tmp_path) -> list[str]:
    snippets = ps.snippets_in_markdown(markdown, "doc.md")
    return [str(p) for found in ps.check_snippets(snippets, tmp_path) for p in found]


def test_a_good_snippet_passes(tmp_path):
    doc = _markdown("""
        import textwrap
        from os import path as os_path

        def indent(text, prefix="  "):
            return textwrap.indent(text, prefix=prefix)

        print(indent(os_path.join("a", "b")), [line for line in "ab"], textwrap.dedent(" x"))
    """, info="python")
    assert _snippet_problems(doc, tmp_path) == []


def test_snippet_imports_names_and_calls_are_checked(tmp_path):
    doc = _markdown("""
        from textwrap import dedent, dedentt
        from tan_keras.no_such_module import something
        from no_such_package_anywhere import Thing   # not installed: skipped
        import os.path

        dedent(" x", width=3)
        os.path.join("a", "b", sep="/")
        Thing(model, 3)
    """, info="python")
    assert _first_lines(_snippet_problems(doc, tmp_path)) == [
        ("doc.md:3: from textwrap import dedent, dedentt fails: ImportError: cannot import name "
         "'dedentt' from 'textwrap' (" + textwrap.__file__ + ")"),
        ("doc.md:4: from tan_keras.no_such_module import something fails: ModuleNotFoundError: "
         "No module named 'tan_keras.no_such_module'"),
        "doc.md:10: uses `model`, which neither the snippet nor an earlier one on the page binds",
        ("doc.md:8: dedent(...) does not fit its signature (text): got an unexpected keyword "
         "argument 'width'"),
        ("doc.md:9: os.path.join(...) does not fit its signature (a, *p): got an unexpected "
         "keyword argument 'sep'")]


def test_a_page_reads_as_one_session(tmp_path):
    earlier = _markdown("model = object()", info="python")
    later = _markdown("print(model)", info="python")
    assert _snippet_problems(earlier + later, tmp_path) == []
    assert _first_lines(_snippet_problems(later + earlier, tmp_path)) == [
        "doc.md:3: uses `model`, which neither the snippet nor an earlier one on the page binds"]


def test_marked_snippets_run_in_a_scratch_folder(tmp_path):
    def block(code, marked=True):
        return (ps.RUN_MARK + "\n" if marked else "") + f"```python\n{code}\n```\n"

    doc = (block("open('made.txt', 'w').close()\nratio = 1 / 2")
           + block("ratio = ratio / 0") + block("never = 1 / 0", marked=False))
    assert _first_lines(_snippet_problems(doc, tmp_path / "scratch")) == [
        "doc.md:8: fails when run: ZeroDivisionError: float division by zero"]
    assert (tmp_path / "scratch" / "doc.md" / "made.txt").is_file()
    assert not (REPO_ROOT / "made.txt").exists()


def test_a_snippet_that_does_not_parse_fails(tmp_path):
    doc = _markdown("x = (1,\ny = 2", info="python")
    [problem] = _snippet_problems(doc, tmp_path)
    assert problem.startswith("doc.md:3: does not parse: '(' was never closed")


def test_inline_python_calls_are_checked_against_the_page_imports(tmp_path):
    doc = (_markdown("from textwrap import dedent, indent", info="python")
           + "Call `dedent(text)`, not `dedent(text, width=3)` nor\n"
           "`textwrap.dedent(text, width=3)` (no import of it here), nor `shorten(text, 3)`;\n"
           "`tan_keras.choices.parse_init(\"cnn\", strict=True)` is a project path.\n"
           "`indent(text, prefix)` and `indent(s, p)` are fine, `indent(text, suffix)` is not.\n")
    inline = ps.inline_calls_in_markdown(doc, "doc.md")
    assert [s.text for s in inline] == [
        "dedent(text)", "dedent(text, width=3)", "textwrap.dedent(text, width=3)",
        "shorten(text, 3)", 'tan_keras.choices.parse_init("cnn", strict=True)',
        "indent(text, prefix)", "indent(s, p)", "indent(text, suffix)"]
    snippets = ps.snippets_in_markdown(doc, "doc.md") + inline
    problems = [str(p) for found in ps.check_snippets(snippets, tmp_path) for p in found]
    assert [p.split(": ", 1)[0] for p in problems] == ["doc.md:5", "doc.md:7", "doc.md:8"]
    assert "got an unexpected keyword argument 'width'" in problems[0]
    assert "got an unexpected keyword argument 'strict'" in problems[1]
    assert "is written as its signature" in problems[2]
    assert "but names suffix (prefix)" in problems[2]


def test_launchers_are_skipped_up_to_the_command(fake_layout):
    doc = _markdown("""
        srun --nodes=2 -n 4 env KERAS_BACKEND=jax python -m experiments.stage --bogus1
        mpirun -np 2 tan-stage --bogus2
        srun --nodes=2 bash launch.sh --bogus3
    """)
    assert _first_lines(_problems(doc, fake_layout)) == [
        "doc.md:3: experiments.stage has no flag --bogus1",
        "doc.md:4: experiments.stage has no flag --bogus2"]


# ---- The repository's docs -------------------------------------------------------------------


def _doc_files() -> list[str]:
    """README.md, WORKSPACE.md and docs/**/*.md as they exist now, relative to the checkout."""
    files = [REPO_ROOT / "README.md", REPO_ROOT / "WORKSPACE.md",
             *sorted((REPO_ROOT / "docs").glob("**/*.md"))]
    return [str(f.relative_to(REPO_ROOT)) for f in files if f.is_file()]


DOC_FILES = _doc_files()
NEXT_STEPS = ("experiments.quickstart.report", "NEXT_STEPS")
# Lines no doc should show, checked with the docs: each must fail there, on the real commands.
CANARY = "canary.md"
CANARY_COMMANDS = _markdown("""
    python -m experiments.train_tan --records_dir=r --workspace=ws --backbone=googlenet
    python -m experiments.train_tan --records_dir=r --workspace=ws --init=cnn --epochs=0
    python -m experiments.evaluate --records_dir=r
    tan-build-records --dataset=ucf101 --video_dir=v --output_dir=o
    python -m experiments.model_card --run=ws/train_tan/x --preset=paper
    python -m experiments.train_tan --records_dir=r --workspace=ws --init=cnn --strategy=mirrored
""")
CANARY_SNIPPET = _markdown("""
    from tan_keras.training import RunOptions, train_tan

    train_tan("records/ucf101", "ws", init="cnn", strategy="mirrored")
""", info="python") + (
    "Prose: `train_tan(..., run=RunOptions(strategy=\"mirrored\"))`, not\n"
    "`train_tan(..., strategy=\"multi_worker\")` nor\n"
    "`tan_keras.backbones.slim_checkpoint.load_slim_inception_v1(model, path=p)` nor\n"
    "`tan_keras.backbones.slim_checkpoint.load_slim_inception_v1(model, path, strict=True)`.\n")


@pytest.fixture(scope="session")
def repository_checks(tmp_path_factory) -> dict:
    """{(source, 'fenced'|'inline'|'snippets'): [problem text]}, from one docs_check process."""
    layout = sb.ProjectLayout.from_setup_py(REPO_ROOT)
    commands, snippets, keys, parse_problems = [], [], [], {}
    texts = {name: (REPO_ROOT / name).read_text(encoding="utf-8") for name in DOC_FILES}
    texts[CANARY] = CANARY_COMMANDS + CANARY_SNIPPET
    for name, text in texts.items():
        for kind in ("fenced", "inline"):
            found, problems = sb.commands_in_markdown(text, name, layout, inline=kind == "inline")
            commands += found
            keys += [(name, kind)] * len(found)
            parse_problems[name, kind] = [str(p) for p in problems]
        snippets += ps.snippets_in_markdown(text, name) + ps.inline_calls_in_markdown(text, name)
    found, problems = sb.commands_in_block(sb.python_string_block(REPO_ROOT, *NEXT_STEPS), layout)
    commands += found
    keys += [("NEXT_STEPS", "fenced")] * len(found)
    parse_problems["NEXT_STEPS", "fenced"] = [str(p) for p in problems]
    answer = _docs_check(tmp_path_factory.mktemp("docs_check"), REPO_ROOT, commands, snippets)
    checks = {key: list(problems) for key, problems in parse_problems.items()}
    for key, found in zip(keys, answer["commands"], strict=True):
        checks[key] += found
    for snippet, found in zip(snippets, answer["snippets"], strict=True):
        checks.setdefault((snippet.source, "snippets"), []).extend(found)
    return {"checks": checks, "commands": keys, "snippets": snippets}


def _assert_runs_as_written(repository_checks, key):
    problems = repository_checks["checks"].get(key, [])
    assert not problems, (f"{len(problems)} documented command(s) or snippet(s) would not run "
                          f"as written:\n" + "\n".join(problems))


@pytest.mark.parametrize("doc", DOC_FILES)
def test_fenced_shell_commands_run_as_written(repository_checks, doc):
    _assert_runs_as_written(repository_checks, (doc, "fenced"))


@pytest.mark.parametrize("doc", DOC_FILES)
def test_inline_commands_run_as_written(repository_checks, doc):
    _assert_runs_as_written(repository_checks, (doc, "inline"))


@pytest.mark.parametrize("doc", DOC_FILES)
def test_python_snippets_import_bind_and_call(repository_checks, doc):
    _assert_runs_as_written(repository_checks, (doc, "snippets"))


def test_quickstart_next_steps_run_as_written(repository_checks):
    _assert_runs_as_written(repository_checks, ("NEXT_STEPS", "fenced"))


def test_the_real_commands_refuse_the_canary_lines(repository_checks):
    """The same process, on lines the real commands refuse: the checks above can fail."""
    problems = _first_lines(repository_checks["checks"][CANARY, "fenced"])
    assert len(problems) == 5, problems
    expected = [
        ("canary.md:3: experiments.train_tan refuses it: flags backbone=googlenet, init=imagenet,"
         " imagenet_weights=None: Expected --imagenet_weights=<path to inception_v1.ckpt> for "
         "--backbone=googlenet from ImageNet"),
        "canary.md:4: experiments.train_tan refuses it: flag --epochs=0: ",
        ("canary.md:5: experiments.evaluate refuses it: flag --workspace=None: Flag --workspace "
         "must have a value other than None."),
        ("canary.md:6: data_prep.build_records refuses it: flags dataset=ucf101, "
         "splits_dir=None: --dataset=ucf101 needs --splits_dir"),
        "canary.md:7: experiments.model_card refuses it: ",
    ]
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), f"{problem}\n  does not start with\n{start}"
    snippet_problems = [p.split("\n")[0] for p in repository_checks["checks"][CANARY, "snippets"]]
    assert [p.split(": ", 1)[0] for p in snippet_problems] == [
        "canary.md:14", "canary.md:17", "canary.md:18", "canary.md:19"], snippet_problems
    assert all(" does not fit its signature " in p for p in snippet_problems[:3])
    assert [p.rsplit(": ", 1)[-1] for p in snippet_problems[:3]] == [
        "got an unexpected keyword argument 'strategy'"] * 2 + [
        "got an unexpected keyword argument 'path'"]
    assert snippet_problems[3].endswith("but names path (checkpoint_path)")


def test_the_citation_gives_the_package_version():
    """README's @software entry names `tan_keras.__version__` (which setup.py installs)."""
    import tan_keras  # the package's __init__ imports no Keras

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    [entry] = [b.text for b in sb.fenced_blocks(readme, "README.md")
               if b.info == "bibtex" and "@software" in b.text]
    assert re.search(r"version\s*=\s*\{([^}]*)\}", entry)[1] == tan_keras.__version__


def test_the_docs_hold_commands_and_snippets(repository_checks):
    """Guards the checks above against passing because the parser found nothing."""
    sources = {source for source, kind in repository_checks["commands"] if kind == "fenced"}
    assert "NEXT_STEPS" in sources and len(sources - {"NEXT_STEPS", CANARY}) >= 5, sources
    snippets = [s for s in repository_checks["snippets"] if s.source != CANARY]
    assert len(snippets) >= 10 and sum(s.run for s in snippets) >= 3, \
        "too few Python snippets, or none marked to run"
