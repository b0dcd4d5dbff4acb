"""Fig. 4 and Fig. 3 against a case computed by hand: known scores give known rows, bars, order,
labels and CSV lines."""

import csv
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tan_keras.evaluation.metrics import per_class_accuracy
from tan_keras.reproduction import figures
from tan_keras.reproduction.figures import ClassChange

CLASSES = ["Archery", "Biking", "Lunges", "Nunchucks", "YoYo"]
# Test videos: Archery 2, Biking 4, Lunges 2, Nunchucks 4, YoYo none.
LABELS = np.array([0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3])
# What each model predicts for those 12 videos (the argmax of its scores):
#   two-stream: Archery 2/2 = 100 %, Biking 3/4 = 75 %, Lunges 1/2 = 50 %, Nunchucks 1/4 = 25 %.
#   TAN:        Archery 1/2 =  50 %, Biking 4/4 = 100 %, Lunges 2/2 = 100 %, Nunchucks 3/4 = 75 %.
BASELINE_PREDICTIONS = [0, 0, 1, 1, 1, 0, 2, 0, 3, 0, 0, 0]
TAN_PREDICTIONS = [0, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 0]
# TAN - two-stream: Lunges +50 and Nunchucks +50 (a tie, by name), Biking +25, Archery -50;
# YoYo has no test videos and drops out.
EXPECTED = [("Lunges", 50.0, 100.0, 50.0, 2), ("Nunchucks", 25.0, 75.0, 50.0, 4),
            ("Biking", 75.0, 100.0, 25.0, 4), ("Archery", 100.0, 50.0, -50.0, 2)]
PAPER = {"Lunges": (59.4, 81.0), "Nunchucks": (28.5, 71.0)}


def _scores(predictions) -> np.ndarray:
    """[12, 5] scores whose argmax is `predictions`."""
    return 0.7 * np.eye(len(CLASSES))[predictions] + 0.05


def _per_class(predictions) -> list:
    """[5] accuracies in [0, 1] as results.json holds them: None for a class without videos."""
    accuracy = per_class_accuracy(LABELS, np.argmax(_scores(predictions), axis=1), len(CLASSES))
    return [None if math.isnan(value) else float(value) for value in accuracy]


@pytest.fixture
def rows() -> list[ClassChange]:
    return figures.class_changes(CLASSES, _per_class(BASELINE_PREDICTIONS),
                                 _per_class(TAN_PREDICTIONS),
                                 num_videos=np.bincount(LABELS, minlength=len(CLASSES)))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_class_changes_hand_computed(rows):
    got = [(row.name, row.baseline, row.tan, row.improvement, row.num_videos) for row in rows]
    assert got == EXPECTED


def test_class_changes_leaves_out_a_class_missing_in_either_model():
    rows = figures.class_changes(["a", "b", "c"], [None, 0.5, 0.25], [0.5, float("nan"), 0.5])
    assert [(row.name, row.baseline, row.tan) for row in rows] == [("c", 25.0, 50.0)]


