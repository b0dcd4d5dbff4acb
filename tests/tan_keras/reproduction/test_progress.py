"""Which stage of how many, and the estimate of what is left, with a clock the test moves."""

import pytest

from tan_keras.reproduction.progress import StageProgress, format_duration


class Clock:
    """A fake `time.monotonic`: returns `now`, which the test moves by `advance`."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (0.4, "0 s"), (45, "45 s"), (59.4, "59 s"), (59.6, "1 min 0 s"),
    (60, "1 min 0 s"), (185, "3 min 5 s"), (3599, "59 min 59 s"), (3600, "1 h 0 min"),
    (7800, "2 h 10 min"), (7859, "2 h 10 min"), (90061, "25 h 1 min"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_lines_estimates_and_summary_hand_computed():
    clock, out = Clock(), []
    kinds = ["pretrain_cnn", "pretrain_cnn", "train_tan", "evaluate", "train_tan", "evaluate"]
    done = [True, False, False, False, False, False]
    progress = StageProgress(kinds, done, clock=clock, out=out.append)

    def stage(index, seconds, failed=False):
        progress.start(index, f"S{index}")
        clock.advance(seconds)
        progress.finish(failed=failed)

    # Stage 1 is done before: read, no time counted (the clock moves, nothing is recorded).
    stage(0, 3)
    # Stage 2, the first to run: nothing to estimate from yet. pretrain_cnn takes 10 s.
    stage(1, 10)
    # Stage 3 at t=13: no train_tan nor evaluate ran yet, so each of stages 3-6 counts the mean
    # of all kinds (10 s): 4 x 10 = 40 s. train_tan takes 100 s.
    stage(2, 100)
    # Stage 4 at t=113: all kinds' mean (10 + 100) / 2 = 55 s for each evaluate; train_tan's own
    # mean 100 s: 55 + 100 + 55 = 210 s = 3 min 30 s. evaluate takes 4 s.
    stage(3, 4)
    # Stage 5 at t=117: train_tan 100 + evaluate 4 = 104 s. It fails after 50 s: not counted.
    stage(4, 50, failed=True)
    # Stage 6 at t=167: evaluate 4 s. It takes 6 s.
    stage(5, 6)
    assert out == [
        "reproduce: stage 1 of 6, S0: done before; reading it.",
        "reproduce: stage 2 of 6, S1 (1 done, 3 s; the estimate comes after the first stage)",
        "reproduce: stage 3 of 6, S2 (2 done, 13 s; about 40 s left)",
        "reproduce: stage 4 of 6, S3 (3 done, 1 min 53 s; about 3 min 30 s left)",
        "reproduce: stage 5 of 6, S4 (4 done, 1 min 57 s; about 1 min 44 s left)",
        "reproduce: stage 6 of 6, S5 (5 done, 2 min 47 s; about 4 s left)",
    ]
    assert progress.seconds == {"pretrain_cnn": [10], "train_tan": [100], "evaluate": [4, 6]}
    assert progress.failed == 1
    # Per-kind means now: pretrain 10, train_tan 100, evaluate 5.
    assert progress.estimate_left(1) == 10 + 100 + 5 + 100 + 5
    assert progress.estimate_left(0) == progress.estimate_left(1)  # stage 1 was done before
    assert progress.summary() == (
        "reproduce: 6 stages: 4 run now, 1 done before, 1 failed; 2 min 53 s.")


def test_stages_done_before_are_left_out_of_the_estimate():
    clock, out = Clock(), []
    progress = StageProgress(["train_tan"] * 4, [False, True, False, True], clock=clock,
                             out=out.append)
    assert progress.estimate_left(0) is None
    progress.start(0, "a")
    clock.advance(20)
    progress.finish()
    # Stages 2-4: only stage 3 is still to run.
    assert progress.estimate_left(1) == 20
    progress.start(1, "b")
    progress.finish()
    progress.start(2, "c")
    assert out[-1] == "reproduce: stage 3 of 4, c (2 done, 20 s; about 20 s left)"
    clock.advance(40)
    progress.finish()
    assert progress.seconds == {"train_tan": [20, 40]}
    assert progress.estimate_left(3) == 0


def test_a_first_stage_that_fails_gives_no_estimate():
    clock, out = Clock(), []
    progress = StageProgress(["pretrain_cnn", "evaluate"], [False, False], clock=clock,
                             out=out.append)
    progress.start(0, "a")
    clock.advance(30)
    progress.finish(failed=True)
    progress.start(1, "b")
    assert out[-1] == ("reproduce: stage 2 of 2, b (1 done, 30 s; the estimate comes after the "
                       "first stage)")


def test_every_stage_done_before():
    clock, out = Clock(), []
    progress = StageProgress(["pretrain_cnn", "train_tan", "evaluate"], [True] * 3, clock=clock,
                             out=out.append)
    for index in range(3):
        progress.start(index, f"s{index}")
        clock.advance(2)
        progress.finish()
    assert out == [f"reproduce: stage {i} of 3, s{i - 1}: done before; reading it."
                   for i in (1, 2, 3)]
    assert progress.seconds == {}
    assert progress.summary() == "reproduce: 3 stages: 0 run now, 3 done before; 6 s."


def test_lines_are_printed_without_out(capsys):
    progress = StageProgress(["evaluate"], [False], clock=Clock())
    progress.start(0, "evaluate x")
    assert capsys.readouterr().out == (
        "reproduce: stage 1 of 1, evaluate x (0 done, 0 s; the estimate comes after the first "
        "stage)\n")


def test_a_skipped_stage_is_said_and_counted():
    clock, out = Clock(), []
    progress = StageProgress(["pretrain_cnn", "train_tan", "evaluate"], [False] * 3, clock=clock,
                             out=out.append)
    progress.start(0, "pretrain")
    clock.advance(5)
    progress.finish(failed=True)
    progress.skip(1, "train", "needs pretrain, which failed")
    progress.skip(2, "evaluate", "needs pretrain, which failed")
    assert out[1:] == [
        "reproduce: stage 2 of 3, train: skipped (needs pretrain, which failed).",
        "reproduce: stage 3 of 3, evaluate: skipped (needs pretrain, which failed)."]
    assert progress.seconds == {}
    assert progress.summary() == (
        "reproduce: 3 stages: 0 run now, 0 done before, 1 failed, 2 skipped; 5 s.")
