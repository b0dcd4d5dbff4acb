"""The runs each table needs and the stages that make them, against lists written by hand."""

import pytest

from tan_keras import choices
from tan_keras.reproduction import plan
from tan_keras.reproduction.plan import Run, Step

BOTH = ["ucf101", "hmdb51"]
TABLES = ("1", "2", "3", "4", "5", "fig3", "fig4", "claims")
# Table 4 measures soft attention [17] once this version builds the model.
SOFT = "soft_attention" in choices.MODELS


def U(model, init, split=1):
    return Run("ucf101", split, model, init)


def H(model, init, split=1):
    return Run("hmdb51", split, model, init)


FIG3 = [U(m, "cnn") for m in ("fc_fusion", "branch_selection", "bs_l2", "two_stream", "tan")]


def table4(make, splits, best):
    """Table 4's runs of one dataset: the baselines of split 1, then Table 2's TAN runs."""
    soft = [make("soft_attention", "imagenet")] if SOFT else []
    return soft + [make("spatial_attention", "imagenet"), make("spatial_attention", "cnn")] + [
        make("tan", best, split) for split in splits]


@pytest.mark.parametrize("table, datasets, splits, expected", [
    ("1", BOTH, [1], [U("tan", "imagenet"), U("tan", "cnn"), H("tan", "imagenet"),
                      H("tan", "cnn"), H("tan", "cnn:ucf101"), H("tan", "tan:ucf101")]),
    ("1", ["ucf101"], [1], [U("tan", "imagenet"), U("tan", "cnn")]),
    # Without UCF101 there is nothing to transfer from: no cnn:ucf101 / tan:ucf101 rows.
    ("1", ["hmdb51"], [1], [H("tan", "imagenet"), H("tan", "cnn")]),
    # Table 1 is split 1 whatever Table 2's splits are.
    ("1", ["ucf101"], [1, 2, 3], [U("tan", "imagenet"), U("tan", "cnn")]),
    ("2", BOTH, [1], [U("tan", "cnn"), H("tan", "tan:ucf101")]),
    ("2", BOTH, [1, 2, 3], [U("tan", "cnn", 1), U("tan", "cnn", 2), U("tan", "cnn", 3),
                            H("tan", "tan:ucf101", 1), H("tan", "tan:ucf101", 2),
                            H("tan", "tan:ucf101", 3)]),
    ("2", ["ucf101"], [1], [U("tan", "cnn")]),
    # HMDB51 alone: its best setting without UCF101 is 'cnn'.
    ("2", ["hmdb51"], [1, 2, 3], [H("tan", "cnn", 1), H("tan", "cnn", 2), H("tan", "cnn", 3)]),
    ("5", BOTH, [1, 2, 3], [U("tan", "cnn", 1), U("tan", "cnn", 2), U("tan", "cnn", 3),
                            H("tan", "tan:ucf101", 1), H("tan", "tan:ucf101", 2),
                            H("tan", "tan:ucf101", 3)]),
    ("5", ["hmdb51"], [1], [H("tan", "cnn")]),
    # Table 3 is HMDB51's, else the first dataset's; split 1 always; both rows from the UCF101
    # model of their own when UCF101 is there (lines 464-466), else from cnn.
    ("3", BOTH, [1, 2, 3], [H("two_stream", "tan:ucf101"), H("tan", "tan:ucf101")]),
    ("3", ["ucf101"], [1], [U("two_stream", "cnn"), U("tan", "cnn")]),
    ("3", ["hmdb51"], [1], [H("two_stream", "cnn"), H("tan", "cnn")]),
    # Table 4: the baselines at split 1, TAN as Table 2's runs (their mean is its row).
    ("4", BOTH, [1, 2, 3], table4(U, [1, 2, 3], "cnn") + table4(H, [1, 2, 3], "tan:ucf101")),
    ("4", ["hmdb51"], [1], table4(H, [1], "cnn")),
    ("4", ["ucf101"], [1, 2], table4(U, [1, 2], "cnn")),
    ("fig3", BOTH, [1, 2, 3], FIG3),
    ("fig3", ["ucf101"], [1], FIG3),
    ("fig3", ["hmdb51"], [1], [Run("hmdb51", 1, r.model, "cnn") for r in FIG3]),
    ("fig4", BOTH, [1, 2, 3], [U("two_stream", "cnn"), U("tan", "cnn")]),
    ("fig4", ["ucf101"], [1], [U("two_stream", "cnn"), U("tan", "cnn")]),
    ("fig4", ["hmdb51"], [1], [H("two_stream", "cnn"), H("tan", "cnn")]),
])
def test_runs_for_each_table(table, datasets, splits, expected):
    assert plan.runs_for(table, datasets, splits) == expected


