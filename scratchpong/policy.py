"""The two-layer policy y_p = Sigm(Relu(x*W1)*W2) and its backward pass, one function per equation.

Notation is the derivation's (docs/derivation.md): layer 2 is the hidden layer and
layer 3 the output, ``L_ip^i`` is the input to layer i and ``L_op^i`` its output:

    L_ip2 = x*W1          (x is a row vector of D pixels, W1 is D×H)
    h     = L_op2 = Relu(L_ip2)
    L_ip3 = h*W2          (W2 has H entries, so L_ip3 is a scalar logit)
    y_p   = L_op3 = Sigm(L_ip3)   = P(action UP | x)

``y_a`` is the label: 1 for UP, 0 for DOWN. The backward pass differentiates
log P(y_a | x) = y_a log y_p + (1 − y_a) log(1 − y_p); the seed calls this
quantity P, and writes Σ P for the objective where it means Σ log P (see the
errata in docs/derivation.md).

``x`` may be dense (``list[float]`` of length D) or sparse (``(index, value)``
pairs, as difference frames are); both give the same numbers.
"""

from __future__ import annotations

import math
import random
from operator import mul
from typing import NamedTuple

from scratchpong.matrix import Matrix, SparseVector, Vector, dot, signed_sum, sparse_vecmat, vecmat, vector_sum


class Forward(NamedTuple):
    """Every intermediate of one forward pass, named as in the derivation."""

    L_ip2: Vector  # x*W1, H entries
    h: Vector  # L_op2 = Relu(L_ip2), H entries
    L_ip3: float  # h*W2, the logit
    y_p: float  # L_op3 = Sigm(L_ip3), the probability of UP


# ---------------------------------------------------------------- activations


def sigm(z: float) -> float:
    """Sigm(z) = 1 / (1 + e^−z), written so that exp never overflows (z = ±1e6 is fine)."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # z < 0, so e is in (0, 1)
    return e / (1.0 + e)


def softplus(z: float) -> float:
    """softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^−|z|), which never overflows."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def log_sigm(z: float) -> float:
    """log Sigm(z) = −softplus(−z): finite for every finite z, never log(0)."""
    return -softplus(-z)


def relu(v: Vector) -> Vector:
    """Relu(v)_j = max(0, v_j)."""
    return [a if a > 0.0 else 0.0 for a in v]


# ---------------------------------------------------------------- initial weights


def init_weights(D: int, H: int, rng: random.Random) -> tuple[Matrix, Vector]:
    """W1 (D×H) and W2 (H) drawn N(0, 1)/√fan_in, W1 first, row by row (Karpathy's "Xavier" init)."""
    if D < 1 or H < 1:
        raise ValueError(f"init_weights: need D >= 1 and H >= 1, got D={D}, H={H}")
    W1 = [[rng.gauss(0.0, 1.0) / math.sqrt(D) for _ in range(H)] for _ in range(D)]
    W2 = [rng.gauss(0.0, 1.0) / math.sqrt(H) for _ in range(H)]
    return W1, W2


# ---------------------------------------------------------------- forward pass


def is_sparse(x: Vector | SparseVector) -> bool:
    """True when x is given as (index, value) pairs rather than a dense list."""
    return bool(x) and isinstance(x[0], tuple)


def x_times_W1(x: Vector | SparseVector, W1: Matrix) -> Vector:
    """L_ip2 = x*W1, for x dense (length D) or sparse (pairs); W1 is D×H."""
    H = len(W1[0]) if W1 else 0
    if is_sparse(x) or not x:
        return sparse_vecmat(x, W1, H)  # type: ignore[arg-type]
    return vecmat(x, W1)  # type: ignore[arg-type]


def policy_forward(W1: Matrix, W2: Vector, x: Vector | SparseVector) -> Forward:
    """y_p = Sigm(Relu(x*W1)*W2), keeping L_ip2, h and L_ip3 for the backward pass."""
    if W1 and len(W1[0]) != len(W2):
        raise ValueError(f"policy_forward: W1 has shape ({len(W1)}, {len(W1[0])}) but W2 has shape ({len(W2)},)")
    L_ip2 = x_times_W1(x, W1)
    h = relu(L_ip2)  # h = L_op2
    L_ip3 = dot(h, W2)
    y_p = sigm(L_ip3)  # y_p = L_op3
    return Forward(L_ip2, h, L_ip3, y_p)


