"""The ledger of Section 3's claims: each claim of the paper's text, its number, ours, a verdict.

`ledger(context, measured)` gives one `ClaimRow` a claim (`CLAIMS`, in the order of the paper's
lines): the paper's lines, what it says, the paper's number, ours, and the verdict on this run:
"holds", "does not hold", or "not measured: <why>". A verdict reads only the runs' figures
(`runner.Measured`: results.json's top-1 and the train_tan stage's train.csv), the same the
tables print, so the ledger and the tables always agree. How each claim is measured, and the
thresholds of "slightly" and "similar", are in docs/reproducing.md ("The claims ledger").

Line numbers are those of the paper's text (tan_icme2018.txt), as docs/paper_readings.md cites.
"""

import dataclasses
from typing import Callable

from tan_keras.reproduction import paper_numbers
from tan_keras.reproduction.plan import (PAPER_TEST_SNIPPETS, Run, best_init, main_dataset,
                                         table4_models)

HOLDS, DOES_NOT_HOLD = "holds", "does not hold"
SLIGHT_POINTS = 1.0  # "only slightly" (lines 304-305) and "slightly worse" (569): at most 1 point
SIMILAR_POINTS = 1.0  # "similar performance" (463): within 1 point (the paper's pair: 0.1)
PUBLISHED = {title.split(" [")[0]: values for title, values in paper_numbers.TABLE5_PUBLISHED}


@dataclasses.dataclass(frozen=True)
class ClaimRow:
    """One row of the ledger (all text, as report.md and claims.json show it)."""

    key: str
    lines: str
    says: str
    paper: str
    ours: str
    verdict: str


class Unmeasured(Exception):
    """A figure a claim needs is not there; the message says why (the ledger's "not measured")."""


class Facts:
    """The measured figures a claim reads, each by the run that made it.

    Every getter raises `Unmeasured` (with the reason the tables give) when its run has no
    result, so a claim states its arithmetic alone.
    """

    def __init__(self, context, measured):
        self.context, self.measured = context, measured

    def values(self, run: Run) -> dict:
        if run.dataset in self.context.absent:
            raise Unmeasured(f"{run.dataset.upper()}: {self.context.absent[run.dataset]}")
        if run.dataset not in self.context.datasets:
            raise Unmeasured(f"no {run.dataset.upper()} records")
        got = self.measured.get(run)
        if got is None:
            reason = str(self.measured.failed.get(run, "not run")).rstrip(".")
            raise Unmeasured(f"{run.describe()} has no result ({reason})")
        return got

    def top1(self, run: Run, key: str = "fused") -> float:
        value = self.values(run).get(key)
        if value is None:
            raise Unmeasured(f"{run.describe()} has no {key} figure")
        return float(value)

    def training_curve(self, run: Run, column: str) -> list[float]:
        """`column` of the run's train.csv, one value an epoch."""
        log = self.values(run).get("training_log") or []
        curve = [row[column] for row in log if column in row]
        if not curve:
            raise Unmeasured(f"{run.describe()} has no {column} in its logs/train.csv")
        return curve

    def best(self, dataset: str) -> str:
        self.require(dataset)
        return best_init(dataset, self.context.datasets)

    def require(self, *datasets) -> None:
        for dataset in datasets:
            if dataset not in self.context.datasets:
                why = self.context.absent.get(dataset, "not among the datasets run")
                raise Unmeasured(f"{dataset.upper()}: {why}")

    def split_mean(self, dataset: str, key: str = "fused") -> float:
        """Table 2's (and Table 4's TAN row's) mean over the splits measured of `key` (TAN
        without MIFS, or a branch): `tables.split_values`, so the ledger reads what the tables
        print."""
        from tan_keras.reproduction import tables

        self.best(dataset)
        notes = tables.Notes(self.context, self.measured)
        value = tables.split_values(self.context, self.measured, notes, dataset)[key][1]
        if value is None:
            raise Unmeasured(f"no run of Table 2 on {dataset.upper()} has a result")
        return value

    def table5_ours(self, dataset: str) -> float:
        """Table 5's "Ours" (`tables.table5_ours`): the TAN+ mean when every split has TAN+,
        else the TAN mean."""
        from tan_keras.reproduction import tables

        self.best(dataset)
        notes = tables.Notes(self.context, self.measured)
        value = tables.table5_ours(self.context, self.measured, notes, dataset)[0]
        if value is None:
            raise Unmeasured(f"no run of Table 2 on {dataset.upper()} has a result")
        return value


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def _points(value: float) -> str:
    return f"{value:+.1f}"