def test_runs_for_takes_splits_as_strings():
    assert plan.runs_for("2", ["ucf101"], ["2"]) == [U("tan", "cnn", 2)]


def test_runs_for_an_unknown_table():
    with pytest.raises(ValueError, match="Expected table in .*Received: table='6'"):
        plan.runs_for("6", BOTH, [1])


def test_runs_for_all_is_the_union_once_each_in_the_paper_order():
    # In TABLE_ORDER (1, 2, 3, fig3, 4, fig4, 5, claims), the runs not seen before:
    expected = [
        # Table 1: 6.
        U("tan", "imagenet"), U("tan", "cnn"), H("tan", "imagenet"), H("tan", "cnn"),
        H("tan", "cnn:ucf101"), H("tan", "tan:ucf101"),
        # Table 2: U tan cnn and H tan tan:ucf101 are Table 1's; splits 2 and 3 are new.
        U("tan", "cnn", 2), U("tan", "cnn", 3), H("tan", "tan:ucf101", 2),
        H("tan", "tan:ucf101", 3),
        # Table 3: H tan tan:ucf101 is Table 1's.
        H("two_stream", "tan:ucf101"),
        # Fig. 3: U tan cnn is Table 1's.
        U("fc_fusion", "cnn"), U("branch_selection", "cnn"), U("bs_l2", "cnn"),
        U("two_stream", "cnn"),
        # Table 4: its TANs are Table 2's.
        *table4(U, [], None), *table4(H, [], None),
        # Fig. 4 (Fig. 3's two) and Table 5 (Table 2's): nothing new. The claims: the
        # two-stream models from ImageNet, and Fig. 3's TAN tested at 25 snippets.
        U("two_stream", "imagenet"), H("two_stream", "imagenet"),
        Run("ucf101", 1, "tan", "cnn", test_snippets=25),
    ]
    got = plan.runs_for("all", BOTH, [1, 2, 3])
    assert got == expected
    union = {run for table in TABLES for run in plan.runs_for(table, BOTH, [1, 2, 3])}
    assert set(got) == union and len(got) == len(union) == 22 + 2 * SOFT
    assert plan.runs_for("claims", BOTH, [1, 2, 3]) == got


@pytest.mark.parametrize("datasets", [BOTH, ["ucf101"], ["hmdb51"]])
def test_table3_fig3_and_fig4_share_their_two_stream_and_tan_runs(datasets):
    table3 = plan.runs_for("3", datasets, [1])
    fig3 = plan.runs_for("fig3", datasets, [1])
    fig4 = plan.runs_for("fig4", datasets, [1])
    if datasets == BOTH:  # Table 3 is HMDB51's, the figures UCF101's: nothing in common, but
        # Table 3's models start from Fig. 3's.
        assert not set(table3) & set(fig3)
        assert {plan.source_run(run) for run in table3} <= set(fig3)
        assert set(fig4) <= set(fig3)
    else:  # One dataset: the same two runs in all three.
        assert set(table3) == set(fig4) and set(fig4) <= set(fig3)
    steps = plan.steps_for(table3 + fig3 + fig4)
    assert len(steps) == len(set(steps))
    assert len(plan.steps_for(plan.runs_for("all", datasets, [1]))) == len(
        set(plan.steps_for(plan.runs_for("all", datasets, [1]))))