def log_prob(W1: Matrix, W2: Vector, x: Vector | SparseVector, y_a: float) -> float:
    """log P(y_a | x) = y_a log y_p + (1 − y_a) log(1 − y_p), through log-sigmoid so it is never log(0).

    Uses 1 − Sigm(z) = Sigm(−z), so log(1 − y_p) = log_sigm(−L_ip3).
    """
    L_ip3 = policy_forward(W1, W2, x).L_ip3
    return y_a * log_sigm(L_ip3) + (1.0 - y_a) * log_sigm(-L_ip3)


# ---------------------------------------------------------------- backward pass, eq.1 … eq.6
# Each function is one equation of docs/derivation.md. "d" means d log P(y_a | x).


def eq1_dlogp_dLop3(y_a: float, y_p: float) -> float:
    """eq.1: d logP / dL_op3 = y_a / L_op3 − (1 − y_a) / (1 − L_op3), with L_op3 = y_p.

    Shown for the derivation; it divides by y_p and 1 − y_p, so the code path
    uses eq.2, where those divisions cancel. Needs 0 < y_p < 1.
    """
    return y_a / y_p - (1.0 - y_a) / (1.0 - y_p)


def eq2_dlogp_dLip3(y_a: float, y_p: float) -> float:
    """eq.2: d logP / dL_ip3 = eq.1 · Sigm'(L_ip3) = eq.1 · y_p (1 − y_p) = y_a − y_p.

    >>> eq2_dlogp_dLip3(1.0, 0.75)
    0.25
    """
    return y_a - y_p


def eq3_dW2(dL_ip3: float, h: Vector) -> Vector:
    """eq.3: d logP / dW2 = (d logP / dL_ip3) · h, because L_ip3 = h*W2; H entries."""
    return [dL_ip3 * hj for hj in h]


def eq4_dlogp_dLop2(dL_ip3: float, W2: Vector) -> Vector:
    """eq.4: d logP / dL_op2 = (d logP / dL_ip3) · W2, because L_ip3 = L_op2*W2; H entries."""
    return [dL_ip3 * w for w in W2]


def eq5_dlogp_dLip2(dL_op2: Vector, L_ip2: Vector) -> Vector:
    """eq.5: d logP / dL_ip2 = (d logP / dL_op2) where L_ip2 > 0, else 0 (ReLU sub-gradient, Relu'(0) = 0).

    The seed writes the condition on x; it belongs on L_ip2 (errata in docs/derivation.md).
    h > 0 exactly where L_ip2 > 0, so passing h for L_ip2 gives the same mask.

    >>> eq5_dlogp_dLip2([0.5, 0.5, 0.5], [2.0, 0.0, -1.0])
    [0.5, 0.0, 0.0]
    """
    if len(dL_op2) != len(L_ip2):
        raise ValueError(f"eq5: shapes ({len(dL_op2)},) and ({len(L_ip2)},) differ")
    return [g if z > 0.0 else 0.0 for g, z in zip(dL_op2, L_ip2)]


def eq6_dW1(xs: list[SparseVector], dL_ip2s: list[Vector], H: int) -> dict[int, Vector]:
    """eq.6, summed over steps: row i of Σ_t dW1_t is Σ_t x_t,i · (eq.5)_t; only rows some x_t touches exist.

    For one step it is the outer product xᵀ · eq.5 (the seed writes it as a product
    conditioned on x > 0; errata in docs/derivation.md), kept to the rows where
    x_i ≠ 0, since every other row is 0. Summed over an episode, the steps are
    grouped by pixel: the eq.5 rows of the steps where a pixel turned on (+1) are
    added, those where it turned off (−1) subtracted, in one pass (~3× faster in
    pure Python than adding step by step). Other values scale their row first.

    >>> eq6_dW1([[(0, 1.0)], [(0, -1.0), (1, 1.0)]], [[1.0, 2.0], [0.5, 0.5]], H=2)
    {0: [0.5, 1.5], 1: [0.5, 0.5]}
    """
    if len(xs) != len(dL_ip2s):
        raise ValueError(f"eq6: {len(xs)} inputs but {len(dL_ip2s)} eq.5 rows")
    plus: dict[int, list[Vector]] = {}
    minus: dict[int, list[Vector]] = {}
    for x, dL_ip2 in zip(xs, dL_ip2s):
        for i, xi in x:
            if xi == 1.0:
                plus.setdefault(i, []).append(dL_ip2)
            elif xi == -1.0:
                minus.setdefault(i, []).append(dL_ip2)
            elif xi != 0.0:
                plus.setdefault(i, []).append([xi * d for d in dL_ip2])
    return {i: signed_sum(plus.get(i, []), minus.get(i, []), H) for i in sorted(plus.keys() | minus.keys())}


