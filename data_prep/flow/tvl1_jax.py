"""TV-L1 optical flow in JAX: OpenCV's CPU `DualTVL1OpticalFlow`, many pairs in one compiled call.

`tvl1_grouped(prev_gray, next_gray, batch_size)` computes the flow of N pairs of one frame size,
`batch_size` pairs a compiled call, with OpenCV's defaults and its algorithm step by step (Zach,
Pock, Bischof 2007, as opencv_contrib's `modules/optflow/src/tvl1flow.cpp` implements it), so
that its flow is OpenCV's CPU flow to a few thousandths of a pixel on average. The module imports
only JAX and NumPy: the kernel runs, and is benchmarked, where neither OpenCV nor TensorFlow is.
The image operations it is built from (OpenCV's resize, remap, median and differences) are in
`data_prep.flow.tvl1_jax_ops`.

The computation, for each pair (all in float32):
  1. Pyramid: level 0 is the uint8 frame as float 0..255; each next level is the previous one
     resized by exactly 0.8 with OpenCV's INTER_LINEAR (source scale 1 / 0.8, clamped edges, no
     antialiasing), down to the last level whose sides are both >= 16 px (340x256: 340x256,
     272x205, 218x164, 174x131, 139x105).
  2. At each level, coarsest first: the flow u = (u1, u2) starts at 0 (coarsest) or at the
     coarser level's flow resized to the level (INTER_LINEAR) and multiplied by 1 / 0.8. The
     four dual variables p are zeroed. I1x, I1y are the centred differences of the second frame
     (half one-sided differences at the border).
  3. `warps` times: warp I1, I1x, I1y to (x + u1, y + u2) (Keys cubic, A = -0.75, float
     coordinates, taps outside the image read 0) and set rho_c = I1w - I1wx u1 - I1wy u2 - I0
     at that u; then up to `outer_iterations` times, while the error is above
     epsilon^2 h w: a 5x5 median filter of u (replicated border), then up to
     `inner_iterations` times, while the error is above it:
       rho = rho_c + I1wx u1 + I1wy u2;  v = u + the thresholding step (bands lambda theta |grad I1w|^2);
       u = v + theta div(p);             error = sum((u_new - u_old)^2) over both components;
       p = (p + tau / theta grad u) / (1 + tau / theta |grad u|), per flow component.
     An error at or below the threshold ends the whole warp, not only the inner loop.

Loops are `lax` control flow (a `fori_loop` over warps, `while_loop`s for the outer and inner
iterations), so a level compiles once per (frame size, batch size), whatever the motion. Each
pair of a batch stops on its own: a pair whose error fell below its threshold keeps its flow and
duals unchanged (a select) while the others go on, and the loop ends when every pair of the batch
has stopped. So a pair's flow does not depend on the other pairs of its batch, but the batch
costs its slowest pair's iterations at every warp (`batch_work` measures that waste). Two
schedules:
  - `tvl1_batch` / `tvl1_pairs` (masked): all levels in one program, batches in input order;
  - `tvl1_grouped` (what `data_prep` uses): one program a level; after each level the pairs are
    sorted by the iterations they just took and batched anew, so that pairs of similar cost
    share a batch. `experiments.benchmarks.tvl1` measures both (docs/benchmarks.md).

Example:

```python
prev = np.zeros([12, 60, 80], np.uint8); nxt = ...   # 12 pairs of 80x60 frames
flow = tvl1_grouped(prev, nxt, batch_size=4)          # [12, 60, 80, 2] float32, x then y
```
"""

import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np

from data_prep.flow.tvl1_jax_ops import (centered_gradient, cubic_source, divergence,
                                   forward_gradient, median5, remap_cubic, resize_linear)

FLT_EPSILON = float(np.finfo(np.float32).eps)
MIN_LEVEL_SIDE = 16  # OpenCV stops the pyramid before a side would drop under 16 px.