def _percent(value: float) -> str:
    return f"{value:.1f}"


def _verdict(condition: bool) -> str:
    return HOLDS if condition else DOES_NOT_HOLD


@dataclasses.dataclass(frozen=True)
class Claim:
    """A claim of the text: `measure(facts) -> (ours, verdict)`, or None when it cannot be
    measured at all (`why_not` says why)."""

    key: str
    lines: str
    says: str
    paper: str
    measure: Callable | None = None
    why_not: str = ""


# ---- the measurements, one a claim, in the order of CLAIMS ------------------------------------

def _transfer_improves_most(f: Facts):
    f.require("hmdb51", "ucf101")
    scores = {init: f.top1(Run("hmdb51", 1, "tan", init))
              for init in ("cnn", "cnn:ucf101", "tan:ucf101")}
    ours = ", ".join(f"{init} {_percent(v)}" for init, v in scores.items())
    others = max(scores["cnn"], scores["cnn:ucf101"])
    return ours, _verdict(scores["tan:ucf101"] > others)


def _test_snippets(f: Facts):
    dataset = main_dataset("fig3", f.context.datasets)
    five = f.top1(Run(dataset, 1, "tan", "cnn"))
    many = f.top1(Run(dataset, 1, "tan", "cnn", test_snippets=PAPER_TEST_SNIPPETS))
    ours = (f"{dataset.upper()} TAN: {_percent(five)} at the run's T, {_percent(many)} at "
            f"{PAPER_TEST_SNIPPETS} ({_points(five - many)})")
    return ours, _verdict(many - five <= SLIGHT_POINTS)


def _gap_to_average(dataset: str, init_of):
    def measure(f: Facts):
        f.require(dataset)
        init = init_of(f, dataset)
        tan = f.top1(Run(dataset, 1, "tan", init))
        two = f.top1(Run(dataset, 1, "two_stream", init))
        ours = f"{_points(tan - two)} ({_percent(tan)} - {_percent(two)}, init={init})"
        return ours, _verdict(tan > two)
    return measure


def _others_below_average(f: Facts):
    f.require("ucf101")
    average = f.top1(Run("ucf101", 1, "two_stream", "cnn"))
    others = {model: f.top1(Run("ucf101", 1, model, "cnn"))
              for model in ("fc_fusion", "branch_selection", "bs_l2", "spatial_attention")}
    ours = (f"average {_percent(average)}; "
            + ", ".join(f"{model} {_percent(v)}" for model, v in others.items()))
    return ours, _verdict(all(v < average for v in others.values()))


def _each_dataset(datasets, measure, separator: str = "; "):
    """(each dataset's text, joined; a verdict that holds where it holds on every dataset), from
    `measure(dataset) -> (text, holds)`."""
    measured = [measure(dataset) for dataset in datasets]
    return (separator.join(text for text, _ in measured),
            _verdict(all(holds for _, holds in measured)))


def _no_pretraining(f: Facts):
    def one(dataset):
        tan = f.top1(Run(dataset, 1, "tan", "imagenet"))
        two = f.top1(Run(dataset, 1, "two_stream", "imagenet"))
        text = f"{dataset.upper()} TAN {_percent(tan)}, two-stream {_percent(two)}"
        return text, tan < two
    return _each_dataset(f.context.datasets, one)


def _fused_above_branches(f: Facts):
    def one(dataset):
        run = Run(dataset, 1, "tan", "imagenet")
        fused, spatial, temporal = (f.top1(run, key) for key in ("fused", "spatial", "temporal"))
        text = (f"{dataset.upper()} fused {_percent(fused)}, spatial {_percent(spatial)}, "
                f"temporal {_percent(temporal)}")
        return text, fused > max(spatial, temporal)
    return _each_dataset(f.context.datasets, one)