def eq7_dx(dL_ip2: Vector, W1: Matrix) -> Vector:
    """eq.7, one step past the seed: d/dx_i = Σ_j W1[i][j] · (d/dL_ip2)_j, because L_ip2 = x*W1; D entries.

    Training never needs it (x is data, not a weight). It says which pixels, if they
    changed, would move the output, and how much: see `saliency`.

    >>> eq7_dx([0.5, 0.0], [[1.0, 9.0], [-2.0, 9.0]])
    [0.5, -1.0]
    """
    if W1 and len(W1[0]) != len(dL_ip2):
        raise ValueError(f"eq7: W1 has {len(W1[0])} columns but d/dL_ip2 has {len(dL_ip2)} entries")
    alive = [j for j, g in enumerate(dL_ip2) if g != 0.0]  # dead units pass nothing back (eq.5)
    g = [dL_ip2[j] for j in alive]
    return [sum(map(mul, [row[j] for j in alive], g)) for row in W1]


# ---------------------------------------------------------------- the backward pass, written once


class StepBackward(NamedTuple):
    """What one step's backward pass leaves, named as in the derivation ("d" is d log P)."""

    dW2: Vector  # eq.3
    dL_op2: Vector  # eq.4
    dL_ip2: Vector  # eq.5, the row that eq.6 turns into dW1


def step_backward(dL_ip3: float, h: Vector, W2: Vector) -> StepBackward:
    """One step, from d/dL_ip3 back in the derivation's order: eq.3, eq.4, eq.5 (eq.6 comes with the sum).

    h stands in for L_ip2 in eq.5's mask: h = Relu(L_ip2) > 0 exactly where L_ip2 > 0.
    """
    dW2 = eq3_dW2(dL_ip3, h)
    dL_op2 = eq4_dlogp_dLop2(dL_ip3, W2)
    dL_ip2 = eq5_dlogp_dLip2(dL_op2, h)
    return StepBackward(dW2, dL_op2, dL_ip2)


def policy_backward(
    xs: list[SparseVector], hs: list[Vector], dL_ip3s: list[float], W2: Vector
) -> tuple[dict[int, Vector], Vector]:
    """Σ_t d/d(W1, W2) over the steps of an episode, from each step's dL_ip3 (eq.2, times its advantage).

    Every step goes through `step_backward`; then dW2 is summed entry by entry and
    dW1 by eq.6, only in the rows of pixels that changed. Returns (dW1 as {row i: H
    entries}, dW2 as H entries), as pg-pong.py's policy_backward returns both.
    """
    if not len(xs) == len(hs) == len(dL_ip3s):
        raise ValueError(f"policy_backward: {len(xs)} inputs, {len(hs)} hidden vectors, {len(dL_ip3s)} dL_ip3s")
    dW2s: list[Vector] = []
    dL_ip2s: list[Vector] = []
    for dL_ip3, h in zip(dL_ip3s, hs):
        step = step_backward(dL_ip3, h, W2)
        dW2s.append(step.dW2)
        dL_ip2s.append(step.dL_ip2)
    return eq6_dW1(xs, dL_ip2s, len(W2)), vector_sum(dW2s, len(W2))


def as_pairs(x: Vector | SparseVector) -> SparseVector:
    """x as sparse (index, value) pairs, whether it came dense or sparse."""
    return x if is_sparse(x) or not x else [(i, xi) for i, xi in enumerate(x) if xi != 0.0]  # type: ignore[return-value]


def saliency(W1: Matrix, W2: Vector, x: Vector | SparseVector) -> Vector:
    """dL_ip3/dx_i = Σ_j W1[i][j] · W2[j] · [L_ip2,j > 0]: eq.4 and eq.5 from dL_ip3 = 1, then eq.7.

    Positive where turning pixel i on would push the agent towards UP, negative towards DOWN.
    """
    fwd = policy_forward(W1, W2, x)
    return eq7_dx(step_backward(1.0, fwd.h, W2).dL_ip2, W1)


def gradients(W1: Matrix, W2: Vector, x: Vector | SparseVector, y_a: float, advantage: float = 1.0):
    """(d logP/dW1 as D×H, d logP/dW2 as H) for one example: forward, eq.2 times the advantage, policy_backward.

    A sparse x gives the same numbers as its dense twin: rows it does not touch are 0.0.
    """
    fwd = policy_forward(W1, W2, x)
    dL_ip3 = advantage * eq2_dlogp_dLip3(y_a, fwd.y_p)  # policy gradient: eq.2 times the advantage
    rows, dW2 = policy_backward([as_pairs(x)], [fwd.h], [dL_ip3], W2)
    H = len(W2)
    return [rows[i] if i in rows else [0.0] * H for i in range(len(W1))], dW2
