"""The paper's sampling and test protocol (TSN's), defined once, without TensorFlow or Keras.

Everything that decides which positions and which pixels a model reads lives here: the training
segments and the test positions, the training crop scales, the 5 crop locations and their order,
the test crop's fraction of the short side, and the 10 test views. The TF input pipelines
(`tan_keras.data`), the in-model layers (`tan_keras.layers.ClipPreprocessing`, `TestViews`),
`data_prep.decoding.model_input`, the quickstart and the benchmarks call these functions or read these
constants; none of them repeats a formula.

The formulas use only `+`, `-`, `*`, `//` and `%` on integers, so one function serves Python
ints, NumPy integer arrays, TensorFlow int tensors and `keras.ops` tensors alike:

>>> test_positions(25, 5, 2)
12
>>> test_positions(25, 5, np.arange(5))
array([ 2,  7, 12, 17, 22])
>>> test_positions(tf.constant(25), 5, tf.range(5))    # [5] int32 tensor, the same values

A caller that needs a minimum (the short side) or a stack of the results uses its own library's
(`min`, `np.minimum`, `tf.minimum`, `keras.ops.minimum`).
"""

import fractions

# TSN's training crop sides, as fractions of the frame's short side (its `scales`).
TRAIN_SCALES = (1.0, 0.875, 0.75, 0.66)
# The 5 crop locations, in this order everywhere: training draws one, the test takes all five.
LOCATIONS = ("top_left", "top_right", "bottom_left", "bottom_right", "centre")
# TSN tests on 224 crops of frames whose short side is 256: the test crop's side is this fraction
# of the short side.
TEST_CROP_FRACTION = 0.875
NUM_TEST_CROPS = len(LOCATIONS)
# The test views of a video: view v is crop `view_crop(v)`, mirrored when `view_mirrored(v)` is 1:
# the 5 crops in `LOCATIONS` order, then the same 5 mirrored.
NUM_TEST_VIEWS = 2 * NUM_TEST_CROPS


def segment_bounds(num_positions, num_snippets, t):
    """Segment t of the P stored positions split into T equal segments: (start, length).

    Segment t covers positions start .. start + length - 1, start = floor(t P / T), and
    length = max(floor((t + 1) P / T) - start, 1): when P < T a segment would be empty and holds
    just position `start`, so the positions repeat in increasing order (P = 2, T = 5: 0 0 0 1 1
    in training). Training takes one uniformly random position in each segment (TSN's
    segment sampling).

    Args:
      num_positions: P >= 1, the video's stored positions (int or int tensor).
      num_snippets: T >= 1.
      t: the segment index or indices, 0 <= t < T (int, int array or int tensor).

    Returns:
      (start, length), each shaped like `t`.
    """
    start = (t * num_positions) // num_snippets
    gap = ((t + 1) * num_positions) // num_snippets - start  # >= 0
    return start, gap + 1 // (gap + 1)  # 1 // (gap + 1) is 1 when the gap is 0, else 0.


def test_positions(num_positions, num_snippets, t):
    """The stored position that test snippet t reads: the middle of segment t.

    floor((t + 1/2) P / T), written ((2 t + 1) P) // (2 T) (TSN's test sampling: evenly spaced
    positions; P = 25, T = 5 gives 2, 7, 12, 17, 22).

    Args:
      num_positions: P >= 1 (int or int tensor).
      num_snippets: T >= 1.
      t: the snippet index or indices, 0 <= t < T (int, int array or int tensor).

    Returns:
      The position(s), shaped like `t`.
    """
    return ((2 * t + 1) * num_positions) // (2 * num_snippets)


def scaled_side(side, scale):
    """floor(side x scale), exactly, in integer arithmetic (TSN's int(side * scale)).

    Args:
      side: a side in pixels (int, int array or int tensor).
      scale: a fraction given with at most 4 decimals (one of `TRAIN_SCALES`,
        `TEST_CROP_FRACTION`).

    Returns:
      The scaled side(s), shaped like `side`.
    """
    ratio = fractions.Fraction(scale).limit_denominator(10_000)
    if float(ratio) != scale or ratio <= 0:
        raise ValueError("Expected a positive scale with at most 4 decimals. "
                         f"Received: scale={scale!r}")
    return (side * ratio.numerator) // ratio.denominator


def test_crop_side(short_side):
    """The side of the square test crops: floor(TEST_CROP_FRACTION x short side) (224 of 256)."""
    return scaled_side(short_side, TEST_CROP_FRACTION)


def crop_offsets(height, width, crop_height, crop_width):
    """The (y, x) offsets of a crop_height x crop_width crop at the 5 `LOCATIONS`, in order.

    The corners touch the frame's edges exactly; the centre's offsets are rounded down.

    Args:
      height, width: the frame's size (ints or int tensors of one shape).
      crop_height, crop_width: the crop's size.

    Returns:
      A tuple of 5 (y, x) pairs: top-left, top-right, bottom-left, bottom-right, centre.
    """
    bottom, right = height - crop_height, width - crop_width
    zero = bottom * 0
    return ((zero, zero), (zero, right), (bottom, zero), (bottom, right),
            (bottom // 2, right // 2))


def test_crop_windows(height, width, short_side):
    """The 5 square test crops of a height x width frame, in `LOCATIONS` order.

    Args:
      height, width: the frame's size (ints or int tensors).
      short_side: min(height, width), computed with the caller's own minimum.

    Returns:
      A tuple of 5 windows (y, x, side, side), side = `test_crop_side(short_side)`; for
      340 x 256 frames: (0, 0), (0, 116), (32, 0), (32, 116), (16, 58), side 224.
    """
    side = test_crop_side(short_side)
    return tuple((y, x, side, side) for y, x in crop_offsets(height, width, side, side))


def view_crop(view):
    """The crop (an index into `LOCATIONS`) of test view(s) `view`, 0 <= view < NUM_TEST_VIEWS."""
    return view % NUM_TEST_CROPS


def view_mirrored(view):
    """1 where test view(s) `view` are mirrored (views 5-9: flow x -> 255 - x), else 0."""
    return view // NUM_TEST_CROPS


# Not pytest tests, in a test module that imports them by name.
for _function in (test_positions, test_crop_side, test_crop_windows):
    _function.__test__ = False
del _function