def _temporal_converges_slower(f: Facts):
    def one(dataset):
        run = Run(dataset, 1, "tan", "imagenet")
        spatial = _mean(f.training_curve(run, "spatial_loss"))
        temporal = _mean(f.training_curve(run, "temporal_loss"))
        text = (f"{dataset.upper()} mean training loss: spatial {spatial:.3f}, temporal "
                f"{temporal:.3f}")
        return text, temporal > spatial
    return _each_dataset(f.context.datasets, one)


def _cnn_pretraining_helps(f: Facts):
    def one(dataset):
        cnn = f.top1(Run(dataset, 1, "tan", "cnn"))
        imagenet = f.top1(Run(dataset, 1, "tan", "imagenet"))
        text = f"{dataset.upper()} {_points(cnn - imagenet)}"
        return text, cnn > imagenet
    return _each_dataset(f.context.datasets, one, ", ")


def _ucf101_pretraining_spatial(f: Facts):
    f.require("ucf101")
    base = Run("hmdb51", 1, "tan", "cnn")
    gains = {}
    for branch in ("spatial", "temporal"):
        gains[branch] = _mean(f.top1(Run("hmdb51", 1, "tan", init), branch) - f.top1(base, branch)
                              for init in ("cnn:ucf101", "tan:ucf101"))
    ours = (f"mean gain over CNN on HMDB51: spatial {_points(gains['spatial'])}, temporal "
            f"{_points(gains['temporal'])}")
    return ours, _verdict(gains["spatial"] > gains["temporal"])


def _transfer_beats_target(f: Facts):
    f.require("ucf101")
    target = f.top1(Run("hmdb51", 1, "tan", "cnn"))
    scores = {init: f.top1(Run("hmdb51", 1, "tan", init)) for init in ("cnn:ucf101", "tan:ucf101")}
    ours = ", ".join(f"{init} {_points(v - target)}" for init, v in scores.items())
    return ours, _verdict(all(v > target for v in scores.values()))


def _cnn_or_tan_similar(f: Facts):
    f.require("ucf101")
    cnn = f.top1(Run("hmdb51", 1, "tan", "cnn:ucf101"))
    tan = f.top1(Run("hmdb51", 1, "tan", "tan:ucf101"))
    return f"{_percent(cnn)} vs {_percent(tan)} ({_points(tan - cnn)})", _verdict(
        abs(tan - cnn) <= SIMILAR_POINTS)


def _tan_transfer_converges_faster(f: Facts):
    f.require("ucf101")
    curves = {init: _mean(f.training_curve(Run("hmdb51", 1, "tan", init), "loss"))
              for init in ("cnn:ucf101", "tan:ucf101")}
    ours = (f"mean training loss on HMDB51: CNN on UCF101 {curves['cnn:ucf101']:.3f}, TAN on "
            f"UCF101 {curves['tan:ucf101']:.3f}")
    return ours, _verdict(curves["tan:ucf101"] < curves["cnn:ucf101"])


def _branch_gains(f: Facts):
    f.require("ucf101", "hmdb51")
    gains = {}
    for dataset in ("ucf101", "hmdb51"):
        init = f.best(dataset) if dataset == "hmdb51" else "cnn"
        tan, two = Run(dataset, 1, "tan", init), Run(dataset, 1, "two_stream", init)
        gains[dataset] = [f.top1(tan, b) - f.top1(two, b) for b in ("spatial", "temporal")]
    ours = "; ".join(f"{d.upper()} spatial {_points(g[0])}, temporal {_points(g[1])}"
                     for d, g in gains.items())
    return ours, _verdict(_mean(gains["hmdb51"]) > _mean(gains["ucf101"]))


def _table4_tan(f: Facts, dataset: str) -> float:
    return f.split_mean(dataset)


def _tan_above_attention(f: Facts):
    def one(dataset):
        tan = _table4_tan(f, dataset)
        others = {f"{model} ({init})": f.top1(Run(dataset, 1, model, init))
                  for model, init in table4_models()}
        text = (f"{dataset.upper()} TAN {_percent(tan)}; "
                + ", ".join(f"{name} {_percent(v)}" for name, v in others.items()))
        return text, all(tan > v for v in others.values())
    return _each_dataset(f.context.datasets, one)


def _gap_soft_attention(f: Facts):
    f.require("hmdb51")
    tan = _table4_tan(f, "hmdb51")
    soft = f.top1(Run("hmdb51", 1, "soft_attention", "imagenet"))
    return f"{_points(tan - soft)} ({_percent(tan)} - {_percent(soft)})", _verdict(tan > soft)