def _pretrain(dataset, split=1):
    return [Step("pretrain_cnn", dataset, split, stream=s) for s in ("rgb", "flow")]


def _train(run):
    return Step("train_tan", run.dataset, run.split, run=run)


def _evaluate(run):
    return Step("evaluate", run.dataset, run.split, run=run)


def test_steps_for_one_run_of_each_init():
    assert plan.steps_for([U("tan", "imagenet")]) == [_train(U("tan", "imagenet")),
                                                       _evaluate(U("tan", "imagenet"))]
    assert plan.steps_for([H("tan", "cnn", 2)]) == _pretrain("hmdb51", 2) + [
        _train(H("tan", "cnn", 2)), _evaluate(H("tan", "cnn", 2))]
    # 'cnn:ucf101' needs UCF101's pretrain_cnn, not HMDB51's.
    assert plan.steps_for([H("tan", "cnn:ucf101")]) == _pretrain("ucf101") + [
        _train(H("tan", "cnn:ucf101")), _evaluate(H("tan", "cnn:ucf101"))]
    # 'tan:ucf101' needs the same model on UCF101 from cnn trained first (not evaluated).
    assert plan.steps_for([H("tan", "tan:ucf101", 3)]) == _pretrain("ucf101", 3) + [
        _train(U("tan", "cnn", 3)), _train(H("tan", "tan:ucf101", 3)),
        _evaluate(H("tan", "tan:ucf101", 3))]
    assert plan.steps_for([H("two_stream", "tan:ucf101")]) == _pretrain("ucf101") + [
        _train(U("two_stream", "cnn")), _train(H("two_stream", "tan:ucf101")),
        _evaluate(H("two_stream", "tan:ucf101"))]
    # Tested at 25 snippets: the run's own training, then an evaluate of its own.
    at25 = Run("ucf101", 1, "tan", "cnn", test_snippets=25)
    assert plan.steps_for([U("tan", "cnn"), at25]) == _pretrain("ucf101") + [
        _train(U("tan", "cnn")), _evaluate(U("tan", "cnn")), _evaluate(at25)]


def test_steps_for_all_at_split_1_hand_counted():
    # Runs of 'all', both datasets, split 1 (the test above without splits 2 and 3): 18, and 2
    # soft attention runs once built.
    # pretrain_cnn: UCF101 rgb, flow; HMDB51 rgb, flow (cnn:ucf101 and tan:ucf101 reuse
    #   UCF101's)                                                                   4
    # train_tan: one per run but the one tested at 25 snippets (the sources of the two
    #   tan:ucf101 runs are the runs U tan cnn and U two_stream cnn)                17 (+2)
    # evaluate: one per run                                                         18 (+2)
    # total                                                                         39 (+4)
    runs = plan.runs_for("all", BOTH, [1])
    assert len(runs) == 18 + 2 * SOFT
    steps = plan.steps_for(runs)
    kinds = [step.kind for step in steps]
    assert (kinds.count("pretrain_cnn"), kinds.count("train_tan"), kinds.count("evaluate")) == (
        4, 17 + 2 * SOFT, 18 + 2 * SOFT)
    assert len(steps) == len(set(steps)) == 39 + 4 * SOFT
    # One by one the tables would run 16 (T1) + 6 (T2) + 8 (T3) + 12 (fig3) + 16 (T4, +4 with
    # soft attention) + 6 (fig4) + 6 (T5) + 39 (claims, +4) stages.
    per_table = [len(plan.steps_for(plan.runs_for(t, BOTH, [1]))) for t in plan.TABLE_ORDER]
    assert per_table == [16, 6, 8, 12, 16 + 4 * SOFT, 6, 6, 39 + 4 * SOFT]