@dataclasses.dataclass(frozen=True)
class TVL1Params:
    """OpenCV's `DualTVL1OpticalFlow_create()` defaults (gamma 0, no initial flow).

    median_filtering: the median filter's side (5), or 1 for none.
    """
    tau: float = 0.25
    lambda_: float = 0.15
    theta: float = 0.3
    nscales: int = 5
    warps: int = 5
    epsilon: float = 0.01
    inner_iterations: int = 30
    outer_iterations: int = 10
    scale_step: float = 0.8
    median_filtering: int = 5

    def __post_init__(self):
        if self.median_filtering not in (1, 5):
            raise ValueError(f"Expected median_filtering in (1, 5). Received: "
                             f"median_filtering={self.median_filtering!r}")
        if not 0 < self.scale_step < 1 or self.nscales < 1 or self.warps < 1:
            raise ValueError(f"Expected 0 < scale_step < 1, nscales >= 1 and warps >= 1. "
                             f"Received: scale_step={self.scale_step!r}, "
                             f"nscales={self.nscales!r}, warps={self.warps!r}")


DEFAULT_PARAMS = TVL1Params()


def pyramid_sizes(height: int, width: int, params: TVL1Params = DEFAULT_PARAMS
                  ) -> list[tuple[int, int]]:
    """[(h, w)] of the levels, finest first: OpenCV's rounded sizes, both sides >= 16 px."""
    sizes = [(height, width)]
    for _ in range(1, params.nscales):
        h, w = sizes[-1]
        h, w = _round_half_even(h * params.scale_step), _round_half_even(w * params.scale_step)
        if h < MIN_LEVEL_SIDE or w < MIN_LEVEL_SIDE:
            break
        sizes.append((h, w))
    return sizes


def _round_half_even(x: float) -> int:
    return int(np.rint(x))


# --- One TV-L1 step and one level ------------------------------------------------------------


def _tv_step(u1, u2, p11, p12, p21, p22, i1wx, i1wy, grad, rho_c, l_t, theta, taut):
    """One inner iteration: thresholding, u update, its error, dual update."""
    rho = rho_c + (i1wx * u1 + i1wy * u2)
    l_t_grad = l_t * grad
    fi = jnp.where(grad > FLT_EPSILON, -rho / jnp.where(grad > 0, grad, 1), 0)
    below, above = rho < -l_t_grad, rho > l_t_grad
    d1 = jnp.where(below, l_t * i1wx, jnp.where(above, -l_t * i1wx, fi * i1wx))
    d2 = jnp.where(below, l_t * i1wy, jnp.where(above, -l_t * i1wy, fi * i1wy))
    new_u1 = (u1 + d1) + theta * divergence(p11, p12)
    new_u2 = (u2 + d2) + theta * divergence(p21, p22)
    error = jnp.sum((new_u1 - u1) ** 2 + (new_u2 - u2) ** 2, axis=(1, 2))
    u1x, u1y = forward_gradient(new_u1)
    u2x, u2y = forward_gradient(new_u2)
    ng1 = 1 + taut * jnp.sqrt(u1x * u1x + u1y * u1y)
    ng2 = 1 + taut * jnp.sqrt(u2x * u2x + u2y * u2y)
    return (new_u1, new_u2, (p11 + taut * u1x) / ng1, (p12 + taut * u1y) / ng1,
            (p21 + taut * u2x) / ng2, (p22 + taut * u2y) / ng2, error)


def _one_level(i0, i1, u1, u2, params: TVL1Params):
    """One pyramid level for a batch: `warps` warps of the outer/inner loops. [B, h, w] each.

    Returns (u1, u2, iterations [B, warps] int32: each pair's inner iterations per warp).
    """
    batch, height, width = i0.shape
    threshold = np.float32(params.epsilon * params.epsilon * height * width)
    l_t = np.float32(params.lambda_ * params.theta)
    theta = np.float32(params.theta)
    taut = np.float32(params.tau / params.theta)
    i1x, i1y = centered_gradient(i1)
    source = cubic_source(jnp.stack([i1, i1x, i1y], axis=1))
    zeros = jnp.zeros_like(i0)

    def mask(active, new, old):
        return jnp.where(active[:, None, None], new, old)

    def warp(w, carry):
        u1, u2, duals, iterations = carry
        i1w, i1wx, i1wy = jnp.unstack(remap_cubic(source, u1, u2), axis=1)
        grad = i1wx * i1wx + i1wy * i1wy
        rho_c = i1w - i1wx * u1 - i1wy * u2 - i0
        state = (0, u1, u2, *duals, jnp.full([batch], jnp.inf, jnp.float32),
                 jnp.zeros([batch], jnp.int32))

        def inner(state):
            n, u1, u2, p11, p12, p21, p22, error, count = state
            active = error > threshold
            new = _tv_step(u1, u2, p11, p12, p21, p22, i1wx, i1wy, grad, rho_c, l_t, theta,
                           taut)
            kept = [mask(active, a, b) for a, b in zip(new[:6], (u1, u2, p11, p12, p21, p22))]
            return (n + 1, *kept, jnp.where(active, new[6], error), count + active)

        def outer(state):
            n_outer, (_, u1, u2, *rest) = state
            if params.median_filtering > 1:
                active = rest[-2] > threshold
                u1, u2 = mask(active, median5(u1), u1), mask(active, median5(u2), u2)
            running = lambda s: (s[0] < params.inner_iterations) & jnp.any(s[7] > threshold)
            return n_outer + 1, jax.lax.while_loop(running, inner, (0, u1, u2, *rest))

        running = lambda s: (s[0] < params.outer_iterations) & jnp.any(s[1][7] > threshold)
        _, (_, u1, u2, *duals, _, count) = jax.lax.while_loop(running, outer, (0, state))
        return u1, u2, tuple(duals), iterations.at[:, w].set(count)

    carry = (u1, u2, (zeros,) * 4, jnp.zeros([batch, params.warps], jnp.int32))
    u1, u2, _, iterations = jax.lax.fori_loop(0, params.warps, warp, carry)
    return u1, u2, iterations