def _gap_published(key: str, ours_of=None):
    """Ours (Table 4's TAN, or `ours_of`) minus a published row of Table 5 on both datasets (a
    method this project does not run)."""
    def measure(f: Facts):
        f.require("hmdb51", "ucf101")

        def one(dataset):
            ours = (ours_of or _table4_tan)(f, dataset)
            published = PUBLISHED[key][dataset]
            return (f"{dataset.upper()} {_points(ours - published)} ({_percent(ours)} - "
                    f"{published}, published)"), ours > published
        return _each_dataset(("hmdb51", "ucf101"), one)
    return measure


def _hmdb51_split1_best(f: Facts):
    f.require("hmdb51")
    splits = [int(s) for s in f.context.splits]
    init = f.best("hmdb51")
    scores = {}
    for split in splits:
        try:
            scores[split] = f.top1(Run("hmdb51", split, "tan", init))
        except Unmeasured:
            continue
    if 1 not in scores or not any(s in scores for s in (2, 3)):
        raise Unmeasured("needs HMDB51's split 1 and split 2 or 3 (Table 2 measured split(s) "
                         + (", ".join(map(str, sorted(scores))) or "none") + ")")
    ours = ", ".join(f"split {s} {_percent(v)}" for s, v in sorted(scores.items()))
    return ours, _verdict(all(scores[1] > v for s, v in scores.items() if s != 1))


def _hmdb51_below_ucf101(f: Facts):
    f.require("hmdb51", "ucf101")
    hmdb, ucf = f.table5_ours("hmdb51"), f.table5_ours("ucf101")
    return f"HMDB51 {_percent(hmdb)}, UCF101 {_percent(ucf)}", _verdict(hmdb < ucf)


def _hmdb51_outstanding(f: Facts):
    f.require("hmdb51")
    ours = f.table5_ours("hmdb51")
    best_name, best = max(((name, values["hmdb51"]) for name, values in PUBLISHED.items()),
                          key=lambda item: item[1])
    return (f"{_percent(ours)} against the best published, {best_name} {best}",
            _verdict(ours > best))


def _temporal_above_spatial(f: Facts):
    pairs = []
    for dataset in f.context.datasets:
        init = f.best(dataset)
        for split in f.context.splits:
            run = Run(dataset, int(split), "tan", init)
            try:
                pairs.append((f.top1(run, "spatial"), f.top1(run, "temporal")))
            except Unmeasured:
                continue
    if not pairs:
        raise Unmeasured("no run of Table 2 has a result")
    above = sum(temporal > spatial for spatial, temporal in pairs)
    return (f"temporal above spatial in {above} of Table 2's {len(pairs)} runs",
            _verdict(above > len(pairs) / 2))


def _named_classes(f: Facts):
    f.require("ucf101")
    results = {model: f.values(Run("ucf101", 1, model, "cnn"))["results"]
               for model in ("two_stream", "tan")}
    classes = [str(c).casefold() for c in results["tan"]["classes"]]
    parts, holds = [], []
    for name in paper_numbers.FIG4_NAMED_CLASSES:
        if name.casefold() not in classes:
            continue
        index = classes.index(name.casefold())
        before, after = (results[m]["fused"]["per_class"][index] for m in ("two_stream", "tan"))
        if before is None or after is None:
            continue
        parts.append(f"{name} {100 * before:.1f} -> {100 * after:.1f}")
        holds.append(after > before)
    if not parts:
        raise Unmeasured("no test video of " + " or ".join(paper_numbers.FIG4_NAMED_CLASSES)
                         + " in these records")
    return ", ".join(parts), _verdict(all(holds))


def _vs_tsn(f: Facts):
    f.require("hmdb51", "ucf101")
    hmdb, ucf = f.table5_ours("hmdb51"), f.table5_ours("ucf101")
    tsn = PUBLISHED["TSN (Inception-BN)"]
    ours = (f"HMDB51 {_points(hmdb - tsn['hmdb51'])}, UCF101 {_points(ucf - tsn['ucf101'])} "
            f"against TSN's published {tsn['hmdb51']} / {tsn['ucf101']}")
    slightly_worse = -SLIGHT_POINTS <= ucf - tsn["ucf101"] < 0
    return ours, _verdict(hmdb > tsn["hmdb51"] and slightly_worse)


