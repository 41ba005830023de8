"""RMSProp, as Karpathy used it: per-weight step sizes from a running mean of squared gradients.

    cache = decay·cache + (1 − decay)·g²
    W     = W + lr·g / (√cache + eps)        (ascent: we maximise Σ advantage·log P)
"""

from __future__ import annotations

import math

from scratchpong.matrix import Matrix, Vector

EPS = 1e-5


def rmsprop_row(w: Vector, g: Vector, cache: Vector, lr: float, decay: float) -> tuple[Vector, Vector]:
    """One RMSProp step on a row: returns (new w, new cache).

    >>> rmsprop_row([0.0], [2.0], [0.0], lr=0.1, decay=0.9)
    ([0.3162227660958937], [0.3999999999999999])
    """
    cache = [decay * c + (1.0 - decay) * gi * gi for c, gi in zip(cache, g)]
    w = [wi + lr * gi / (root + EPS) for wi, gi, root in zip(w, g, map(math.sqrt, cache))]  # root = √cache
    return w, cache


def rmsprop_W1(W1: Matrix, grad_rows: dict[int, Vector], cache: Matrix, lr: float, decay: float) -> None:
    """RMSProp on W1 in place, where the gradient is sparse: only the rows in grad_rows are non-zero.

    A row with g = 0 leaves its weights as they are (lr·0/… = 0) and only decays its
    cache, which is exactly what the dense formula computes, at a fraction of the cost.
    """
    for i in range(len(W1)):
        g = grad_rows.get(i)
        if g is not None:
            W1[i], cache[i] = rmsprop_row(W1[i], g, cache[i], lr, decay)
        elif any(cache[i]):
            cache[i] = [decay * c for c in cache[i]]  # g = 0: cache decays, weights stay


def rmsprop_W2(W2: Vector, grad: Vector, cache: Vector, lr: float, decay: float) -> None:
    """RMSProp on W2 in place."""
    W2[:], cache[:] = rmsprop_row(W2, grad, cache, lr, decay)