def _pyramid(prev_gray: jax.Array, next_gray: jax.Array, params: TVL1Params):
    """[B, H, W] uint8 x 2 -> (I0 levels, I1 levels), each a tuple of [B, h, w] float32, finest
    first; each level is the previous one resized by exactly `scale_step`."""
    height, width = prev_gray.shape[1:]
    step = 1.0 / params.scale_step
    i0s, i1s = [prev_gray.astype(jnp.float32)], [next_gray.astype(jnp.float32)]
    for size in pyramid_sizes(height, width, params)[1:]:
        i0s.append(resize_linear(i0s[-1], size, (step, step)))
        i1s.append(resize_linear(i1s[-1], size, (step, step)))
    return tuple(i0s), tuple(i1s)


def _level_of_frames(prev_gray, next_gray, u1, u2, level: int, params: TVL1Params):
    """Level `level` of [B, H, W] uint8 pairs from the coarser level's flow (None: coarsest)."""
    i0s, i1s = _pyramid(prev_gray, next_gray, params)  # the coarser levels are left out by XLA
    return _level(i0s[level], i1s[level], u1, u2, params)


def _level(i0, i1, u1, u2, params: TVL1Params):
    """One level from the coarser level's flow u1, u2 (None at the coarsest: zero flow)."""
    if u1 is None:
        u1 = u2 = jnp.zeros_like(i0)
    else:
        scale = np.float32(1.0 / params.scale_step)
        u1 = resize_linear(u1, i0.shape[1:]) * scale
        u2 = resize_linear(u2, i0.shape[1:]) * scale
    return _one_level(i0, i1, u1, u2, params)


def _flow(prev_gray: jax.Array, next_gray: jax.Array, params: TVL1Params):
    """[B, H, W] uint8 x 2 -> ([B, H, W, 2] float32 flow, [B, levels, warps] int32 iterations)."""
    i0s, i1s = _pyramid(prev_gray, next_gray, params)
    u1 = u2 = None
    counts = []
    for level in reversed(range(len(i0s))):
        u1, u2, iterations = _level(i0s[level], i1s[level], u1, u2, params)
        counts.append(iterations)
    return jnp.stack([u1, u2], axis=-1), jnp.stack(counts[::-1], axis=1)


_flow_jit = jax.jit(_flow, static_argnames=("params",))
_level_jit = jax.jit(_level_of_frames, static_argnames=("level", "params"))


def _check_pairs(prev_gray: np.ndarray, next_gray: np.ndarray) -> None:
    for name, frames in (("prev_gray", prev_gray), ("next_gray", next_gray)):
        if frames.ndim != 3 or frames.dtype != np.uint8:
            raise ValueError(f"Expected {name} of shape [N, H, W] and dtype uint8. "
                             f"Received: {name}.shape={frames.shape}, dtype={frames.dtype}")
    if prev_gray.shape != next_gray.shape:
        raise ValueError(f"Expected prev_gray and next_gray of one shape. Received: "
                         f"prev_gray.shape={prev_gray.shape}, next_gray.shape={next_gray.shape}")
    if min(prev_gray.shape[1:]) < 3:
        raise ValueError(f"Expected frames of at least 3x3 pixels. Received: "
                         f"shape={prev_gray.shape}")


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ValueError(f"Expected batch_size >= 1. Received: batch_size={batch_size}")


