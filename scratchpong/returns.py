"""Rewards to advantages: discounted returns that restart at every point, then standardized per episode."""

from __future__ import annotations

import math

from scratchpong.matrix import Vector


def discount_rewards(rewards: Vector, gamma: float) -> Vector:
    """G_t = r_t + gamma·G_{t+1}, computed backwards, with G reset to 0 after every point (r ≠ 0).

    In Pong a reward is ±1 when a point ends; the actions after that point did not
    cause it, so the running sum restarts there (Karpathy's Pong-specific reset).

    >>> discount_rewards([0.0, 0.0, 1.0, 0.0, -1.0], 0.5)
    [0.25, 0.5, 1.0, -0.5, -1.0]
    """
    out = [0.0] * len(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        if rewards[t] != 0.0:
            running = 0.0  # a point was scored at t: the game restarts here
        running = running * gamma + rewards[t]
        out[t] = running
    return out


def standardize(v: Vector) -> Vector:
    """(v − mean) / std with the population std; all-equal values give all zeros, never NaN.

    "All equal" allows for rounding: the mean of three copies of 3.23 may miss 3.23 by an ulp,
    and dividing those ulps by their own tiny std would blow them up to ±1. So a std below
    1e-12 of the largest |v| counts as zero.

    >>> standardize([1.0, 2.0, 3.0])
    [-1.224744871391589, 0.0, 1.224744871391589]
    >>> standardize([5.0, 5.0])
    [0.0, 0.0]
    """
    if not v:
        return []
    mean = sum(v) / len(v)
    centered = [a - mean for a in v]
    std = math.sqrt(sum(c * c for c in centered) / len(v))
    if std <= 1e-12 * max(map(abs, v)) or not math.isfinite(std):
        return [0.0] * len(v)  # nothing to prefer: every step gets advantage 0
    return [c / std for c in centered]