def _table5_ours(f: Facts, dataset: str) -> float:
    return f.table5_ours(dataset)


def _best(f: Facts, dataset: str) -> str:
    return f.best(dataset)


CLAIMS = (
    Claim("tan_pretraining_improves_most", "290-292",
          "Pre-training TAN on the big dataset improves the most (of the HMDB51 settings)",
          "70.2, against 70.3 (CNN on UCF101) and 68.6 (Table 1): not so in the paper's own "
          "table", _transfer_improves_most),
    Claim("five_snippets_slightly_worse", "302-305",
          "Testing on 5 snippets instead of 25 decreases the performance only slightly",
          "- (not printed)", _test_snippets),
    Claim("only_tan_beats_average_fusion", "435-440",
          "TAN is the only one that outperforms average late fusion: the other trials (FC "
          "fusion, BS, BS+L2, spatial attention) are worse than it on UCF101 split 1",
          "81.4, 80, 83.9, 88.47 against 90.2 (Fig. 3, Table 4)", _others_below_average),
    Claim("tan_vs_average_fusion_ucf101", "438-439, 481-482",
          "TAN is 1.8% better than average late fusion on UCF101 split 1",
          "+1.8 (92.0 - 90.2)", _gap_to_average("ucf101", lambda f, d: "cnn")),
    Claim("tan_vs_average_fusion_hmdb51", "440-441, 482-483",
          "TAN is 11.8% better than average fusion on HMDB51 split 1 (Table 3)",
          "+11.8 (70.2 - 58.4)", _gap_to_average("hmdb51", _best)),
    Claim("no_pretraining_below_two_stream", "445-446",
          "Without pre-training, TAN gets lower accuracies than the two-stream framework",
          "TAN 60.5 / 86.2; the two-stream's not printed", _no_pretraining),
    Claim("fused_above_each_branch", "447-449",
          "Without pre-training, the fused model is much better than each branch",
          "- (not printed)", _fused_above_branches),
    Claim("temporal_converges_slower", "450-451",
          "In the joint network the temporal branch converges slower than the spatial branch",
          "- (not printed)", _temporal_converges_slower),
    Claim("cnn_pretraining_helps", "452-453",
          "After pre-training the CNNs on the target dataset, TAN is significantly better on "
          "both datasets", "HMDB51 +8.1, UCF101 +5.8 (Table 1)", _cnn_pretraining_helps),
    Claim("ucf101_pretraining_spatial_branch", "457-458",
          "Pre-training on UCF101 has more impact on the spatial branch", "- (not printed)",
          _ucf101_pretraining_spatial),
    Claim("ucf101_pretraining_beats_target", "461-462",
          "Both UCF101 pre-training settings beat pre-training on the target dataset (HMDB51)",
          "CNN on UCF101 +1.7, TAN on UCF101 +1.6 (Table 1)", _transfer_beats_target),
    Claim("cnn_or_tan_similar", "462-463",
          "Pre-training the CNN or the TAN on UCF101 gives similar performance",
          "70.3 vs 70.2 (-0.1)", _cnn_or_tan_similar),
    Claim("tan_transfer_converges_faster", "463-464",
          "Pre-training TAN on UCF101 makes it converge faster on HMDB51", "- (not printed)",
          _tan_transfer_converges_faster),
    Claim("branches_gain_more_on_hmdb51", "475-476",
          "TAN cannot improve a single branch markedly on UCF101, but improves significantly "
          "on HMDB51", "UCF101 +2.9, -1.1 (Fig. 3, as read); HMDB51 +5.2, +10.0 (Table 3)",
          _branch_gains),
    Claim("tan_beats_attention_methods", "507-509, 514-515",
          "TAN is much better than existing attention methods (and soft attention's weakness "
          "confirms our spatial attention's)",
          "HMDB51 68.3 vs 41.3, 61.7; UCF101 92.1 vs 90.6, 81.95, 88.47 (Table 4)",
          _tan_above_attention),
    Claim("gap_soft_attention", "509-510",
          "TAN outperforms soft attention [17] by 27% on HMDB51", "+27.0 (68.3 - 41.3)",
          _gap_soft_attention),
    Claim("gap_multi_branch", "510-512",
          "TAN outperforms multi-branch attention [20] by 6.6% on HMDB51 and 1.5% on UCF101",
          "+6.6 (68.3 - 61.7), +1.5 (92.1 - 90.6)",
          _gap_published("Multi-branch attention")),
    Claim("hmdb51_split1_best", "517-519",
          "On HMDB51, TAN does well on split 1 and relatively worse on the other two",
          "73.9 vs 71.7, 71.9 (Table 2)", _hmdb51_split1_best),
    Claim("hmdb51_below_ucf101", "519-520",
          "The overall performance on HMDB51 is not as good as on UCF101",
          "72.5 vs 94.1 (Table 2)", _hmdb51_below_ucf101),
    Claim("hmdb51_outstanding", "522-523",
          "TAN is still outstanding on HMDB51 compared with other methods",
          "72.5 against TSN's 69.4, the best published (Table 5)", _hmdb51_outstanding),
    Claim("ucf101_good_on_all_splits", "523-524", "TAN performs well on all three splits of "
          "UCF101", "93.8, 94.5, 94.0 (Table 2)",
          why_not="\"performs well\" states no measurable criterion"),
    Claim("temporal_above_spatial", "524-526",
          "In most cases the temporal branch is better than the spatial branch",
          "- (Table 2 prints no branches; Table 3: 2 of 2)", _temporal_above_spatial),
    Claim("named_classes_improve", "549-553",
          "TAN improves Lunges from 59.4% to 81% and Nunchucks from 28.5% to 71%",
          "59.4 -> 81, 28.5 -> 71 (Fig. 4)", _named_classes),
    Claim("shared_postures", "549-551",
          "TAN helps most the classes that share many postures with other classes", "-",
          why_not="the paper gives no measure of postures shared between classes"),
    Claim("temporal_stream_one_flow_field", "559-562",
          "One flow field a snippet, instead of a stack of 10, makes the temporal stream "
          "relatively worse", "-",
          why_not="the project builds no temporal stream on stacks of 10 flow fields"),
    Claim("gap_two_stream_convnets", "565-567",
          "About 13.1% and 6.1% better than two-stream ConvNets [14] on HMDB51 and UCF101",
          "+13.1 (72.5 - 59.4), +6.1 (94.1 - 88.0)",
          _gap_published("Two-stream ConvNets", ours_of=_table5_ours)),
    Claim("vs_tsn", "568-569",
          "Better than TSN [23] on HMDB51, slightly worse on UCF101",
          "+3.1 (72.5 - 69.4), -0.1 (94.1 - 94.2)", _vs_tsn),
)


