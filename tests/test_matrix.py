"""Laws of the list-based matrix module: transpose, products, the sparse product, shape errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchpong import matrix as m
from tests.strategies import matrices, pixel, sparse_of, weight

sizes = st.integers(1, 6)


def approx_equal(A, B, tol=1e-12):
    return m.shape(A) == m.shape(B) and all(abs(a - b) <= tol for ra, rb in zip(A, B) for a, b in zip(ra, rb))


@given(st.data(), sizes, sizes, sizes)
def test_transpose_of_product_is_product_of_transposes(data, n, k, p):
    A = data.draw(matrices(n, k))
    B = data.draw(matrices(k, p))
    assert approx_equal(m.transpose(m.matmul(A, B)), m.matmul(m.transpose(B), m.transpose(A)))


def naive_vecmat(x, W):
    """The textbook formula, entry by entry: (x*W)_j = Σ_i x_i W[i][j]."""
    return [sum(x[i] * W[i][j] for i in range(len(x))) for j in range(len(W[0]))]


@given(st.data(), sizes, sizes)
def test_dense_and_sparse_vecmat_equal_the_textbook_formula(data, D, H):
    W = data.draw(matrices(D, H))
    x = data.draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, -1.0]) | pixel, min_size=D, max_size=D))
    expected = naive_vecmat(x, W)
    for got in (m.vecmat(x, W), m.sparse_vecmat(sparse_of(x), W, H)):
        assert all(abs(a - b) <= 1e-12 for a, b in zip(got, expected))
    assert m.densify(sparse_of(x), D) == x


@given(st.data(), sizes, sizes, weight, weight)
def test_vecmat_is_linear(data, D, H, a, b):
    W = data.draw(matrices(D, H))
    x = data.draw(st.lists(pixel, min_size=D, max_size=D))
    y = data.draw(st.lists(pixel, min_size=D, max_size=D))
    left = m.vecmat(m.add(m.scale(a, x), m.scale(b, y)), W)
    right = m.add(m.scale(a, m.vecmat(x, W)), m.scale(b, m.vecmat(y, W)))
    assert all(abs(u - v) <= 1e-12 for u, v in zip(left, right))


@given(st.data(), sizes, sizes)
def test_outer_is_column_times_row(data, n, p):
    u = data.draw(st.lists(weight, min_size=n, max_size=n))
    v = data.draw(st.lists(weight, min_size=p, max_size=p))
    assert m.outer(u, v) == m.matmul([[a] for a in u], [v])


def test_small_worked_examples():
    W = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert m.shape(W) == (3, 2)
    assert m.vecmat([1.0, 0.0, -1.0], W) == [-4.0, -4.0]
    assert m.sparse_vecmat([(0, 1.0), (2, -1.0)], W) == [-4.0, -4.0]
    assert m.transpose(W) == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]
    assert m.dot([1.0, 2.0], [3.0, 4.0]) == 11.0
    assert m.zeros(2, 3) == [[0.0] * 3, [0.0] * 3]
    assert m.zeros(2) == [0.0, 0.0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: m.vecmat([1.0, 2.0], [[1.0], [2.0], [3.0]]), "x has shape (2,) but W has shape (3, 1)"),
        (lambda: m.dot([1.0], [1.0, 2.0]), "shapes (1,) and (2,) differ"),
        (lambda: m.matmul([[1.0, 2.0]], [[1.0, 2.0]]), "shapes (1, 2) and (1, 2) do not chain"),
        (lambda: m.add([[1.0]], [[1.0, 2.0]]), "shapes (1, 1) and (1, 2) differ"),
        (lambda: m.shape([[1.0, 2.0], [3.0]]), "row 0 has 2 entries, row 1 has 1"),
        (lambda: m.sparse_vecmat([(5, 1.0)], [[1.0], [2.0]]), "index 5 is outside W of shape (2, 1)"),
        (lambda: m.zeros(-1), "sizes must be >= 0"),
    ],
)
def test_shape_errors_name_both_shapes(call, message):
    with pytest.raises(ValueError) as e:
        call()
    assert message in str(e.value)