def _padded(prev_gray: np.ndarray, next_gray: np.ndarray, batch_size: int):
    """Pads N pairs with blank (all-zero) pairs to a multiple of batch_size; blank pairs stop
    at their first iteration, so they cost almost nothing."""
    count, height, width = prev_gray.shape
    extra = -count % batch_size
    if extra or not count:
        extra = extra or batch_size
        blank = np.zeros((extra, height, width), np.uint8)
        prev_gray, next_gray = np.concatenate([prev_gray, blank]), np.concatenate([next_gray, blank])
    return prev_gray, next_gray


def tvl1_batch(prev_gray, next_gray, params: TVL1Params = DEFAULT_PARAMS,
               return_iterations: bool = False):
    """TV-L1 flow of B pairs of one size in one compiled call, each pair stopping on its own.

    Args:
      prev_gray: [B, H, W] uint8, frames k in grayscale.
      next_gray: [B, H, W] uint8, frames k + 1.
      params: the algorithm's parameters (OpenCV's defaults).
      return_iterations: also return each pair's inner iterations per level and warp.

    Returns:
      [B, H, W, 2] float32 flow in pixels (x, then y); with return_iterations, also
      [B, levels, warps] int32 counts, level 0 the finest.
    """
    prev_gray, next_gray = np.asarray(prev_gray), np.asarray(next_gray)
    _check_pairs(prev_gray, next_gray)
    flow, iterations = _flow_jit(prev_gray, next_gray, params=params)
    flow = np.asarray(flow)
    return (flow, np.asarray(iterations)) if return_iterations else flow


def tvl1_pairs(prev_gray, next_gray, batch_size: int, params: TVL1Params = DEFAULT_PARAMS,
               return_iterations: bool = False):
    """N pairs as masked batches of `batch_size` (`tvl1_batch`; the last one padded).

    Returns:
      [N, H, W, 2] float32 flow; with return_iterations, also [N, levels, warps] int32 counts.
    """
    prev_gray, next_gray = np.asarray(prev_gray), np.asarray(next_gray)
    _check_pairs(prev_gray, next_gray)
    _check_batch_size(batch_size)
    count = len(prev_gray)
    prev_gray, next_gray = _padded(prev_gray, next_gray, batch_size)
    outputs = [_flow_jit(prev_gray[s:s + batch_size], next_gray[s:s + batch_size], params=params)
               for s in range(0, len(prev_gray), batch_size)]
    flow = np.concatenate([np.asarray(o[0]) for o in outputs])[:count]
    iterations = np.concatenate([np.asarray(o[1]) for o in outputs])[:count]
    return (flow, iterations) if return_iterations else flow


def tvl1_grouped(prev_gray, next_gray, batch_size: int, params: TVL1Params = DEFAULT_PARAMS,
                 return_iterations: bool = False):
    """N pairs, level by level, in batches of pairs that cost alike (less waste than masking).

    A masked batch costs its slowest pair's iterations at every warp. A pair's iterations at one
    level predict those at the next finer one well (correlation 0.91-0.98 on real UCF101 pairs
    at 340x256), so after each level the pairs are sorted by the iterations they just took and
    batched anew:
      1. the coarsest level, the pairs in input order, `batch_size` pairs a call;
      2. each finer level: the pairs sorted by their iterations at the coarser level and cut
         into batches; each call takes its pairs' frames and coarser flow, makes the pyramid
         down to its level, upscales the flow and refines it.
    The flows wait on the host between levels, so every call has the shape of one batch: one
    compiled program a level, whatever N. A pair's flow depends neither on the other pairs nor
    on their order (tested bit for bit), only on `batch_size`, which fixes the programs.

    Args:
      prev_gray, next_gray: [N, H, W] uint8, the pairs' frames k and k + 1.
      batch_size: pairs a compiled call.
      params: the algorithm's parameters (OpenCV's defaults).
      return_iterations: also return each pair's inner iterations per level and warp.

    Returns:
      [N, H, W, 2] float32 flow; with return_iterations, also [N, levels, warps] int32 counts.
    """
    prev_gray, next_gray = np.asarray(prev_gray), np.asarray(next_gray)
    _check_pairs(prev_gray, next_gray)
    _check_batch_size(batch_size)
    count, height, width = prev_gray.shape
    prev_gray, next_gray = _padded(prev_gray, next_gray, batch_size)
    total = len(prev_gray)
    sizes = pyramid_sizes(height, width, params)
    iterations = np.zeros((total, len(sizes), params.warps), np.int32)
    order = np.arange(total)
    u1 = u2 = None
    for level in reversed(range(len(sizes))):
        calls = []
        for start in range(0, total, batch_size):  # dispatched together, then collected
            index = order[start:start + batch_size]
            coarse = (None, None) if u1 is None else (u1[index], u2[index])
            calls.append((index, _level_jit(prev_gray[index], next_gray[index], *coarse,
                                            level=level, params=params)))
        u1, u2 = (np.empty((total, *sizes[level]), np.float32) for _ in range(2))
        for index, (batch_u1, batch_u2, batch_iterations) in calls:
            u1[index], u2[index] = np.asarray(batch_u1), np.asarray(batch_u2)
            iterations[index, level] = np.asarray(batch_iterations)
        order = _by_cost(iterations[:, level])
    flow = np.stack([u1, u2], axis=-1)[:count]
    return (flow, iterations[:count]) if return_iterations else flow


