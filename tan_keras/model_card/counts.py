"""`Count`: the cost of one piece of a model, and the counting rule every file here follows.

The rule, as XLA's cost analysis counts:
  - a FLOP is one multiply or one add (or one subtract, divide, compare, max or min) of two
    numbers; a multiply-add is 2 FLOPs, so a [M, K] x [K, N] matmul is 2 M K N FLOPs;
  - a transcendental (exp, tanh, sigmoid, sqrt, rsqrt) is counted apart from the FLOPs, one per
    element, as XLA's `cost_analysis()` counts them ('transcendentals');
  - moving data (reshape, concatenate, slice, gather, transpose, casts) costs nothing.

`padding_flops` is the part of `flops` spent on the zero padding of 'same' convolutions: the
textbook formula 2 k_h k_w C_in / groups C_out H_out W_out counts every tap, XLA only the taps that
read the image. It is part of `flops`; `flops - padding_flops` is what XLA counts.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Count:
    """FLOPs and transcendentals of one computation (for one clip unless stated otherwise).

    Attributes:
      flops: multiplies and adds (a multiply-add is 2), compares, divides.
      transcendentals: exp, tanh, sigmoid, sqrt, rsqrt, one per element.
      padding_flops: the share of `flops` that multiplies zero padding in 'same' convolutions.

    Example:

    >>> Count(flops=10, transcendentals=1) + Count(flops=2)
    Count(flops=12, transcendentals=1, padding_flops=0)
    >>> 3 * Count(flops=2)
    Count(flops=6, transcendentals=0, padding_flops=0)
    """

    flops: int = 0
    transcendentals: int = 0
    padding_flops: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.flops + other.flops, self.transcendentals + other.transcendentals,
                     self.padding_flops + other.padding_flops)

    def __mul__(self, factor: int) -> "Count":
        return Count(self.flops * factor, self.transcendentals * factor,
                     self.padding_flops * factor)

    __rmul__ = __mul__

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


ZERO = Count()


def total(counts) -> Count:
    """The sum of an iterable of `Count`s."""
    result = ZERO
    for count in counts:
        result = result + count
    return result


def softmax(rows: int, length: int) -> Count:
    """A softmax over `length` values, `rows` times: max (length - 1 compares), subtract
    (length), exp (length transcendentals), sum (length - 1 adds), divide (length)."""
    return Count(flops=rows * (4 * length - 2), transcendentals=rows * length)


def matmul(rows: int, inner: int, columns: int) -> Count:
    """[rows, inner] x [inner, columns]: 2 rows inner columns FLOPs."""
    return Count(flops=2 * rows * inner * columns)


def elementwise(elements: int, flops_each: int = 1, transcendentals_each: int = 0) -> Count:
    """`elements` values, each costing `flops_each` FLOPs and `transcendentals_each`."""
    return Count(flops=elements * flops_each, transcendentals=elements * transcendentals_each)