def ledger(context, measured) -> list[ClaimRow]:
    """Every claim of `CLAIMS` with ours and its verdict on this run.

    Args:
      context: `tables.Context` (datasets, splits, absent datasets, MIFS keys).
      measured: `runner.Measured` of the runs (`plan.runs_for('claims', ...)`).
    """
    facts, rows = Facts(context, measured), []
    for claim in CLAIMS:
        if claim.measure is None:
            ours, verdict = "-", f"not measured: {claim.why_not}"
        else:
            try:
                ours, verdict = claim.measure(facts)
            except Unmeasured as why:
                ours, verdict = "-", f"not measured: {why}"
        rows.append(ClaimRow(claim.key, claim.lines, claim.says, claim.paper, ours, verdict))
    return rows


def ledger_markdown(rows) -> str:
    """The ledger as a markdown table, then how many claims hold, do not, and are not measured."""
    lines = ["| lines | the paper says | paper | ours | verdict |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.lines} | {r.says} | {r.paper} | {r.ours} | {r.verdict} |" for r in rows]
    counts = {verdict: sum(r.verdict == verdict for r in rows)
              for verdict in (HOLDS, DOES_NOT_HOLD)}
    unmeasured = len(rows) - sum(counts.values())
    lines += ["", f"- {counts[HOLDS]} of {len(rows)} claims hold on this run, "
              f"{counts[DOES_NOT_HOLD]} do not, {unmeasured} are not measured. Line numbers "
              "are the paper's text's; how each claim is measured is in docs/reproducing.md "
              "(\"The claims ledger\")."]
    return "\n".join(lines) + "\n"
