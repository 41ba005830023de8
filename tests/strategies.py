"""Hypothesis strategies shared by the tests: small random networks, inputs and labels.

Each strategy draws only valid values, so no test has to throw examples away: where a
finite difference needs every hidden pre-activation L_ip2 away from the ReLU kink, the
draw is moved off it (`off_the_kink`), or built so it can never land on it (`episode_networks`).
"""

from __future__ import annotations

from hypothesis import strategies as st

from scratchpong.policy import x_times_W1

KINK_MARGIN = 1e-4  # 100 eps: no ±eps nudge can carry a hidden unit across the ReLU kink

weight = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
pixel = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
label = st.sampled_from([0.0, 1.0])


@st.composite
def networks(draw, max_size: int = 12):
    """(W1 as D×H, W2 as H, dense x as D, y_a) with D, H in 1..max_size and bounded entries."""
    D = draw(st.integers(1, max_size))
    H = draw(st.integers(1, max_size))
    W1 = draw(st.lists(st.lists(weight, min_size=H, max_size=H), min_size=D, max_size=D))
    W2 = draw(st.lists(weight, min_size=H, max_size=H))
    x = draw(st.lists(pixel, min_size=D, max_size=D))
    return W1, W2, x, draw(label)


def off_the_kink(W1: list[list[float]], x: list[float]) -> tuple[list[list[float]], list[float]]:
    """(W1, x) moved so that every L_ip2 = x*W1 is at least 2·KINK_MARGIN from 0.

    x gets one entry of size ≥ 0.5 if it has none of size ≥ 0.1; then for each hidden unit j
    too near the kink, the weight from x's largest pixel is shifted to put L_ip2_j at ±2·KINK_MARGIN.
    """
    x = list(x)
    k = max(range(len(x)), key=lambda i: abs(x[i]))
    if abs(x[k]) < 0.1:
        x[k] = 0.5
    W1 = [list(row) for row in W1]
    for j, z in enumerate(x_times_W1(x, W1)):
        if abs(z) < 2 * KINK_MARGIN:
            target = 2 * KINK_MARGIN if z >= 0.0 else -2 * KINK_MARGIN
            W1[k][j] += (target - z) / x[k]
    return W1, x


@st.composite
def kink_free_networks(draw, max_size: int = 12):
    """`networks`, moved off the ReLU kink by `off_the_kink`."""
    W1, W2, x, y_a = draw(networks(max_size))
    W1, x = off_the_kink(W1, x)
    return W1, W2, x, y_a


@st.composite
def episode_networks(draw, max_size: int = 6):
    """(W1, W2) whose L_ip2 is at least 2^-D/100 ≥ 1.5e-4 from the kink for every input of distinct ±1 pixels.

    W1[i][j] = (k + 2^-(i+1)) / 100 with an integer k: a signed sum of distinct powers of two
    is never a whole number, so no choice of pixels and signs can cancel to 0.
    """
    D = draw(st.integers(1, max_size))
    H = draw(st.integers(1, max_size))
    ks = st.integers(-100, 99)
    W1 = [[(draw(ks) + 2.0 ** -(i + 1)) / 100 for _ in range(H)] for i in range(D)]
    W2 = draw(st.lists(weight, min_size=H, max_size=H))
    return W1, W2


@st.composite
def matrices(draw, rows: int, cols: int, elements=weight):
    """A rows×cols matrix of bounded floats."""
    return draw(st.lists(st.lists(elements, min_size=cols, max_size=cols), min_size=rows, max_size=rows))


def sparse_of(x: list[float]) -> list[tuple[int, float]]:
    """The (index, value) pairs of the non-zero entries of a dense vector."""
    return [(i, v) for i, v in enumerate(x) if v != 0.0]