def test_steps_for_all_at_three_splits_hand_counted():
    # 22 runs (+2); pretrain_cnn: UCF101 splits 1-3 (6) + HMDB51 split 1 (2) = 8; train_tan:
    # 21 (+2; the run tested at 25 snippets shares one); evaluate 22 (+2). HMDB51's splits 2
    # and 3 start from the UCF101 TAN, a run of its own (Table 2's UCF101 row).
    steps = plan.steps_for(plan.runs_for("all", BOTH, [1, 2, 3]))
    assert len(steps) == len(set(steps)) == 8 + 21 + 22 + 4 * SOFT


@pytest.mark.parametrize("datasets, splits", [(BOTH, [1]), (BOTH, [1, 2, 3]), (["ucf101"], [1]),
                                              (["hmdb51"], [1, 2])])
def test_stages_of_all_are_the_union_of_each_tables(datasets, splits):
    all_steps = plan.steps_for(plan.runs_for("all", datasets, splits))
    union = set()
    for table in TABLES:
        union |= set(plan.steps_for(plan.runs_for(table, datasets, splits)))
    assert set(all_steps) == union
    assert len(all_steps) == len(union)


@pytest.mark.parametrize("splits", [[1], [1, 2, 3]])
def test_steps_for_all_come_after_what_they_need(splits):
    steps = plan.steps_for(plan.runs_for("all", BOTH, splits))
    position = {step: index for index, step in enumerate(steps)}
    assert len(position) == len(steps)  # each stage once
    for index, step in enumerate(steps):
        if step.kind == "pretrain_cnn":
            continue
        run = step.run
        kind, argument = run.init.partition(":")[0], run.init.partition(":")[2] or None
        if step.kind == "evaluate":
            assert position[_train(run.trained)] < index
            continue
        if kind == "cnn":
            for pretrain in _pretrain(argument or run.dataset, run.split):
                assert position[pretrain] < index, (pretrain, step)
        if kind == "tan":
            source = _train(Run(argument, run.split, run.model, "cnn"))
            assert position[source] < index, (source, step)
    # Every pretrain_cnn of a dataset/split comes before every cnn run's training of it.
    for step in steps:
        if step.kind == "train_tan" and step.run.init == "cnn":
            first = min(position[p] for p in _pretrain(step.dataset, step.split))
            assert first < position[step]


def test_best_init_and_main_dataset():
    assert plan.best_init("hmdb51", BOTH) == "tan:ucf101"
    assert plan.best_init("hmdb51", ["hmdb51"]) == "cnn"
    assert plan.best_init("ucf101", BOTH) == "cnn"
    assert plan.main_dataset("3", BOTH) == "hmdb51"
    assert plan.main_dataset("3", ["ucf101"]) == "ucf101"
    assert plan.main_dataset("fig4", BOTH) == "ucf101"
    assert plan.main_dataset("fig3", ["hmdb51"]) == "hmdb51"
    assert plan.source_run(H("tan", "tan:ucf101", 2)) == U("tan", "cnn", 2)
    assert plan.source_run(H("two_stream", "tan:ucf101")) == U("two_stream", "cnn")
    assert plan.source_run(H("tan", "cnn:ucf101")) is None


def test_describe():
    assert H("tan", "tan:ucf101", 2).describe() == "hmdb51 split 2 tan init=tan:ucf101"
    assert Step("pretrain_cnn", "ucf101", 1, stream="flow").describe() == (
        "pretrain_cnn ucf101 split 1 flow")
    assert _evaluate(U("tan", "cnn")).describe() == "evaluate ucf101 split 1 tan init=cnn"
    assert Run("ucf101", 1, "tan", "cnn", 25).describe() == (
        "ucf101 split 1 tan init=cnn tested at 25 snippets")
    assert Run("ucf101", 1, "tan", "cnn", 25).trained == U("tan", "cnn")
