"""Stage banners with elapsed time for the quickstart: `[2/6] data_prep ... done in 41.2 s`."""

from __future__ import annotations

import contextlib
import time


class StageClock:
    """Prints each stage's name on entry and its duration on exit; keeps the durations.

    Args:
      num_stages: how many stages the run has (for the `[k/N]` prefix).
      print_fn: where lines go (print by default).
    """

    def __init__(self, num_stages: int, print_fn=print):
        if num_stages < 1:
            raise ValueError(f"Expected num_stages >= 1. Received: num_stages={num_stages}")
        self.num_stages = num_stages
        self.seconds: dict[str, float] = {}
        self._print = print_fn
        self._start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        """Seconds since the clock was made."""
        return time.perf_counter() - self._start

    @contextlib.contextmanager
    def stage(self, name: str, description: str):
        """Times the `with` block as stage `name`."""
        index = len(self.seconds) + 1
        self._print(f"\n[{index}/{self.num_stages}] {name}: {description} "
                    f"(elapsed {self.elapsed:.0f} s)", flush=True)
        start = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - start, 1)
        self._print(f"[{index}/{self.num_stages}] {name}: done in {self.seconds[name]:.1f} s "
                    f"(elapsed {self.elapsed:.0f} s)", flush=True)