def _by_cost(level_iterations: np.ndarray) -> np.ndarray:
    """The order of the next level's batches: by the iterations [N, warps] a pair just took."""
    return np.argsort(level_iterations.sum(axis=1), kind="stable")


def batch_work(iterations: np.ndarray, height: int, width: int, batch_size: int,
               schedule: str, params: TVL1Params = DEFAULT_PARAMS) -> tuple[float, float]:
    """(work done, work needed) for pairs with these iteration counts, in pixel-iterations.

    A batch does, at each level and warp, its slowest pair's iterations for every one of its
    pairs (masked pairs cost as much as running ones); each pair needs only its own. Their ratio
    is the schedule's waste. iterations: [N, levels, warps] from `return_iterations`, in input
    order; schedule: 'masked' (`tvl1_pairs`: batches in input order) or 'grouped'
    (`tvl1_grouped`: regrouped by cost after each level).
    """
    sizes = pyramid_sizes(height, width, params)
    count = len(iterations)
    total = -(-count // batch_size) * batch_size
    padded = np.ones((total, *iterations.shape[1:]), iterations.dtype)  # blank pairs: 1 a warp
    padded[:count] = iterations
    order = np.arange(total)
    done = 0.0
    for level in reversed(range(len(sizes))):
        area = sizes[level][0] * sizes[level][1]
        for start in range(0, total, batch_size):
            batch = padded[order[start:start + batch_size], level]
            done += batch.max(axis=0).sum() * len(batch) * area
        if schedule == "grouped":
            order = _by_cost(padded[:, level])
    needed = sum((iterations[:, level].sum() * sizes[level][0] * sizes[level][1])
                 for level in range(len(sizes)))
    return done, float(needed)


def compile_programs(batch_size: int, height: int, width: int, schedule: str = "grouped",
                     params: TVL1Params = DEFAULT_PARAMS) -> float:
    """Compiles, ahead of the first call, what `schedule` runs for this (batch, frame) size.

    schedule: 'grouped' (`tvl1_grouped`: one program a pyramid level) or 'masked'
    (`tvl1_batch` and `tvl1_pairs`: one program). Later calls of that shape compile nothing.

    Returns:
      The seconds it took (tracing and XLA compilation).
    """
    if schedule not in ("grouped", "masked"):
        raise ValueError(f"Expected schedule in ('grouped', 'masked'). Received: "
                         f"schedule={schedule!r}")
    _check_batch_size(batch_size)
    start = time.perf_counter()
    frames = jax.ShapeDtypeStruct((batch_size, height, width), jnp.uint8)
    if schedule == "masked":
        _flow_jit.lower(frames, frames, params=params).compile()
        return time.perf_counter() - start
    sizes = pyramid_sizes(height, width, params)
    for level in reversed(range(len(sizes))):
        coarse = None
        if level + 1 < len(sizes):
            coarse = jax.ShapeDtypeStruct((batch_size, *sizes[level + 1]), jnp.float32)
        _level_jit.lower(frames, frames, coarse, coarse, level=level, params=params).compile()
    return time.perf_counter() - start
