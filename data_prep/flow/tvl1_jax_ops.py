"""OpenCV's image operations that TV-L1 uses, in JAX, on batches of float32 images [N, H, W].

Each reproduces the OpenCV call it names (tested against cv2 one by one):
  - `resize_linear`: cv2.resize INTER_LINEAR, float path (x = (d + 0.5) scale - 0.5, clamped);
  - `centered_gradient`, `forward_gradient`, `divergence`: the differences of OpenCV's TV-L1;
  - `cubic_source` + `remap_cubic`: cv2.remap INTER_CUBIC (Keys, A = -0.75), BORDER_CONSTANT 0;
  - `median5`: cv2.medianBlur with a 5x5 window on float, replicated border.

The module imports only JAX and NumPy.
"""

import jax
import jax.numpy as jnp
import numpy as np

# --- INTER_LINEAR resize (OpenCV's float path) -------------------------------------------------


def _linear_taps(dst: int, src: int, scale: float):
    """Source indices and weights of one axis: x = (d + 0.5) scale - 0.5, edges clamped."""
    f = ((np.arange(dst) + 0.5) * scale - 0.5).astype(np.float32)  # double, then float
    s = np.floor(f).astype(np.int64)
    f = (f - s.astype(np.float32)).astype(np.float32)
    low = s < 0
    high = s >= src - 1
    f[low | high] = 0.0
    s[low] = 0
    s[high] = src - 1
    return s, np.minimum(s + 1, src - 1), (np.float32(1) - f).astype(np.float32), f


def resize_linear(images: jax.Array, size: tuple[int, int], scale: tuple[float, float] | None = None
                  ) -> jax.Array:
    """[B, h, w] float32 -> [B, *size]: OpenCV's INTER_LINEAR on float images.

    scale: (scale_y, scale_x), source pixels per destination pixel; by default
    1 / (size / source size), which is what `cv::resize` uses when given a destination size.
    """
    height, width = images.shape[-2:]
    if scale is None:
        scale = (1.0 / (size[0] / height), 1.0 / (size[1] / width))
    x0, x1, ax0, ax1 = _linear_taps(size[1], width, scale[1])
    y0, y1, ay0, ay1 = _linear_taps(size[0], height, scale[0])
    rows = images[..., x0] * ax0 + images[..., x1] * ax1
    return rows[..., y0, :] * ay0[:, None] + rows[..., y1, :] * ay1[:, None]


# --- Differences ------------------------------------------------------------------------------


def centered_gradient(image: jax.Array) -> tuple[jax.Array, jax.Array]:
    """[B, h, w] -> (dx, dy): 0.5 (I[x+1] - I[x-1]), edge pixels replicated (one-sided halves)."""
    padded = jnp.pad(image, ((0, 0), (1, 1), (1, 1)), mode="edge")
    dx = 0.5 * (padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2])
    dy = 0.5 * (padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1])
    return dx, dy


def forward_gradient(u: jax.Array) -> tuple[jax.Array, jax.Array]:
    """[B, h, w] -> (u[x+1] - u[x], u[y+1] - u[y]), 0 on the last column and row."""
    dx = jnp.pad(u[:, :, 1:] - u[:, :, :-1], ((0, 0), (0, 0), (0, 1)))
    dy = jnp.pad(u[:, 1:, :] - u[:, :-1, :], ((0, 0), (0, 1), (0, 0)))
    return dx, dy


def divergence(px: jax.Array, py: jax.Array) -> jax.Array:
    """Backward differences px[x] - px[x-1] + py[y] - py[y-1], with px[-1] = py[-1] = 0."""
    dx = px - jnp.pad(px[:, :, :-1], ((0, 0), (0, 0), (1, 0)))
    dy = py - jnp.pad(py[:, :-1, :], ((0, 0), (1, 0), (0, 0)))
    return dx + dy


# --- Cubic warp (remap INTER_CUBIC, BORDER_CONSTANT 0) ----------------------------------------


def _keys_weights(t: jax.Array) -> list[jax.Array]:
    """Keys' cubic convolution weights (A = -0.75) of the taps at -1, 0, 1, 2 for offset t."""
    a = -0.75
    w0 = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a
    w1 = ((a + 2) * t - (a + 3)) * t * t + 1
    w2 = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1
    return [w0, w1, w2, 1 - w0 - w1 - w2]


