"""discount_rewards and standardize against worked examples; one RMSProp step against hand-computed numbers."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchpong.returns import discount_rewards, standardize
from scratchpong.rmsprop import EPS, rmsprop_row, rmsprop_W1, rmsprop_W2


def test_discount_rewards_worked_example():
    # gamma 0.5; the point at t=2 ends the first rally, the point at t=4 the second.
    assert discount_rewards([0.0, 0.0, 1.0, 0.0, -1.0], 0.5) == [0.25, 0.5, 1.0, -0.5, -1.0]


def test_discount_rewards_resets_at_every_point():
    # Without the reset, t=1 would see 0.9·(1 + 0.9·…): with it, only its own rally's point counts.
    got = discount_rewards([0.0, 1.0, 0.0, 0.0, -1.0], 0.9)
    assert got == pytest.approx([0.9, 1.0, -0.81, -0.9, -1.0])


def test_discount_rewards_with_no_point_is_all_zero_and_empty_is_empty():
    assert discount_rewards([0.0, 0.0, 0.0], 0.99) == [0.0, 0.0, 0.0]
    assert discount_rewards([], 0.99) == []


@given(st.lists(st.floats(-10, 10), min_size=2, max_size=50), st.integers(0, 49), st.floats(0.01, 10))
def test_standardize_has_mean_zero_unit_std_and_keeps_the_order(v, k, gap):
    v = v + [v[k % len(v)] + gap]  # at least two values that differ: the spread is never zero
    z = standardize(v)
    assert all(math.isfinite(a) for a in z)
    assert abs(sum(z) / len(z)) < 1e-9
    assert abs(sum(a * a for a in z) / len(z) - 1.0) < 1e-9
    for a, b, za, zb in zip(v, v[1:], z, z[1:]):  # larger return, larger advantage
        assert (za <= zb if a < b else za >= zb) and (a != b or za == zb)  # rounding may tie near neighbours


def test_standardize_survives_zero_variance():
    assert standardize([-1.0] * 5) == [0.0] * 5
    assert standardize([0.0] * 4) == [0.0] * 4
    assert standardize([]) == []


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(1, 50))
def test_standardize_of_equal_values_is_all_zero_despite_rounding(value, n):
    assert standardize([value] * n) == [0.0] * n  # e.g. 3 × 3.229916016255591 once gave [-1, -1, -1]


def test_one_rmsprop_step_by_hand():
    # cache = 0.9·1 + 0.1·2² = 1.3; w = 0.5 + 0.01·2/(√1.3 + 1e-5)
    w, cache = rmsprop_row([0.5], [2.0], [1.0], lr=0.01, decay=0.9)
    assert cache == [pytest.approx(1.3)]
    assert w == [pytest.approx(0.5 + 0.02 / (math.sqrt(1.3) + EPS), rel=1e-15)]


def test_rmsprop_is_ascent():
    w, _ = rmsprop_row([0.0, 0.0], [3.0, -3.0], [0.0, 0.0], lr=0.1, decay=0.99)
    assert w[0] > 0.0 > w[1]


def test_sparse_W1_update_equals_the_dense_formula_on_every_row():
    W1 = [[0.1, -0.2], [0.3, 0.4], [0.5, -0.6]]
    cache = [[0.0, 0.0], [0.2, 0.1], [0.0, 0.0]]
    grad_rows = {2: [1.0, -2.0]}  # rows 0 and 1 have zero gradient
    dense = [rmsprop_row(w, grad_rows.get(i, [0.0, 0.0]), c, 1e-3, 0.99) for i, (w, c) in enumerate(zip(W1, cache))]
    rmsprop_W1(W1, grad_rows, cache, 1e-3, 0.99)
    assert W1 == [w for w, _ in dense]
    assert cache == [c for _, c in dense]


def test_W2_update_in_place():
    W2, cache = [1.0, 2.0], [0.0, 0.0]
    rmsprop_W2(W2, [0.0, 1.0], cache, 0.1, 0.5)
    assert W2[0] == 1.0 and W2[1] == pytest.approx(2.0 + 0.1 / (math.sqrt(0.5) + EPS))
    assert cache == [0.0, 0.5]
