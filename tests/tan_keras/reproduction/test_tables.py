"""Each table and figure from measurements written by hand: the exact markdown rows, the number
format, the notes on what could not be filled, and the figure files."""

import csv

import matplotlib.pyplot as plt
import pytest

from tan_keras import choices
from tan_keras.reproduction import paper_numbers, tables
from tan_keras.reproduction.plan import Run
from tan_keras.reproduction.runner import Measured
from tan_keras.reproduction.tables import Context

BOTH = ["ucf101", "hmdb51"]
NO_HMDB = {"hmdb51": "no records at records/hmdb51"}
NO_UCF = {"ucf101": "no records at records/ucf101"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def U(model, init, split=1):
    return Run("ucf101", split, model, init)


def H(model, init, split=1):
    return Run("hmdb51", split, model, init)


def fused(value, plus=None, **more):
    values = {"spatial": None, "temporal": None, "fused": value, "run_name": "run", **more}
    if plus is not None:
        values["fused_plus"] = plus
    return values


def three(spatial, temporal, fused_value):
    return {"spatial": spatial, "temporal": temporal, "fused": fused_value, "run_name": "run"}


def rows_of(markdown: str) -> list[str]:
    """The table's lines: header, rule and rows."""
    return [line for line in markdown.splitlines() if line.startswith("|")]


def notes_of(markdown: str) -> list[str]:
    return [line[2:] for line in markdown.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("value, text", [
    (None, "-"), (81.95, "81.95"), (88.47, "88.47"), (92.0, "92.0"), (92, "92.0"),
    (68.6, "68.6"), (100.0, "100.0"), (0.0, "0.0"), (70.25, "70.25"),
])
def test_number_keeps_the_papers_precision(value, text):
    assert tables.number(value) == text


def test_cell():
    assert tables.cell(70, 68.6) == "70.0 (68.6)"
    assert tables.cell(71.26, 81.95) == "71.3 (81.95)"
    assert tables.cell(None, 41.3) == "- (41.3)"
    assert tables.cell(None, None) == "- (-)"


# Table 1 ----------------------------------------------------------------------------------------

TABLE1_HEADER = [
    "| pre-training | HMDB51 spatial | HMDB51 temporal | HMDB51 TAN | HMDB51 TAN+ | UCF101 spatial "
    "| UCF101 temporal | UCF101 TAN | UCF101 TAN+ |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
BRANCH_NOTE = ("The paper prints no branch of Table 1; the spatial and temporal numbers of \"TAN "
               "on UCF101\" are Table 3's TAN, the same model (lines 464-466).")


def _table1_measured() -> Measured:
    # HMDB51 with MIFS (fused_plus), UCF101 without.
    return Measured(values={
        U("tan", "imagenet"): fused(80.0, spatial=70.0, temporal=75.0),
        U("tan", "cnn"): fused(91.0, spatial=85.0, temporal=88.0),
        H("tan", "imagenet"): fused(55.5, 66.0), H("tan", "cnn"): fused(70.0, 75.5),
        H("tan", "cnn:ucf101"): fused(71.3, 76.0),
        H("tan", "tan:ucf101"): fused(72.0, 77.0, spatial=50.0, temporal=61.0)})


def test_table1_both_datasets(tmp_path):
    output = tables.render("1", Context(BOTH, [1], {}, frozenset({"hmdb51:1"})),
                           _table1_measured(), tmp_path)
    assert output.title == "Table 1. TAN under each pre-training setting (split 1)"
    assert rows_of(output.markdown) == TABLE1_HEADER + [
        "| ImageNet | - (-) | - (-) | 55.5 (60.5) | 66.0 (69.0) | 70.0 (-) | 75.0 (-) "
        "| 80.0 (86.2) | - (91.8) |",
        "| CNN on target | - (-) | - (-) | 70.0 (68.6) | 75.5 (73.0) | 85.0 (-) | 88.0 (-) "
        "| 91.0 (92.0) | - (93.8) |",
        "| CNN on UCF101 | - (-) | - (-) | 71.3 (70.3) | 76.0 (73.7) | - (-) | - (-) | - (-) "
        "| - (-) |",
        "| TAN on UCF101 | 50.0 (51.4) | 61.0 (60.3) | 72.0 (70.2) | 77.0 (73.9) | - (-) "
        "| - (-) | - (-) | - (-) |",
    ]
    assert notes_of(output.markdown) == [
        "TAN+ needs MIFS scores (`mifs_scores`); none given for ucf101:1, so those TAN+ cells "
        "are empty.", BRANCH_NOTE]
    assert output.data["hmdb51/tan_ucf101"] == {"spatial": 50.0, "temporal": 61.0,
                                                "fused": 72.0, "fused_plus": 77.0,
                                                "run_name": "run"}
    assert set(output.data) == {"hmdb51/imagenet", "hmdb51/cnn", "hmdb51/cnn_ucf101",
                                "hmdb51/tan_ucf101", "ucf101/imagenet", "ucf101/cnn"}
    assert output.files == []


def test_table1_the_results_and_the_training_log_are_left_out_of_its_data(tmp_path):
    measured = _table1_measured()
    measured.values[U("tan", "cnn")]["results"] = {"fused": {"top1": 0.91}}
    measured.values[U("tan", "cnn")]["training_log"] = [{"epoch": 0.0, "loss": 1.0}]
    output = tables.render("1", Context(BOTH, [1], {}), measured, tmp_path)
    assert "results" not in output.data["ucf101/cnn"]
    assert "training_log" not in output.data["ucf101/cnn"]


def test_table1_without_hmdb51(tmp_path):
    measured = Measured(values={U("tan", "imagenet"): fused(80.0),
                                U("tan", "cnn"): fused(91.0)})
    output = tables.render("1", Context(["ucf101"], [1], NO_HMDB), measured, tmp_path)
    assert rows_of(output.markdown)[2:4] == [
        "| ImageNet | - (-) | - (-) | - (60.5) | - (69.0) | - (-) | - (-) | 80.0 (86.2) "
        "| - (91.8) |",
        "| CNN on target | - (-) | - (-) | - (68.6) | - (73.0) | - (-) | - (-) | 91.0 (92.0) "
        "| - (93.8) |"]
    assert notes_of(output.markdown) == [
        "HMDB51: no records at records/hmdb51.",
        "TAN+ needs MIFS scores (`mifs_scores`); none given for ucf101:1, so those TAN+ cells "
        "are empty.", BRANCH_NOTE]


def test_table1_without_ucf101_says_the_transfer_rows_need_it(tmp_path):
    measured = Measured(values={H("tan", "imagenet"): fused(55.0, 60.0),
                                H("tan", "cnn"): fused(65.0, 70.0)})
    output = tables.render("1", Context(["hmdb51"], [1], NO_UCF, frozenset({"hmdb51:1"})),
                           measured, tmp_path)
    assert rows_of(output.markdown)[4:] == [
        "| CNN on UCF101 | - (-) | - (-) | - (70.3) | - (73.7) | - (-) | - (-) | - (-) | - (-) |",
        "| TAN on UCF101 | - (51.4) | - (60.3) | - (70.2) | - (73.9) | - (-) | - (-) | - (-) "
        "| - (-) |"]
    assert notes_of(output.markdown)[:2] == ["UCF101: no records at records/ucf101.",
                                             "The rows pre-trained on UCF101 need UCF101 records."]


def test_table1_a_failed_run_and_one_not_run(tmp_path):
    measured = _table1_measured()
    del measured.values[H("tan", "cnn")]
    del measured.values[H("tan", "imagenet")]
    measured.failed[H("tan", "cnn")] = "pretrain_cnn hmdb51 split 1 rgb failed: Expected X"
    output = tables.render("1", Context(BOTH, [1], {}), measured, tmp_path)
    assert rows_of(output.markdown)[3].startswith(
        "| CNN on target | - (-) | - (-) | - (68.6) | - (73.0) | 85.0 (-) |")
    notes = notes_of(output.markdown)
    assert "hmdb51 split 1 tan init=imagenet: not filled: not run." in notes
    assert ("hmdb51 split 1 tan init=cnn: not filled: pretrain_cnn hmdb51 split 1 rgb "
            "failed: Expected X.") in notes
    assert "hmdb51/cnn" not in output.data


# Tables 2 and 5 ---------------------------------------------------------------------------------

def _split_measured(plus_splits=(1, 2, 3)) -> Measured:
    # HMDB51 (from the UCF101 TAN): TAN 70.0, 68.0, 69.0 (mean 69.0), TAN+ 73.0, 71.0, 72.5
    # (mean 72.1667) on `plus_splits`; spatial 50 + split, temporal 60 - split.
    # UCF101 without MIFS: TAN 90.0, 91.0, 92.5 -> mean 91.1667; spatial 80, temporal 85.
    values = {}
    for split, (u, h, plus) in enumerate([(90.0, 70.0, 73.0), (91.0, 68.0, 71.0),
                                          (92.5, 69.0, 72.5)], start=1):
        values[U("tan", "cnn", split)] = fused(u, spatial=80.0, temporal=85.0)
        values[H("tan", "tan:ucf101", split)] = fused(
            h, plus if split in plus_splits else None, spatial=50.0 + split,
            temporal=60.0 - split)
    return Measured(values=values)


MIFS_HMDB = frozenset({"hmdb51:1", "hmdb51:2", "hmdb51:3"})


def test_table2_three_splits_each_branch_and_tan_plus_where_given(tmp_path):
    output = tables.render("2", Context(BOTH, [1, 2, 3], {}, MIFS_HMDB), _split_measured(),
                           tmp_path)
    assert output.title == ("Table 2. TAN on the three splits (TAN and its branches; TAN+ where "
                            "MIFS scores are given)")
    assert rows_of(output.markdown) == [
        "| dataset | branch | split 1 | split 2 | split 3 | mean |",
        "| --- | --- | --- | --- | --- | --- |",
        "| HMDB51 | spatial | 51.0 (-) | 52.0 (-) | 53.0 (-) | 52.0 (-) |",
        "| HMDB51 | temporal | 59.0 (-) | 58.0 (-) | 57.0 (-) | 58.0 (-) |",
        "| HMDB51 | TAN | 70.0 (-) | 68.0 (-) | 69.0 (-) | 69.0 (-) |",
        "| HMDB51 | TAN+ | 73.0 (73.9) | 71.0 (71.7) | 72.5 (71.9) | 72.2 (72.5) |",
        "| UCF101 | spatial | 80.0 (-) | 80.0 (-) | 80.0 (-) | 80.0 (-) |",
        "| UCF101 | temporal | 85.0 (-) | 85.0 (-) | 85.0 (-) | 85.0 (-) |",
        "| UCF101 | TAN | 90.0 (93.8) | 91.0 (94.5) | 92.5 (94.0) | 91.2 (94.1) |",
    ]
    assert notes_of(output.markdown) == []
    assert output.data["hmdb51/split2"] == {"spatial": 52.0, "temporal": 58.0, "fused": 68.0,
                                            "fused_plus": 71.0}
    assert output.data["hmdb51/mean"]["fused_plus"] == pytest.approx((73.0 + 71.0 + 72.5) / 3)
    assert output.data["ucf101/mean"]["fused"] == pytest.approx((90.0 + 91.0 + 92.5) / 3)


def test_table2_never_mixes_tan_and_tan_plus_across_splits(tmp_path):
    # MIFS scores for HMDB51's splits 1 and 3 only: TAN+ has no mean, TAN's mean is TAN's.
    output = tables.render("2", Context(BOTH, [1, 2, 3], {}, frozenset({"hmdb51:1", "hmdb51:3"})),
                           _split_measured(plus_splits=(1, 3)), tmp_path)
    rows = rows_of(output.markdown)
    assert "| HMDB51 | TAN+ | 73.0 (73.9) | - (71.7) | 72.5 (71.9) | - (72.5) |" in rows
    assert "| HMDB51 | TAN | 70.0 (-) | 68.0 (-) | 69.0 (-) | 69.0 (-) |" in rows
    assert notes_of(output.markdown) == [
        "HMDB51 TAN+: MIFS scores for split(s) 1, 3 only; its mean is left empty rather than "
        "mixing TAN and TAN+ across splits."]
    five = tables.render("5", Context(BOTH, [1, 2, 3], {}, frozenset({"hmdb51:1", "hmdb51:3"})),
                         _split_measured(plus_splits=(1, 3)), tmp_path)
    assert "| Ours (the mean of Table 2) | 69.0 (72.5) | 91.2 (94.1) |" in five.markdown
    assert five.data["hmdb51/ours_is"] == "TAN"


def test_table2_other_splits_and_no_hmdb51(tmp_path):
    measured = Measured(values={U("tan", "cnn", 1): fused(90.0), U("tan", "cnn", 4): fused(80.0)})
    output = tables.render("2", Context(["ucf101"], [1, 4], NO_HMDB), measured, tmp_path)
    rows = rows_of(output.markdown)
    assert rows[:2] == ["| dataset | branch | split 1 | split 4 | mean |",
                        "| --- | --- | --- | --- | --- |"]
    assert "| HMDB51 | TAN | - (73.9) | - (-) | - (72.5) |" in rows
    assert "| UCF101 | TAN | 90.0 (93.8) | 80.0 (-) | 85.0 (94.1) |" in rows
    assert notes_of(output.markdown) == [
        "HMDB51: no records at records/hmdb51.",
        "TAN+ needs MIFS scores (`mifs_scores`); without them the paper's TAN+ numbers stand "
        "beside our TAN.",
        "Ours is the mean of split(s) 1, 4; the paper's of splits 1-3."]


def test_table2_hmdb51_alone_reads_its_cnn_runs_and_says_so(tmp_path):
    measured = Measured(values={H("tan", "cnn", 1): fused(60.0)})
    output = tables.render("2", Context(["hmdb51"], [1], NO_UCF), measured, tmp_path)
    assert "| HMDB51 | TAN | 60.0 (73.9) | 60.0 (72.5) |" in rows_of(output.markdown)
    assert notes_of(output.markdown)[-1] == (
        "HMDB51's runs start from its own pre-trained CNNs (init=cnn), not from the model "
        "pre-trained on UCF101 that the paper compares with (lines 464-466): there are no "
        "UCF101 records.")


def test_table5_ours_is_the_mean_of_table2(tmp_path):
    output = tables.render("5", Context(BOTH, [1, 2, 3], {}, MIFS_HMDB), _split_measured(),
                           tmp_path)
    rows = rows_of(output.markdown)
    assert rows[2] == "| MIFS [25], published | - (65.1) | - (89.1) |"
    assert rows[-1] == "| Ours (the mean of Table 2) | 72.2 (72.5) | 91.2 (94.1) |"
    assert output.data["hmdb51/ours"] == pytest.approx((73.0 + 71.0 + 72.5) / 3)
    assert output.data["hmdb51/ours_is"] == "TAN+" and output.data["ucf101/ours_is"] == "TAN"
    assert "HMDB51: Ours is TAN+, as the paper's." in notes_of(output.markdown)


def test_table5_without_hmdb51_nor_splits_2_and_3(tmp_path):
    measured = Measured(values={U("tan", "cnn", 1): fused(90.0)})
    output = tables.render("5", Context(["ucf101"], [1], NO_HMDB), measured, tmp_path)
    assert rows_of(output.markdown)[-1] == "| Ours (the mean of Table 2) | - (72.5) | 90.0 (94.1) |"
    notes = notes_of(output.markdown)
    assert "HMDB51: no records at records/hmdb51." in notes
    assert "Ours is the mean of split(s) 1; the paper's of splits 1-3." in notes


# Table 3 ----------------------------------------------------------------------------------------

TABLE3_HEADER = ["| model | spatial | temporal | fusion |", "| --- | --- | --- | --- |"]


def test_table3_hmdb51_is_the_transfer_from_ucf101(tmp_path):
    measured = Measured(values={
        H("two_stream", "tan:ucf101"): three(40.0, 45.5, 52.25) | {"run_name": "h2s"},
        H("tan", "tan:ucf101"): three(50.0, 61.0, 70.0) | {"run_name": "htan"}})
    output = tables.render("3", Context(BOTH, [1], {}), measured, tmp_path)
    assert output.title == "Table 3. Comparison with the two-stream baseline (split 1, HMDB51)"
    assert rows_of(output.markdown) == TABLE3_HEADER + [
        "| two-stream CNN + LSTM | 40.0 (46.2) | 45.5 (50.3) | 52.2 (58.4) |",
        "| TAN | 50.0 (51.4) | 61.0 (60.3) | 70.0 (70.2) |"]
    notes = notes_of(output.markdown)
    assert notes[:2] == ["two-stream CNN + LSTM: `h2s`.", "TAN: `htan`."]
    assert "init=tan:ucf101" in notes[2]
    assert output.data["tan"] == {"spatial": 50.0, "temporal": 61.0, "fused": 70.0}
    assert output.data["init"] == "tan:ucf101"


def test_table3_hmdb51_without_ucf101_falls_back_with_a_note(tmp_path):
    measured = Measured(values={H("two_stream", "cnn"): three(40.0, 45.0, 52.0),
                                H("tan", "cnn"): three(50.0, 61.0, 70.0)})
    output = tables.render("3", Context(["hmdb51"], [1], NO_UCF), measured, tmp_path)
    assert rows_of(output.markdown)[3] == "| TAN | 50.0 (51.4) | 61.0 (60.3) | 70.0 (70.2) |"
    assert output.data["init"] == "cnn"
    assert notes_of(output.markdown)[-1].startswith("HMDB51's runs start from its own "
                                                    "pre-trained CNNs (init=cnn)")


def test_table3_on_ucf101_without_hmdb51(tmp_path):
    measured = Measured(values={U("two_stream", "cnn"): three(80.0, 82.0, 88.0),
                                U("tan", "cnn"): three(81.0, 84.0, 91.0)})
    output = tables.render("3", Context(["ucf101"], [1], NO_HMDB), measured, tmp_path)
    assert output.title.endswith("(split 1, UCF101)")
    assert notes_of(output.markdown)[0] == (
        "The paper's numbers are HMDB51's; without HMDB51 records this table is UCF101's.")


def test_table3_a_failed_run(tmp_path):
    measured = Measured(values={H("tan", "tan:ucf101"): three(50.0, 61.0, 70.0)},
                        failed={H("two_stream", "tan:ucf101"): "train_tan failed: out of memory"})
    output = tables.render("3", Context(BOTH, [1], {}), measured, tmp_path)
    assert rows_of(output.markdown)[2] == (
        "| two-stream CNN + LSTM | - (46.2) | - (50.3) | - (58.4) |")
    assert notes_of(output.markdown)[0] == (
        "hmdb51 split 1 two_stream init=tan:ucf101: not filled: train_tan failed: out of memory.")


# Table 4 ----------------------------------------------------------------------------------------

SOFT = "soft_attention" in choices.MODELS


def _table4_measured(splits=(1, 2)) -> Measured:
    values = {}
    for make, best, base in ((U, "cnn", 80.0), (H, "tan:ucf101", 50.0)):
        values[make("soft_attention", "imagenet")] = three(base - 20, base - 15, base - 10)
        values[make("spatial_attention", "imagenet")] = three(base - 10, base - 5, base)
        values[make("spatial_attention", "cnn")] = three(base - 5, base, base + 5)
        for split in splits:  # TAN: fused base + 10 + split, branches base + split, +2
            values[make("tan", best, split)] = three(base + split, base + split + 2,
                                                     base + 10 + split)
    return Measured(values=values)


def test_table4_tan_is_the_mean_of_table2_and_each_branch_is_shown(tmp_path):
    output = tables.render("4", Context(BOTH, [1, 2], {}), _table4_measured(), tmp_path)
    rows = rows_of(output.markdown)
    assert rows[0] == ("| model | HMDB51 spatial | HMDB51 temporal | HMDB51 fused | UCF101 spatial "
                       "| UCF101 temporal | UCF101 fused |")
    soft = ("| Soft attention [17] | 30.0 (-) | 35.0 (-) | 40.0 (41.3) | 60.0 (-) | 65.0 (-) "
            "| 70.0 (-) |" if SOFT else
            "| Soft attention [17], published (not run here) | - (-) | - (-) | - (41.3) | - (-) "
            "| - (-) | - (-) |")
    assert rows[2:] == [
        soft,
        "| Multi-branch attention [20], published (not run here) | - (-) | - (-) | - (61.7) "
        "| - (-) | - (-) | - (90.6) |",
        "| Spatial attention (SA) | 40.0 (-) | 45.0 (-) | 50.0 (-) | 70.0 (-) | 75.0 (-) "
        "| 80.0 (81.95) |",
        "| SA + pre-train CNN | 45.0 (-) | 50.0 (-) | 55.0 (-) | 75.0 (-) | 80.0 (-) "
        "| 85.0 (88.47) |",
        # Means of splits 1 and 2: fused base + 11.5, spatial base + 1.5, temporal base + 3.5.
        "| TAN (mean of Table 2's splits, without MIFS) | 51.5 (-) | 53.5 (-) | 61.5 (68.3) "
        "| 81.5 (-) | 83.5 (-) | 91.5 (92.1) |",
        "| TAN, split 1 (Table 2's run) | 51.0 (-) | 53.0 (-) | 61.0 (70.2) | 81.0 (-) "
        "| 83.0 (-) | 91.0 (92.0) |",
    ]
    notes = notes_of(output.markdown)
    assert "TAN's mean is over split(s) 1, 2; the paper's over splits 1-3." in notes
    assert output.data["hmdb51/tan"] == {"spatial": 51.5, "temporal": 53.5, "fused": 61.5}
    assert output.data["ucf101/sa_cnn"] == {"spatial": 75.0, "temporal": 80.0, "fused": 85.0}
    not_built = ("Soft attention [17]: not built in this version of tan-keras; the paper's "
                 "number stands alone.")
    assert (not_built in notes) is not SOFT


def test_table4_without_hmdb51(tmp_path):
    measured = _table4_measured()
    measured = Measured(values={run: v for run, v in measured.values.items()
                                if run.dataset == "ucf101"})
    output = tables.render("4", Context(["ucf101"], [1, 2], NO_HMDB), measured, tmp_path)
    assert rows_of(output.markdown)[5] == (
        "| SA + pre-train CNN | - (-) | - (-) | - (-) | 75.0 (-) | 80.0 (-) | 85.0 (88.47) |")
    assert notes_of(output.markdown)[0 if SOFT else 1] == "HMDB51: no records at records/hmdb51."


# Fig. 3 -----------------------------------------------------------------------------------------

FIG3_MODELS = ("fc_fusion", "branch_selection", "bs_l2", "two_stream", "tan")


def test_fig3_has_the_papers_five_groups_each_with_its_branches(tmp_path):
    measured = Measured(values={U(m, "cnn"): three(70.0 + i, 75.0 + i, 80.0 + i)
                                for i, m in enumerate(FIG3_MODELS)})
    output = tables.render("fig3", Context(BOTH, [1], {}), measured, tmp_path)
    assert output.title == "Fig. 3. Fusion methods and TAN (split 1, UCF101)"
    assert output.markdown.startswith("![Fig. 3. Fusion methods and TAN (split 1)](fig3.png)")
    assert rows_of(output.markdown) == [
        "| method | spatial | temporal | fusion |", "| --- | --- | --- | --- |",
        "| FC fusion | 70.0 (-) | 75.0 (-) | 80.0 (81.4) |",
        "| branch selection | 71.0 (-) | 76.0 (-) | 81.0 (80.0) |",
        "| BS + L2 | 72.0 (80.3) | 77.0 (80.7) | 82.0 (83.9) |",
        "| average late fusion | 73.0 (80.5) | 78.0 (82.8) | 83.0 (90.2) |",
        "| TAN | 74.0 (83.4) | 79.0 (81.7) | 84.0 (92.0) |"]
    assert list(output.data) == list(FIG3_MODELS)
    assert output.files == ["fig3.png"] and (tmp_path / "fig3.png").stat().st_size > 0


def test_fig3_a_failed_run_is_drawn_empty_and_noted(tmp_path):
    measured = Measured(values={U(m, "cnn"): three(70.0, 75.0, 80.0)
                                for m in FIG3_MODELS if m != "bs_l2"},
                        failed={U("bs_l2", "cnn"): "train_tan failed: boom"})
    output = tables.render("fig3", Context(BOTH, [1], {}), measured, tmp_path)
    assert "| BS + L2 | - (80.3) | - (80.7) | - (83.9) |" in rows_of(output.markdown)
    assert notes_of(output.markdown)[0] == (
        "ucf101 split 1 bs_l2 init=cnn: not filled: train_tan failed: boom.")
    assert output.data["bs_l2"] == {"spatial": None, "temporal": None, "fused": None}


def test_fig3_on_hmdb51_without_ucf101(tmp_path):
    measured = Measured(values={H(m, "cnn"): three(50.0, 55.0, 60.0) for m in FIG3_MODELS})
    output = tables.render("fig3", Context(["hmdb51"], [1], NO_UCF), measured, tmp_path)
    assert output.title.endswith("(split 1, HMDB51)")
    assert "| TAN | 50.0 (83.4) | 55.0 (81.7) | 60.0 (92.0) |" in rows_of(output.markdown)


# Fig. 4 -----------------------------------------------------------------------------------------

CLASSES = ["Archery", "Lunges", "Nunchucks"]


def _fig4_measured() -> Measured:
    # two-stream 100 / 50 / 25 %, TAN 50 / 100 / 75 %: Lunges +50 and Nunchucks +50 (a tie, by
    # name), Archery -50.
    def results(per_class):
        return {"classes": CLASSES, "fused": {"top1": 0.5, "per_class": per_class}}

    return Measured(values={
        U("two_stream", "cnn"): {**three(1.0, 2.0, 50.0), "results": results([1.0, 0.5, 0.25])},
        U("tan", "cnn"): {**three(1.0, 2.0, 70.0), "results": results([0.5, 1.0, 0.75])}})


def test_fig4_draws_and_writes_the_csv(tmp_path):
    output = tables.render("fig4", Context(BOTH, [1], {}), _fig4_measured(), tmp_path)
    assert output.title == "Fig. 4. Class-level change from two-stream to TAN (split 1, UCF101)"
    assert output.files == ["fig4.png", "fig4.csv"]
    assert (tmp_path / "fig4.png").stat().st_size > 0
    with (tmp_path / "fig4.csv").open(newline="") as stream:
        assert list(csv.reader(stream)) == [
            ["class", "two_stream", "tan", "improvement", "paper_two_stream", "paper_tan"],
            ["Lunges", "50.00", "100.00", "50.00", "59.40", "81.00"],
            ["Nunchucks", "25.00", "75.00", "50.00", "28.50", "71.00"],
            ["Archery", "100.00", "50.00", "-50.00", "", ""]]
    assert output.markdown.startswith("![Fig. 4: per-class accuracy, two-stream vs TAN](fig4.png)")
    assert "[fig4.csv](fig4.csv)" in output.markdown
    assert "| Lunges | 50.0 -> 100.0 (+50.0) | 59.4 -> 81.0 (+21.6) |" in output.markdown
    assert "Not drawn" not in output.markdown
    assert [row["name"] for row in output.data["classes"]] == ["Lunges", "Nunchucks", "Archery"]


def test_fig4_not_drawn_when_a_run_failed(tmp_path):
    measured = _fig4_measured()
    del measured.values[U("tan", "cnn")]
    measured.failed[U("tan", "cnn")] = "train_tan ucf101 split 1 tan init=cnn failed: boom"
    output = tables.render("fig4", Context(BOTH, [1], {}), measured, tmp_path)
    assert output.markdown == (
        "Not drawn.\n\n- ucf101 split 1 tan init=cnn: not filled: train_tan ucf101 split 1 "
        "tan init=cnn failed: boom.\n")
    assert output.files == [] and output.data == {}
    assert not (tmp_path / "fig4.png").exists() and not (tmp_path / "fig4.csv").exists()


def test_fig4_on_hmdb51_without_ucf101(tmp_path):
    old = _fig4_measured()
    measured = Measured(values={Run("hmdb51", 1, run.model, run.init): values
                                for run, values in old.values.items()})
    output = tables.render("fig4", Context(["hmdb51"], [1], NO_UCF), measured, tmp_path)
    assert output.title.endswith("(split 1, HMDB51)")
    assert notes_of(output.markdown)[-1] == (
        "The paper's numbers are UCF101's; without UCF101 records this figure is HMDB51's.")
    assert (tmp_path / "fig4.csv").is_file()


def test_every_table_has_a_title_and_a_file_name():
    assert set(tables.RENDERERS) == set(tables.TITLES) == set(tables.FILE_NAMES)
    assert paper_numbers.TABLE5_OURS == {"hmdb51": 72.5, "ucf101": 94.1}