def cubic_source(images: jax.Array) -> jax.Array:
    """[B, C, h, w] -> [B, (h + 2)(w + 2), C]: what `remap_cubic` samples (a zero border of 1 px).

    Made once per level, outside the warp loop: built inside it, XLA fuses the padding and
    transposition into every gathered tap, which made a warp several times slower on the CPU.
    """
    batch, channels = images.shape[:2]
    padded = jnp.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    return padded.reshape(batch, channels, -1).transpose(0, 2, 1)


def remap_cubic(source: jax.Array, u1: jax.Array, u2: jax.Array) -> jax.Array:
    """Samples images at (x + u1, y + u2) with a 4x4 Keys cubic (A = -0.75), zero outside.

    Args:
      source: `cubic_source` of [B, C, h, w] images.
      u1, u2: [B, h, w] float32 displacements in x and y.

    Returns:
      [B, C, h, w]. A tap outside the image contributes 0 (OpenCV's BORDER_CONSTANT).
    """
    batch, height, width = u1.shape
    channels = source.shape[-1]

    def sample(source, u1, u2):
        ys, xs = jnp.meshgrid(jnp.arange(height, dtype=jnp.float32),
                              jnp.arange(width, dtype=jnp.float32), indexing="ij")
        mx, my = xs + u1, ys + u2
        fx, fy = jnp.floor(mx), jnp.floor(my)
        wx, wy = _keys_weights(mx - fx), _keys_weights(my - fy)
        # Tap indices are clamped into the zero border, so taps outside the image read 0.
        ix = jnp.clip(fx.astype(jnp.int32), -3, width + 1)
        iy = jnp.clip(fy.astype(jnp.int32), -3, height + 1)
        out = 0
        for a in range(4):
            row = jnp.clip(iy + (a - 1), -1, height) + 1
            for b in range(4):
                col = jnp.clip(ix + (b - 1), -1, width) + 1
                index = (row * (width + 2) + col).reshape(batch, -1, 1)
                weight = (wy[a] * wx[b]).reshape(batch, -1, 1)
                out = out + jnp.take_along_axis(source, index, axis=1) * weight
        return out

    # Inline, XLA fuses the 16 gathered taps and their weights into each of the result's
    # consumers and computes them again there (a warp cost 4x more on the CPU). A conditional's
    # result is kept in memory; both branches are the same, so its predicate is moot.
    out = jax.lax.cond(u1[0, 0, 0] == u1[0, 0, 0], sample, sample, source, u1, u2)
    return out.transpose(0, 2, 1).reshape(batch, channels, height, width)


# --- 5x5 median filter (medianBlur on float, replicated border) -------------------------------


def _batcher_pairs(n: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sorting network on n wires (comparators on wires >= n dropped)."""
    size = 1
    while size < n:
        size *= 2
    pairs = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    # Padding wires hold +inf at the top: a comparator touching one changes nothing.
    return [(i, j) for i, j in pairs if j < n]


def _select(values: list, wanted: list[int]) -> list:
    """The sorted order's elements at `wanted` positions, by a pruned min/max network."""
    pairs = _batcher_pairs(len(values))
    need = set(wanted)
    plan = []  # backwards: which comparator outputs are used
    for i, j in reversed(pairs):
        use_min, use_max = i in need, j in need
        if use_min or use_max:
            plan.append((i, j, use_min, use_max))
            need |= {i, j}
    wires = list(values)
    for i, j, use_min, use_max in reversed(plan):
        low = jnp.minimum(wires[i], wires[j]) if use_min else None
        high = jnp.maximum(wires[i], wires[j]) if use_max else None
        wires[i], wires[j] = low, high
    return [wires[k] for k in wanted]


def median5(u: jax.Array) -> jax.Array:
    """[B, h, w] -> the 5x5 median of each pixel's window, border pixels replicated.

    Exact (the median is one of the 25 values): the window's five columns are sorted (shared
    between neighbouring windows), then its five rows; the matrix stays sorted both ways, so 6
    values are surely below the median and 6 above, and it is the median of the other 13.
    """
    height, width = u.shape[-2:]
    padded = jnp.pad(u, ((0, 0), (2, 2), (2, 2)), mode="edge")
    column = _select([padded[:, r:r + height, :] for r in range(5)], list(range(5)))
    # rank r of the window's column c, at each output pixel
    ranks = [[column[r][:, :, c:c + width] for c in range(5)] for r in range(5)]
    # (r, c) is a candidate when (r + 1)(c + 1) <= 13 and (5 - r)(5 - c) <= 13.
    candidates = []
    for r in range(5):
        keep = [c for c in range(5) if (r + 1) * (c + 1) <= 13 and (5 - r) * (5 - c) <= 13]
        candidates += _select(ranks[r], keep)
    return _select(candidates, [6])[0]
