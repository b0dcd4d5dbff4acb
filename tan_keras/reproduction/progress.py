"""Which stage of how many is running, and an estimate of the time left.

One line a stage, printed before it starts:

    reproduce: stage 7 of 31, train_tan hmdb51 split 1 tan init=cnn (6 done, 1 min 10 s;
    about 4 min left)

The estimate is the mean time of the stages of the same kind run so far (pretrain_cnn,
train_tan, evaluate), or of all kinds while a kind has not run yet, times the stages still to
run. Stages already done in the workspace count as done and take no time. Before the first
stage has run there is nothing to estimate from, and the line says so.
"""

import time


def format_duration(seconds: float) -> str:
    """'45 s', '3 min 5 s', '2 h 10 min'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class StageProgress:
    """Counts the stages of one reproduction and estimates what is left.

    Args:
      kinds: each stage's kind, in run order, e.g. ['pretrain_cnn', 'train_tan', 'evaluate'].
      done: for each stage, whether the workspace already holds it finished.
      clock: seconds since some origin (`time.monotonic`; tests pass a fake one).
      out: `print`-like callable for the lines (None: print them).
    """

    def __init__(self, kinds, done, clock=time.monotonic, out=None):
        self.kinds = list(kinds)
        self.done = list(done)
        self.clock = clock
        self.out = out or (lambda line: print(line, flush=True))
        self.started = clock()
        self.seconds: dict[str, list[float]] = {}
        self._current = None
        self.failed = 0
        self.skipped = 0

    @property
    def total(self) -> int:
        return len(self.kinds)

    def estimate_left(self, index: int) -> float | None:
        """Seconds the stages from `index` on (those not done) should take; None: unknown."""
        every = [s for times in self.seconds.values() for s in times]
        if not every:
            return None
        overall = sum(every) / len(every)
        left = 0.0
        for kind, done in zip(self.kinds[index:], self.done[index:]):
            if not done:
                times = self.seconds.get(kind)
                left += sum(times) / len(times) if times else overall
        return left

    def start(self, index: int, description: str) -> None:
        """Says that stage `index` (0-based) starts; call `finish` when it ends."""
        if self.done[index]:
            self.out(f"reproduce: stage {index + 1} of {self.total}, {description}: done "
                     "before; reading it.")
        else:
            elapsed = format_duration(self.clock() - self.started)
            left = self.estimate_left(index)
            estimate = ("the estimate comes after the first stage" if left is None
                        else f"about {format_duration(left)} left")
            self.out(f"reproduce: stage {index + 1} of {self.total}, {description} "
                     f"({index} done, {elapsed}; {estimate})")
        self._current = (index, self.clock())

    def finish(self, failed: bool = False) -> None:
        """Ends the stage `start` began; its time counts toward the estimate unless it was done
        before or `failed`."""
        index, began = self._current
        if failed:
            self.failed += 1
        elif not self.done[index]:
            self.seconds.setdefault(self.kinds[index], []).append(self.clock() - began)
        self._current = None

    def skip(self, index: int, description: str, reason: str) -> None:
        """Says that stage `index` (0-based) does not run, e.g. 'needs <stage>, which failed'."""
        self.skipped += 1
        self.out(f"reproduce: stage {index + 1} of {self.total}, {description}: skipped "
                 f"({reason}).")

    def summary(self) -> str:
        ran = sum(len(times) for times in self.seconds.values())
        failed = f", {self.failed} failed" if self.failed else ""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return (f"reproduce: {self.total} stages: {ran} run now, {sum(self.done)} done "
                f"before{failed}{skipped}; {format_duration(self.clock() - self.started)}.")