def test_class_changes_rejects_mismatched_lengths_and_percentages():
    with pytest.raises(ValueError, match=r"Expected one accuracy per class.*Received: "
                                         r"len\(classes\)=3, len\(baseline_per_class\)=2"):
        figures.class_changes(["a", "b", "c"], [0.5, 0.5], [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"Received: len\(classes\)=2.*len\(num_videos\)=1"):
        figures.class_changes(["a", "b"], [0.5, 0.5], [0.5, 0.5], num_videos=[3])
    with pytest.raises(ValueError, match=r"in \[0, 1\]\. Received: tan_per_class\[1\]=81.0"):
        figures.class_changes(["a", "b"], [0.5, 0.5], [0.5, 81.0])


def test_draw_fig4_bars_order_emphasis_and_labels(rows):
    figure = figures.draw_fig4(list(reversed(rows)), paper_named=PAPER, num_labelled=1)
    top, bottom = figure.axes
    assert [patch.get_height() for patch in bottom.patches] == [50.0, 50.0, 25.0, -50.0]
    assert [label.get_text() for label in bottom.get_xticklabels()] == [
        "Lunges", "Nunchucks", "Biking", "Archery"]
    weights = [label.get_fontweight() for label in bottom.get_xticklabels()]
    assert weights == ["bold", "bold", "normal", "normal"]
    # One gain and one loss labelled: the first of the tied largest gains, and the one loss.
    assert sorted(text.get_text() for text in bottom.texts) == ["Archery -50.0", "Lunges +50.0"]
    # The paper's two-stream and TAN numbers sit over the named classes (x 0 and 1).
    paper_points = {(tuple(line.get_xdata()), tuple(line.get_ydata()))
                    for line in top.get_lines()}
    assert ((0, 1), (59.4, 28.5)) in paper_points and ((0, 1), (81.0, 71.0)) in paper_points
    _assert_labels_inside(figure)
    # Gains only: the labels hang below the zero line, in room the y limits must make.
    _assert_labels_inside(figures.draw_fig4(rows[:3], num_labelled=3))


def _assert_labels_inside(figure):
    """Every label on the bottom panel lies inside it, once laid out as save_figure does."""
    bottom = figure.axes[1]
    assert bottom.texts
    figure.tight_layout()
    figure.canvas.draw()
    panel = bottom.get_window_extent()
    for text in bottom.texts:
        box = text.get_window_extent()
        assert panel.y0 - 1 <= box.y0 and box.y1 <= panel.y1 + 1, text.get_text()


def test_draw_fig4_with_one_class_and_none(rows, tmp_path):
    figure = figures.draw_fig4(rows[-1:])
    assert [patch.get_height() for patch in figure.axes[1].patches] == [-50.0]
    assert [label.get_text() for label in figure.axes[1].get_xticklabels()] == ["Archery"]
    assert figures.draw_fig4([]).axes  # Nothing to draw still gives a figure that says so.
    path = figures.plot_fig4(rows[:1], tmp_path / "fig4.png", paper_named=PAPER)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_fig4_csv_reads_back_as_the_rows(rows, tmp_path):
    path = figures.write_fig4_csv(list(reversed(rows)), tmp_path / "tables" / "fig4.csv",
                                  paper_named={"lunges": (59.4, 81.0)})
    with path.open(newline="", encoding="utf-8") as stream:
        lines = list(csv.reader(stream))
    assert lines == [
        ["class", "two_stream", "tan", "improvement", "paper_two_stream", "paper_tan"],
        ["Lunges", "50.00", "100.00", "50.00", "59.40", "81.00"],
        ["Nunchucks", "25.00", "75.00", "50.00", "", ""],
        ["Biking", "75.00", "100.00", "25.00", "", ""],
        ["Archery", "100.00", "50.00", "-50.00", "", ""],
    ]


def test_fig4_markdown_counts_named_classes_and_extremes(rows):
    text = figures.fig4_markdown(rows, "fig4.png", "fig4.csv",
                                 paper_named={**PAPER, "Skiing": (80.0, 90.0)}, num_listed=2)
    assert text.startswith("![Fig. 4")
    assert "(fig4.png)" in text and "(fig4.csv)" in text
    # (50 + 50 + 25 - 50) / 4 = 18.75 points.
    assert "TAN is better on 3, worse on 1 and equal on 0; mean change +18.8 points" in text
    assert "| Lunges | 50.0 -> 100.0 (+50.0) | 59.4 -> 81.0 (+21.6) |" in text
    assert "| Skiing | not in these records | 80.0 -> 90.0 (+10.0) |" in text
    gains = text.split("Largest gains")[1].split("Largest losses")[0]
    assert "| Lunges |" in gains and "| Nunchucks |" in gains and "Biking" not in gains
    assert "| Archery | 100.0 | 50.0 | -50.0 |" in text.split("Largest losses")[1]


def test_plot_fig3_writes_a_png_with_the_measured_bars(tmp_path):
    measured = {"two_stream": {"spatial": 80.0, "temporal": None, "fused": 88.0,
                               "run_name": "ignored"},
                "tan": {"spatial": 84.0, "temporal": 85.5, "fused": 91.0}}
    titles = {"two_stream": "average late fusion"}
    paper = {"two_stream": 90.2, "tan": 92.0, "fc_fusion": 81.4}
    path = figures.plot_fig3(measured, tmp_path / "fig3.png", titles=titles, paper_fused=paper)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = figures.draw_fig3(measured, titles, paper).axes[0]
    heights = [patch.get_height() for patch in axes.patches]  # spatial, temporal, fused
    np.testing.assert_array_equal(heights, [80.0, 84.0, np.nan, 85.5, 88.0, 91.0])
    assert [label.get_text() for label in axes.get_xticklabels()] == [
        "average late fusion", "tan"]
    assert [tuple(line.get_ydata()) for line in axes.get_lines()] == [(90.2, 92.0)]


def test_draw_fig3_marks_the_papers_branch_numbers_beside_their_bars():
    measured = {"bs_l2": {"spatial": 70.0, "temporal": 72.0, "fused": 75.0},
                "tan": {"spatial": 84.0, "temporal": 85.5, "fused": 91.0}}
    branches = {"bs_l2": {"spatial": 80.3, "temporal": None}, "tan": {"spatial": 83.4,
                                                                      "temporal": 81.7}}
    axes = figures.draw_fig3(measured, paper_fused={"tan": 92.0},
                             paper_branches=branches).axes[0]
    fused_line, branch_line = axes.get_lines()
    assert tuple(fused_line.get_ydata()) == (92.0,)
    assert tuple(branch_line.get_ydata()) == (80.3, 83.4, 81.7)
    # Each marker sits right of its bar: bars are 0.8 / 3 wide, spatial centred at x - width.
    width = 0.8 / 3
    np.testing.assert_allclose(branch_line.get_xdata(),
                               [0 - 0.5 * width + 0.04, 1 - 0.5 * width + 0.04,
                                1 + 0.5 * width + 0.04])
