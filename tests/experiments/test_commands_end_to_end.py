"""The commands as a user types them, in subprocesses, on real clips, with tiny settings.

Part 1, the stages by hand on the six real UCF101 clips: tan-build-records -> pretrain_cnn (rgb,
flow) -> train_tan --init=cnn -> evaluate (no --run_name) -> fuse_scores; then the build and
evaluate again, which skip the finished work.

Part 2, the paper's Section 3 on the same workspace: HMDB51 records that `tan-build-records
--dataset=hmdb51` builds from the one real HMDB51 clip and the six UCF101 clips laid out as
HMDB51 classes (tests/helpers/real_records.py, `HMDB_LAYOUT`); then `reproduce --table=1`, 2, 3,
4, fig3, fig4 and claims one after the other (Table 1 reuses the stages of part 1; the ledger
of the text's claims trains what only it needs: the two-stream models from ImageNet and the
25-snippet test), a table named alone with a split the records lack (one error line), and
`--table=all --splits=1,2`, which must train no stage again, says in its report why split 2
stays empty, and writes Table 5 (which trains nothing of its own: Table 2's runs). The figures,
the corrected rows (Table 3's and Table 4's TAN, Fig. 3's five groups, each branch) and the
ledger's verdicts are checked against the runs' own results.json and scores.npz, read here
independently. Every TAN
is trained with a user's attention subclass from a module outside the packages
(`--attention_layer=user_attention:ScaledAttention` on train_tan and reproduce), which evaluate,
fuse_scores and the tables then build from the runs' records. The accuracies of a tiny run mean
nothing. One module, so that both parts share one records build and one workspace.
"""

import csv
import json
import re
import subprocess

import numpy as np
import pytest

from tests.helpers.commands import (EAGER, TINY_MODEL, TINY_TRAINING, console_script,
                                    output_of, problem_lines, python_module)
from tests.helpers.paths import REPO_ROOT
from tests.helpers.real_records import USER_ATTENTION, write_hmdb51_layout, write_ucf101_splits

pytestmark = pytest.mark.slow  # an end-to-end run: python -m pytest -m 'not slow' skips it

RUN = "ucf101_split1_tan_cnn"
# The second pass reruns the build and evaluate: the training stages skip by the same code
# (tests/tan_keras/training/test_stages.py runs it), and part 2 reruns every stage kind on a
# finished workspace (`--table=all`, which must train nothing again).
SECOND_PASS_LEFT_OUT = ("experiments.pretrain_cnn", "experiments.train_tan",
                        "experiments.fuse_scores")
PART1_STAGES = 4  # pretrain_cnn rgb and flow, train_tan --init=cnn, evaluate


def _commands(shared_data, root):
    records, workspace = root / "records" / "ucf101", root / "ws"
    common = [f"--records_dir={records}", f"--workspace={workspace}"]
    return [
        ("tan-build-records", [
            "--dataset=ucf101", f"--video_dir={shared_data / 'videos' / 'ucf101'}",
            f"--splits_dir={root / 'splits'}", f"--output_dir={records}", "--positions=3",
            "--frame_size=80x60", "--num_workers=2", "--noprogress"]),
        ("experiments.pretrain_cnn", [*common, "--stream=rgb", *TINY_TRAINING, *EAGER]),
        ("experiments.pretrain_cnn", [*common, "--stream=flow", *TINY_TRAINING, *EAGER]),
        ("experiments.train_tan", [*common, "--init=cnn", *TINY_MODEL, *TINY_TRAINING, *EAGER,
                                   f"--attention_layer={USER_ATTENTION}"]),
        ("experiments.evaluate", [*common, "--init=cnn"]),  # train_tan's flags, no --run_name
        ("experiments.fuse_scores", [*common, "--init=cnn", f"--scores={root / 'external.npz'}",
                                     "--weights=1,0.5", "--name=tan+external"]),
    ]


def _run(command, flags):
    if command.startswith("experiments."):
        return python_module(command, *flags)
    return console_script(command, *flags)


def _write_external_scores(root, records):
    """Scores from 'another pipeline' (like MIFS for TAN+), in the score-file format."""
    manifest = json.loads((records / "manifest.json").read_text())
    videos = manifest["splits"]["1"]["test"]
    rng = np.random.default_rng(0)
    np.savez(root / "external.npz", video_ids=np.array(videos),
             labels=np.array([manifest["videos"][v]["label"] for v in videos]),
             classes=np.array(manifest["classes"]),
             scores=rng.dirichlet(np.ones(len(manifest["classes"])), len(videos)))


