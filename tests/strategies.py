"""Hypothesis strategies shared by the tests: small random networks, inputs and labels."""

from __future__ import annotations

from hypothesis import strategies as st

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


@st.composite
def matrices(draw, rows: int, cols: int, elements=weight):
    """A rows×cols matrix of bounded floats."""
    return draw(st.lists(st.lists(elements, min_size=cols, max_size=cols), min_size=rows, max_size=rows))


def sparse_of(x: list[float]) -> list[tuple[int, float]]:
    """The (index, value) pairs of the non-zero entries of a dense vector."""
    return [(i, v) for i, v in enumerate(x) if v != 0.0]
