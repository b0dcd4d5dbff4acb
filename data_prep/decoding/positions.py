"""Which frames a video keeps: K evenly spaced positions, or every frame.

A position k stores RGB frame k and the flow from frame k to frame k + 1, so positions are drawn
from frames 0..N-2 (N - 1 candidates; a video needs at least 2 frames). The K positions follow the
TSN test convention over those candidates: tick = (N - 1) / K and k_i = floor(tick / 2 + tick * i).
A video with fewer than K candidates keeps all N - 1 of them.
"""

ALL_POSITIONS = 0  # `positions=0` (or the flag value 'all') means every frame.


def parse_positions(text) -> int:
    """'25' -> 25, 'all' -> ALL_POSITIONS (0)."""
    if str(text).strip().lower() == "all":
        return ALL_POSITIONS
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = -1
    if value <= 0:
        raise ValueError(f"Expected positions to be a positive integer or 'all'. Received: "
                         f"positions={text!r}")
    return value


def position_indices(num_frames: int, positions: int) -> list[int]:
    """The frame indices k_p kept from a video of `num_frames` frames.

    Args:
      num_frames: N, frames in the video (>= 2).
      positions: K > 0, or ALL_POSITIONS for every frame with a successor.

    Returns:
      Increasing indices in [0, N - 2]: min(K, N - 1) of them, or N - 1 for ALL_POSITIONS.
    """
    if num_frames < 2:
        raise ValueError(f"Expected a video of at least 2 frames (flow needs frame k + 1). "
                         f"Received: num_frames={num_frames}")
    if positions < 0:
        raise ValueError(f"Expected positions >= 0 (0 = every frame). Received: positions={positions}")
    candidates = num_frames - 1
    if positions == ALL_POSITIONS or positions >= candidates:
        return list(range(candidates))
    tick = candidates / positions
    return [int(tick / 2.0 + tick * i) for i in range(positions)]
