"""A tiny list-based linear-algebra kit: the products and sums the policy runs on, and a few textbook
operations (matmul, outer, transpose, add, scale) that state the laws the tests check them by.

Vectors are ``list[float]``; a matrix is a list of rows, so ``W[i][j]`` is row i,
column j. Following the derivation, ``x`` is a *row* vector and ``x*W`` is the
product of a row vector with a matrix. A difference frame is mostly zeros, so it
also comes as a sparse vector: a list of ``(index, value)`` pairs.
"""

from __future__ import annotations

from operator import mul, sub

Vector = list[float]
Matrix = list[Vector]
SparseVector = list[tuple[int, float]]


def zeros(rows: int, cols: int | None = None) -> Matrix | Vector:
    """zeros(n) = [0.0]*n; zeros(r, c) = an r×c matrix of 0.0."""
    if rows < 0 or (cols is not None and cols < 0):
        raise ValueError(f"zeros: sizes must be >= 0, got ({rows}, {cols})")
    if cols is None:
        return [0.0] * rows
    return [[0.0] * cols for _ in range(rows)]


def shape(A: Matrix) -> tuple[int, int]:
    """shape(A) = (rows, cols); every row must have the same length."""
    rows = len(A)
    cols = len(A[0]) if rows else 0
    for i, row in enumerate(A):
        if len(row) != cols:
            raise ValueError(f"shape: ragged matrix, row 0 has {cols} entries, row {i} has {len(row)}")
    return rows, cols


def dot(u: Vector, v: Vector) -> float:
    """u·v = Σ_i u_i v_i."""
    if len(u) != len(v):
        raise ValueError(f"dot: shapes ({len(u)},) and ({len(v)},) differ")
    return sum(map(mul, u, v))


def vecmat(x: Vector, W: Matrix) -> Vector:
    """(x*W)_j = Σ_i x_i W[i][j]: a row vector (D) times a D×H matrix gives H entries."""
    rows, cols = shape(W)
    if len(x) != rows:
        raise ValueError(f"vecmat: x has shape ({len(x)},) but W has shape ({rows}, {cols})")
    return sparse_vecmat([(i, xi) for i, xi in enumerate(x) if xi != 0.0], W, cols)


def sparse_vecmat(x: SparseVector, W: Matrix, cols: int | None = None) -> Vector:
    """(x*W)_j = Σ_{(i, x_i) in x} x_i W[i][j]: only the rows of W that x touches are read.

    A difference frame's values are ±1, so x*W is (sum of the rows where x_i = +1) −
    (sum of the rows where x_i = −1); other values scale their row first.
    """
    if cols is None:
        cols = len(W[0]) if W else 0
    plus, minus = [], []
    for i, xi in x:
        if not 0 <= i < len(W):
            raise ValueError(f"sparse_vecmat: index {i} is outside W of shape ({len(W)}, {cols})")
        if xi == 1.0:
            plus.append(W[i])
        elif xi == -1.0:
            minus.append(W[i])
        elif xi != 0.0:
            plus.append([xi * w for w in W[i]])
    return signed_sum(plus, minus, cols)


def vector_sum(vectors: list[Vector], size: int) -> Vector:
    """Σ_k vectors[k], entry by entry, added in list order (zip + sum run the loop in C)."""
    if not vectors:
        return [0.0] * size
    return list(map(sum, zip(*vectors)))


def signed_sum(plus: list[Vector], minus: list[Vector], size: int) -> Vector:
    """Σ plus − Σ minus, entry by entry."""
    if not minus:
        return vector_sum(plus, size)
    return list(map(sub, vector_sum(plus, size), vector_sum(minus, size)))


def densify(x: SparseVector, size: int) -> Vector:
    """densify([(i, v), ...], n)[i] = v, every other entry 0.0 (repeated indices add)."""
    out = [0.0] * size
    for i, v in x:
        if not 0 <= i < size:
            raise ValueError(f"densify: index {i} is outside a vector of shape ({size},)")
        out[i] += v
    return out


def matmul(A: Matrix, B: Matrix) -> Matrix:
    """(AB)[i][j] = Σ_k A[i][k] B[k][j]."""
    (n, k), (k2, m) = shape(A), shape(B)
    if k != k2:
        raise ValueError(f"matmul: shapes ({n}, {k}) and ({k2}, {m}) do not chain")
    return [vecmat(row, B) if k else [0.0] * m for row in A]


def outer(u: Vector, v: Vector) -> Matrix:
    """outer(u, v)[i][j] = u_i v_j: a column times a row gives len(u)×len(v)."""
    return [[ui * vj for vj in v] for ui in u]


def transpose(A: Matrix) -> Matrix:
    """transpose(A)[j][i] = A[i][j]."""
    rows, cols = shape(A)
    return [[A[i][j] for i in range(rows)] for j in range(cols)]


def add(A: Matrix | Vector, B: Matrix | Vector) -> Matrix | Vector:
    """(A + B)_ij = A_ij + B_ij, for two vectors or two matrices of the same shape."""
    if A and isinstance(A[0], list):
        if shape(A) != shape(B):  # type: ignore[arg-type]
            raise ValueError(f"add: shapes {shape(A)} and {shape(B)} differ")  # type: ignore[arg-type]
        return [[a + b for a, b in zip(ra, rb)] for ra, rb in zip(A, B)]  # type: ignore[arg-type]
    if len(A) != len(B):
        raise ValueError(f"add: shapes ({len(A)},) and ({len(B)},) differ")
    return [a + b for a, b in zip(A, B)]  # type: ignore[operator]


def scale(c: float, A: Matrix | Vector) -> Matrix | Vector:
    """(c·A)_ij = c A_ij, for a vector or a matrix."""
    if A and isinstance(A[0], list):
        return [[c * a for a in row] for row in A]  # type: ignore[union-attr]
    return [c * a for a in A]  # type: ignore[operator]