@pytest.fixture(scope="module")
def session(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("commands")
    write_ucf101_splits(root / "splits")
    outputs = {"first": [], "second": []}
    stderr = {}  # (run, command) -> stderr (of the last, for a command run twice)
    for run in outputs:
        for command, flags in _commands(shared_data, root):
            if run == "second" and command in SECOND_PASS_LEFT_OUT:
                continue
            if command == "experiments.fuse_scores" and run == "first":
                _write_external_scores(root, root / "records" / "ucf101")
            result = _run(command, flags)
            assert result.returncode == 0, f"{command} {' '.join(flags)}\n{output_of(result)}"
            outputs[run].append((command, result.stdout))
            stderr[run, command] = result.stderr
    outputs["stderr"] = stderr
    return root, outputs


def test_every_stage_wrote_its_outputs(session):
    root, _ = session
    workspace = root / "ws"
    manifest = json.loads((root / "records" / "ucf101" / "manifest.json").read_text())
    assert manifest["counts"]["videos"] == 6 and manifest["counts"]["failed"] == 0
    for stream in ("rgb", "flow"):
        assert (workspace / "pretrain_cnn" / f"ucf101_split1_{stream}" /
                "backbone.weights.h5").is_file()
    assert (workspace / "train_tan" / RUN / "final.weights.h5").is_file()
    results = json.loads((workspace / "evaluate" / RUN / "results.json").read_text())
    assert results["run"]["run_name"] == RUN and results["num_videos"] == 3


def test_evaluate_found_the_run_that_train_tan_made(session):
    _, outputs = session
    evaluate = dict(outputs["first"])["experiments.evaluate"]
    assert f"evaluate: the train_tan run is {RUN}." in evaluate


def test_evaluate_shows_its_progress_bar_and_none_when_skipped(session):
    _, outputs = session
    first, second = (outputs["stderr"][run, "experiments.evaluate"] for run in ("first", "second"))
    assert f"evaluate {RUN}:" in first and "3/3" in first and "video/s" not in second, first


def test_fuse_scores_is_the_weighted_sum_of_the_evaluated_and_the_external_scores(session):
    root, _ = session
    evaluated = np.load(root / "ws" / "evaluate" / RUN / "scores.npz")
    external = np.load(root / "external.npz")
    fused = np.load(root / "ws" / "fuse_scores" / "tan+external" / "scores.npz")
    order = [list(external["video_ids"]).index(v) for v in evaluated["video_ids"]]
    expected = evaluated["fused"] + 0.5 * external["scores"][order]
    rows = [list(evaluated["video_ids"]).index(v) for v in fused["video_ids"]]
    np.testing.assert_allclose(fused["fused"], expected[rows], rtol=1e-5)
    results = json.loads((root / "ws" / "fuse_scores" / "tan+external" /
                          "results.json").read_text())
    labels = evaluated["labels"][rows]
    assert results["top1"] == pytest.approx(np.mean(expected[rows].argmax(1) == labels))


def test_the_second_pass_skips_every_finished_stage(session):
    _, outputs = session
    second = outputs["second"]
    build, stages = second[0][1], second[1:]
    assert [command for command, _ in stages] == ["experiments.evaluate"]
    assert "Built 6 video records" in build
    assert "This run:" not in build  # nothing was computed again
    for command, stdout in stages:
        assert "is done; skipping." in stdout, (command, stdout[-2000:])
    assert "Epoch 1/1" not in "".join(stdout for _, stdout in second)


# ---- Part 2: the paper's tables and figures on the same workspace ----------------------

TABLES = ("1", "2", "3", "4", "fig3", "fig4", "claims")  # Table 5: from --table=all's files
STAGE_FOLDERS = ("pretrain_cnn", "train_tan", "evaluate")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UCF_TAN, HMDB_TAN = RUN, "hmdb51_split1_tan_cnn"
HMDB_BEST = "hmdb51_split1_tan_tan-ucf101_split1_tan_cnn"  # Table 2's HMDB51 run
HMDB_TWO_STREAM = "hmdb51_split1_two_stream_tan-ucf101_split1_two_stream_cnn"  # Table 3's


def _reproduce(records, workspace, *flags):
    return python_module("experiments.reproduce", f"--records_dir={records}",
                         f"--workspace={workspace}", *TINY_MODEL, *TINY_TRAINING, *EAGER,
                         f"--attention_layer={USER_ATTENTION}", *flags)


def _stage_stamps(workspace) -> dict:
    """{stage folder: its done.json's modification time} of every finished stage."""
    return {str(done.parent.relative_to(workspace)): done.stat().st_mtime_ns
            for folder in STAGE_FOLDERS for done in (workspace / folder).glob("*/done.json")}


@pytest.fixture(scope="module")
def reproduced(session, shared_data):
    """Part 2 on part 1's workspace and records folder, with HMDB51 records added."""
    root, _ = session
    records, workspace = root / "records", root / "ws"
    part1 = _stage_stamps(workspace)
    videos, splits = write_hmdb51_layout(shared_data, root / "hmdb51_clips")
    build = console_script("tan-build-records", "--dataset=hmdb51", f"--video_dir={videos}",
                           f"--splits_dir={splits}", f"--output_dir={records / 'hmdb51'}",
                           "--positions=3", "--frame_size=80x60", "--noprogress")
    assert build.returncode == 0, output_of(build)
    out = {"tables": {}}
    for table in TABLES:
        result = _reproduce(records, workspace, f"--table={table}")
        assert result.returncode == 0, f"--table={table}\n{output_of(result)}"
        out["tables"][table] = result.stdout
    out["stamps"] = _stage_stamps(workspace)
    out["named_missing_split"] = _reproduce(records, workspace, "--table=2", "--splits=1,2")
    every = _reproduce(records, workspace, "--table=all", "--splits=1,2")
    assert every.returncode == 0, output_of(every)
    out["all"] = every.stdout
    out["stamps_after_all"] = _stage_stamps(workspace)
    return {"records": records, "workspace": workspace, "part1": part1, **out}


def _results(reproduced, run_name) -> dict:
    return json.loads((reproduced["workspace"] / "evaluate" / run_name /
                       "results.json").read_text())


def _top1(reproduced, run_name, stream="fused") -> str:
    return f"{100 * _results(reproduced, run_name)[stream]['top1']:.1f}"


def _stage_counts(stdout) -> tuple[int, int]:
    """(stages in the plan, stages run now) from reproduce's last progress line."""
    found = re.search(r"reproduce: (\d+) stages: (\d+) run now", stdout)
    assert found, stdout[-3000:]
    return int(found.group(1)), int(found.group(2))


def _branches(reproduced, run_name) -> list[str]:
    return [_top1(reproduced, run_name, stream) for stream in ("spatial", "temporal", "fused")]


def test_table1_reuses_part1s_stages_and_adds_both_datasets_and_the_transfer_rows(reproduced):
    lines = reproduced["tables"]["1"].splitlines()
    assert ("| pre-training | HMDB51 spatial | HMDB51 temporal | HMDB51 TAN | HMDB51 TAN+ | "
            "UCF101 spatial | UCF101 temporal | UCF101 TAN | UCF101 TAN+ |") in lines
    h, u = _branches(reproduced, HMDB_TAN), _branches(reproduced, UCF_TAN)
    assert (f"| CNN on target | {h[0]} (-) | {h[1]} (-) | {h[2]} (68.6) | - (73.0) | "
            f"{u[0]} (-) | {u[1]} (-) | {u[2]} (92.0) | - (93.8) |") in lines
    best = _branches(reproduced, HMDB_BEST)
    assert (f"| TAN on UCF101 | {best[0]} (51.4) | {best[1]} (60.3) | {best[2]} (70.2) | "
            "- (73.9) | - (-) | - (-) | - (-) | - (-) |") in lines
    assert "- TAN+ needs MIFS scores (`mifs_scores`); none given for ucf101:1, hmdb51:1, so those " \
           "TAN+ cells are empty." in lines


def test_every_tan_of_the_tables_has_the_users_attention_layer(reproduced):
    # TAN's runs, the transfer from the UCF101 TAN included, were trained with the user's
    # subclass (reproduce --attention_layer; part 1's train_tan too, which Table 1 reuses); the
    # baselines take no attention layer.
    for run_name in (UCF_TAN, HMDB_TAN, HMDB_BEST):
        run = _results(reproduced, run_name)["run"]
        assert run["model"] == "tan" and run["attention_layer"] == USER_ATTENTION, run_name
    assert "attention_layer" not in _results(reproduced, "ucf101_split1_fc_fusion_cnn")["run"]


def test_table2_uses_the_best_setting_of_table1(reproduced):
    lines = reproduced["tables"]["2"].splitlines()
    hmdb, ucf = _branches(reproduced, HMDB_BEST), _branches(reproduced, UCF_TAN)
    assert "| dataset | branch | split 1 | mean |" in lines
    assert f"| HMDB51 | spatial | {hmdb[0]} (-) | {hmdb[0]} (-) |" in lines
    assert f"| HMDB51 | temporal | {hmdb[1]} (-) | {hmdb[1]} (-) |" in lines
    assert f"| HMDB51 | TAN | {hmdb[2]} (73.9) | {hmdb[2]} (72.5) |" in lines
    assert f"| UCF101 | TAN | {ucf[2]} (93.8) | {ucf[2]} (94.1) |" in lines


def test_table3_is_hmdb51_two_stream_against_tan_both_from_their_ucf101_models(reproduced):
    lines = reproduced["tables"]["3"].splitlines()
    cells = _branches(reproduced, HMDB_TWO_STREAM)
    assert (f"| two-stream CNN + LSTM | {cells[0]} (46.2) | {cells[1]} (50.3) | "
            f"{cells[2]} (58.4) |") in lines
    tan = _branches(reproduced, HMDB_BEST)  # Table 1's "TAN on UCF101", as the paper's 70.2
    assert f"| TAN | {tan[0]} (51.4) | {tan[1]} (60.3) | {tan[2]} (70.2) |" in lines
    assert f"- TAN: `{HMDB_BEST}`." in lines
    source = _results(reproduced, HMDB_TWO_STREAM)["run"]["init"]
    assert source.startswith("tan:") and source.endswith("ucf101_split1_two_stream_cnn")


def _row(reproduced, names, papers) -> str:
    """A Table 4 row's cells: each run's spatial, temporal and fused, the paper's beside fused."""
    cells = []
    for name, paper in zip(names, papers):
        spatial, temporal, fused = _branches(reproduced, name)
        cells += [f"{spatial} (-)", f"{temporal} (-)", f"{fused} ({paper})"]
    return " | ".join(cells)


def test_table4_runs_the_attention_baselines_and_tan_is_table2s(reproduced):
    lines = reproduced["tables"]["4"].splitlines()
    runs = {key: [f"{d}_split1_{key}" for d in ("hmdb51", "ucf101")]
            for key in ("spatial_attention_imagenet", "spatial_attention_cnn",
                        "soft_attention_imagenet")}
    assert (f"| Spatial attention (SA) | "
            f"{_row(reproduced, runs['spatial_attention_imagenet'], ['-', '81.95'])} |") in lines
    assert (f"| SA + pre-train CNN | "
            f"{_row(reproduced, runs['spatial_attention_cnn'], ['-', '88.47'])} |") in lines
    assert (f"| Soft attention [17] | "
            f"{_row(reproduced, runs['soft_attention_imagenet'], ['41.3', '-'])} |") in lines
    # TAN: Table 2's runs (one split here, so their mean is split 1's), not Table 1's from cnn.
    assert (f"| TAN (mean of Table 2's splits, without MIFS) | "
            f"{_row(reproduced, [HMDB_BEST, UCF_TAN], ['68.3', '92.1'])} |") in lines
    assert f"- TAN: `{UCF_TAN}`, `{HMDB_BEST}`." in lines


def test_table5_puts_the_mean_of_table2_among_the_published_rows(reproduced):
    lines = (reproduced["workspace"] / "tables" / "table5.md").read_text().splitlines()
    assert "| TSN (Inception-BN) [23], published | - (69.4) | - (94.2) |" in lines
    hmdb, ucf = _top1(reproduced, HMDB_BEST), _top1(reproduced, UCF_TAN)
    assert f"| Ours (the mean of Table 2) | {hmdb} (72.5) | {ucf} (94.1) |" in lines
    assert "- HMDB51: Ours is TAN without MIFS (the paper's is TAN+; MIFS scores are not given " \
           "for every split)." in lines


def test_fig3_draws_the_papers_five_groups_each_with_its_branches(reproduced):
    tables = reproduced["workspace"] / "tables"
    assert (tables / "fig3.png").read_bytes().startswith(PNG_SIGNATURE)
    stored = json.loads((tables / "fig3.json").read_text())["measured"]
    assert list(stored) == ["fc_fusion", "branch_selection", "bs_l2", "two_stream", "tan"]
    fc = _results(reproduced, "ucf101_split1_fc_fusion_cnn")
    for stream in ("spatial", "temporal", "fused"):
        assert stored["fc_fusion"][stream] == pytest.approx(100 * fc[stream]["top1"], abs=0.01)
    lines = reproduced["tables"]["fig3"].splitlines()
    tan = _branches(reproduced, UCF_TAN)
    assert f"| TAN | {tan[0]} (83.4) | {tan[1]} (81.7) | {tan[2]} (92.0) |" in lines


def test_fig4_per_class_accuracies_agree_with_the_score_files(reproduced):
    """fig4.csv against accuracies recomputed here from the two runs' scores.npz."""
    tables, evaluated = reproduced["workspace"] / "tables", reproduced["workspace"] / "evaluate"
    assert (tables / "fig4.png").read_bytes().startswith(PNG_SIGNATURE)
    accuracy = {}
    for model in ("two_stream", "tan"):
        with np.load(evaluated / f"ucf101_split1_{model}_cnn" / "scores.npz") as scores:
            correct = scores["fused"].argmax(1) == scores["labels"]
            accuracy[model] = {str(scores["classes"][c]): 100 * correct[scores["labels"] == c].mean()
                               for c in np.unique(scores["labels"])}
    with open(tables / "fig4.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["class"] for row in rows) == sorted(accuracy["tan"])
    for row in rows:
        assert float(row["two_stream"]) == pytest.approx(accuracy["two_stream"][row["class"]], abs=0.01)
        assert float(row["tan"]) == pytest.approx(accuracy["tan"][row["class"]], abs=0.01)
    gains = [float(row["improvement"]) for row in rows]
    assert gains == sorted(gains, reverse=True)


def test_each_table_shows_which_stage_of_how_many_and_the_time_left(reproduced):
    first = reproduced["tables"]["1"]
    planned, run_now = _stage_counts(first)
    assert f"reproduce: stage 1 of {planned}, train_tan ucf101 split 1 tan init=imagenet (" \
        in first
    assert f"stage 3 of {planned}, pretrain_cnn ucf101 split 1 rgb: done before; reading it." \
        in first  # part 1 ran it by hand
    assert "the estimate comes after the first stage" in first
    assert re.search(rf"stage {planned} of {planned}, evaluate .*; about \d+ s left\)", first)
    assert run_now == planned - PART1_STAGES


def test_tables_share_their_stages_and_all_trains_none_again(reproduced):
    run_now = [_stage_counts(stdout)[1] for stdout in reproduced["tables"].values()]
    planned_all, run_by_all = _stage_counts(reproduced["all"])
    # Part 1 ran 4 of the stages by hand; the tables, one by one, ran each other stage of 'all'
    # exactly once between them, and left part 1's as they were.
    assert len(reproduced["part1"]) == PART1_STAGES
    assert PART1_STAGES + sum(run_now) == planned_all == len(reproduced["stamps"])
    assert all(reproduced["stamps"][stage] == stamp
               for stage, stamp in reproduced["part1"].items())
    assert run_by_all == 0 and reproduced["stamps_after_all"] == reproduced["stamps"]
    assert "Epoch 1/1" not in reproduced["all"]


def test_a_table_named_alone_refuses_a_split_the_records_lack(reproduced):
    result = reproduced["named_missing_split"]
    assert result.returncode == 2, output_of(result)
    problem = problem_lines(result.stderr)
    assert len(problem) == 1 and problem[0].startswith("error: "), result.stderr[-2000:]
    assert "manifest.json" in problem[0] and "split=2" in problem[0], problem


def test_all_says_what_it_could_not_fill_and_why(reproduced):
    report = (reproduced["workspace"] / "tables" / "report.md").read_text()
    assert re.search(r"ucf101 split 2 tan init=cnn: not filled: .*split=2", report), report
    ucf = _top1(reproduced, RUN)
    assert "| dataset | branch | split 1 | split 2 | mean |" in report
    assert f"| UCF101 | TAN | {ucf} (93.8) | - (94.5) | {ucf} (94.1) |" in report
    assert "Ours is the mean of split(s) 1, 2; the paper's of splits 1-3." in report


def test_the_report_holds_section_3_with_the_settings_and_the_commit(reproduced):
    tables = reproduced["workspace"] / "tables"
    report = (tables / "report.md").read_text()
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert headings == ["## The run", "## 3.3 Pre-training", "## 3.4 Evaluation of TAN",
                        "## 3.5 Comparison with the state of the art",
                        "## The claims of Section 3's text"]
    for title in ("### Table 1.", "### Table 2.", "### Table 3.", "### Table 4.", "### Table 5.",
                  "### Fig. 3.", "### Fig. 4.", "### The claims of Section 3's text, checked"):
        assert title in report, title
    assert "![Fig. 3." in report and "(fig3.png)" in report and "(fig4.png)" in report
    assert "backbone=tiny" in report and "image_size=32" in report
    assert "HMDB51 at " in report and "4 classes" in report
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                          text=True)
    if head.returncode == 0:  # a checkout; an unpacked source tree has no commit to name
        assert f"at commit {head.stdout.strip()[:12]}" in report
    assert "python -m experiments.reproduce --records_dir=" in report
    assert f"wrote {tables / 'report.md'}" in reproduced["all"]


# ---- The claims ledger ----------------------------------------------------------------------

def _verdicts(stdout) -> dict:
    """{lines: verdict} of the ledger's rows as `reproduce --table=claims` printed them."""
    rows = [line.split(" | ") for line in stdout.splitlines()
            if line.startswith("| ") and not line.startswith(("| lines", "| ---"))]
    return {row[0][2:]: row[-1].rstrip(" |") for row in rows}


def test_the_claims_ledger_verdicts_agree_with_the_runs_results(reproduced):
    verdicts = _verdicts(reproduced["tables"]["claims"])
    top1 = {name: float(_top1(reproduced, name)) for name in (
        UCF_TAN, HMDB_BEST, HMDB_TWO_STREAM, "ucf101_split1_two_stream_cnn",
        "ucf101_split1_two_stream_imagenet", "ucf101_split1_tan_imagenet",
        "hmdb51_split1_two_stream_imagenet", "hmdb51_split1_tan_imagenet")}

    def verdict(holds):
        return "holds" if holds else "does not hold"

    # Table 3: TAN against average fusion on HMDB51, both from their UCF101 models (440-441).
    assert verdicts["440-441, 482-483"] == verdict(top1[HMDB_BEST] > top1[HMDB_TWO_STREAM])
    assert verdicts["438-439, 481-482"] == verdict(
        top1[UCF_TAN] > top1["ucf101_split1_two_stream_cnn"])
    # Without pre-training, TAN below the two-stream model on both datasets (445-446).
    assert verdicts["445-446"] == verdict(all(
        top1[f"{d}_split1_tan_imagenet"] < top1[f"{d}_split1_two_stream_imagenet"]
        for d in ("ucf101", "hmdb51")))
    # 5 snippets against 25 (302-305): the 25-snippet test is a stage of its own.
    at25 = json.loads((reproduced["workspace"] / "evaluate" / f"{UCF_TAN}_test25" /
                       "results.json").read_text())
    assert at25["run"]["test_snippets"] == 25 and at25["run"]["run_name"] == UCF_TAN
    assert verdicts["302-305"] == verdict(100 * at25["fused"]["top1"] - top1[UCF_TAN] <= 1.0)
    # Slightly worse than TSN's 94.2 on UCF101 (568-569): a tiny run's 3 test videos score 0,
    # 33.3, 66.7 or 100, never in [93.2, 94.2), so this claim does not hold here.
    assert not 93.2 <= top1[UCF_TAN] < 94.2 and verdicts["568-569"] == "does not hold"
    # The claims no measure exists for, and Table 2's split 2, which the records lack.
    assert verdicts["523-524"].startswith("not measured:")
    assert verdicts["517-519"].startswith("not measured: needs HMDB51's split 1")
    json_rows = json.loads((reproduced["workspace"] / "tables" / "claims.json").read_text())
    assert {row["lines"]: row["verdict"] for row in json_rows["measured"]["claims"]} == verdicts
    report = (reproduced["workspace"] / "tables" / "report.md").read_text()
    assert "| 445-446 | Without pre-training, TAN gets lower accuracies than the two-stream " \
           "framework |" in report
