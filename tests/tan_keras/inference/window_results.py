"""`WindowResult`s made by hand, for the tests of what is computed from them."""

import numpy as np

from tan_keras.inference.windows import WindowResult

CLASSES = ("walk", "run", "jump")


def window(index: int, start_s: float, end_s: float, fused, alpha=None, beta=None,
           num_snippets: int = 4) -> WindowResult:
    """A window of `num_snippets` snippets at the middles of equal parts of [start_s, end_s)."""
    spacing = (end_s - start_s) / num_snippets
    times = [start_s + spacing * (t + 0.5) for t in range(num_snippets)]
    fused = np.asarray(fused, np.float32)
    return WindowResult(index=index, start_s=start_s, end_s=end_s, start_frame=int(start_s * 10),
                        end_frame=int(end_s * 10), snippet_frames=[int(t * 10) for t in times],
                        snippet_times=times, spatial=fused, temporal=fused, fused=fused,
                        alpha=None if alpha is None else np.asarray(alpha, np.float32),
                        beta=None if beta is None else np.asarray(beta, np.float32),
                        delay_s=0.25)
