"""An analytic estimate of the cost of OpenCV's TV-L1 optical flow, per frame pair.

OpenCV's `DualTVL1OpticalFlow_create()` defaults (what `data_prep` uses): a pyramid of scales
0.8 apart (up to 5, both sides at least 16 px: 340x256, 272x205, 218x164, 174x131, 139x105), and
at each scale 5 warps, each of up to 10 outer iterations (a 5x5 median filter of the flow) of up
to 30 inner iterations, stopping as soon as the change of the flow falls under epsilon^2 h w.
Source: opencv_contrib `modules/optflow/src/tvl1flow.cpp` (`procOneScale` and its helpers).

The counting rule: one op is one arithmetic operation, comparison, min or max, square root or
division on one float of one pixel, counted as the C++ source writes it (no common
subexpressions merged), in the costliest branch; array copies and zeroing are free. Per pixel
of a scale:

  each inner iteration  60 ops: estimateV 16 (rho 4, the two thresholds 3, three compares,
                        -rho / grad 2, d 2, v 2), divergence of p1 and p2 6, estimateU 10
                        (u 4, the error 6), forwardGradient of u1 and u2 4,
                        estimateDualVariables 24 (two hypot 8, the denominators 4, p 12)
  each outer iteration  452 ops: the 5x5 median of u1 and u2, 113 compare-exchanges (a min and
                        a max) each, OpenCV's sorting network for float images
  each warp             106 ops: the flow map 2, the bicubic remap of I1, I1x and I1y
                        (16 taps, 32 ops each), calcGradRho 8
  each scale            4 ops: the centred gradient of I1; 12 ops on each scale but the finest
                        for the pyramid (a bilinear resize of both frames, 6 each); 14 on each
                        scale but the coarsest to bring the coarser flow up (u1, u2 resized,
                        6 each, and scaled by 1 / 0.8)
  each pair             10 ops a pixel of the frame: both frames to grayscale (5 each)

How many iterations run depends on the motion: `ITERATION_CAPS` gives the upper bound (every
loop to its cap: 300 inner and 10 outer iterations a warp), `MEASURED_ITERATIONS` the mean of
real pairs.
"""

import dataclasses

DEFAULT_FRAME_HEIGHT, DEFAULT_FRAME_WIDTH = 256, 340  # data_prep's default --frame_size
DEFAULT_POSITIONS = 25                                 # data_prep's default --positions (K)

NSCALES, WARPS, INNER_ITERATIONS, OUTER_ITERATIONS, SCALE_STEP = 5, 5, 30, 10, 0.8
MIN_SCALE_SIDE = 16

INNER_OPS = 60
MEDIAN_OPS = 2 * 113 * 2
WARP_OPS = 106
SCALE_OPS = 4
PYRAMID_OPS = 12
UPSAMPLE_OPS = 14
GRAYSCALE_OPS = 10


@dataclasses.dataclass(frozen=True)
class Iterations:
    """Inner iterations and outer iterations (median filters) a warp, on average."""
    inner: float
    outer: float
    source: str


ITERATION_CAPS = Iterations(inner=INNER_ITERATIONS * OUTER_ITERATIONS, outer=OUTER_ITERATIONS,
                            source="every loop to its cap (an upper bound)")
# The JAX engine (data_prep.flow.tvl1_jax, OpenCV's loops and stopping rule) on 35 real pairs, 5
# positions of each of 7 real clips (6 UCF101, 1 HMDB51) at 340x256, all 5
# scales x 5 warps: 31.3 inner iterations a warp on average (median 18; 25 of the 875 warps ran
# to the cap of 300), ceil(inner / 30) = 1.53 median filters a warp. 2026-12-06.
MEASURED_ITERATIONS = Iterations(inner=31.3, outer=1.53,
                                 source="mean of 35 real UCF101/HMDB51 pairs at 340x256")


def pyramid_sizes(height: int, width: int) -> list[tuple[int, int]]:
    """[(h, w)] of OpenCV's scales, finest first: each side x 0.8, rounded to the nearest
    (half to even), while both stay at least 16 px, at most 5 scales."""
    sizes = [(height, width)]
    while len(sizes) < NSCALES:
        h, w = (int(round(side * SCALE_STEP)) for side in sizes[-1])
        if h < MIN_SCALE_SIDE or w < MIN_SCALE_SIDE:
            break
        sizes.append((h, w))
    return sizes


def ops_per_pixel(iterations: Iterations = ITERATION_CAPS) -> float:
    """Ops a pixel of one scale for its warps and iterations (not its pyramid and upsampling)."""
    warp = WARP_OPS + iterations.outer * MEDIAN_OPS + iterations.inner * INNER_OPS
    return SCALE_OPS + WARPS * warp


def pair_ops(frame_height: int = DEFAULT_FRAME_HEIGHT, frame_width: int = DEFAULT_FRAME_WIDTH,
             iterations: Iterations = ITERATION_CAPS) -> float:
    """Ops of the flow of one pair of frames of `frame_height` x `frame_width` (module rule)."""
    sizes = pyramid_sizes(frame_height, frame_width)
    total = GRAYSCALE_OPS * frame_height * frame_width
    for level, (h, w) in enumerate(sizes):
        pixels = h * w
        total += pixels * ops_per_pixel(iterations)
        if level > 0:
            total += pixels * PYRAMID_OPS
        if level < len(sizes) - 1:
            total += pixels * UPSAMPLE_OPS
    return total


def tvl1_cost(frame_height: int = DEFAULT_FRAME_HEIGHT, frame_width: int = DEFAULT_FRAME_WIDTH,
              num_snippets: int = 5, positions: int | None = DEFAULT_POSITIONS) -> dict:
    """The flow a video needs, at the iteration caps and at the measured mean.

    Args:
      frame_height, frame_width: the frames the flow is computed on (data_prep's stored size).
      num_snippets: T, the test positions a video is evaluated at (one pair each).
      positions: K, the positions data_prep stores a video (one pair each); None (every frame
        stored: K depends on the video) leaves 'stored_positions' out.

    Returns:
      {'frame_height', 'frame_width', 'scales': [[h, w], ...], 'ops_per_pair': {'max',
      'typical'}, 'per_video': {'test_snippets': {'pairs': T, 'max', 'typical'},
      'stored_positions': {'pairs': K, 'max', 'typical'}}, 'iterations': {...}}: ops.
    """
    per_pair = {"max": round(pair_ops(frame_height, frame_width, ITERATION_CAPS)),
                "typical": round(pair_ops(frame_height, frame_width, MEASURED_ITERATIONS))}
    needs = {"test_snippets": num_snippets}
    if positions:
        needs["stored_positions"] = positions
    per_video = {name: {"pairs": pairs, **{key: value * pairs for key, value in per_pair.items()}}
                 for name, pairs in needs.items()}
    return {"frame_height": frame_height, "frame_width": frame_width,
            "scales": [list(size) for size in pyramid_sizes(frame_height, frame_width)],
            "ops_per_pair": per_pair, "per_video": per_video,
            "iterations": {"max": dataclasses.asdict(ITERATION_CAPS),
                           "typical": dataclasses.asdict(MEASURED_ITERATIONS)}}
