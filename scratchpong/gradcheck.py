"""Checks every equation of the backward pass against a central finite difference.

Each of eq.1–eq.6 is the derivative of log P(y_a | x) with respect to one
quantity of the network (L_op3, L_ip3, W2, L_op2, L_ip2, W1). For each one we
write log P as a function of that quantity alone, nudge every entry by ±eps and
compare (f(v + eps) − f(v − eps)) / 2eps with the analytic value.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from scratchpong import policy
from scratchpong.matrix import Matrix, Vector, dot
from scratchpong.policy import log_sigm, relu

EPS = 1e-6
ATOL = 1e-7
RTOL = 1e-5


def central_difference(f: Callable[[list[float]], float], v: list[float], eps: float = EPS) -> list[float]:
    """n_k = (f(v + eps·e_k) − f(v − eps·e_k)) / 2eps for every entry k of v."""
    out = []
    for k in range(len(v)):
        plus, minus = list(v), list(v)
        plus[k] += eps
        minus[k] -= eps
        out.append((f(plus) - f(minus)) / (2 * eps))
    return out


def flatten(A: Matrix) -> list[float]:
    """The rows of A laid end to end."""
    return [a for row in A for a in row]


def unflatten(v: list[float], cols: int) -> Matrix:
    """The inverse of flatten for a matrix with `cols` columns."""
    return [v[r : r + cols] for r in range(0, len(v), cols)]


def close(a: float, n: float, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """|a − n| ≤ atol + rtol·|n|: the analytic value a agrees with the numeric n."""
    return abs(a - n) <= atol + rtol * abs(n)


def logp_of_logit(z: float, y_a: float) -> float:
    """log P as a function of L_ip3 alone: y_a log Sigm(z) + (1 − y_a) log Sigm(−z)."""
    return y_a * log_sigm(z) + (1.0 - y_a) * log_sigm(-z)


@dataclass
class Row:
    """One line of the report: an equation, its analytic and numeric values, and their errors."""

    name: str
    analytic: list[float]
    numeric: list[float]

    @property
    def max_abs(self) -> float:
        return max((abs(a - n) for a, n in zip(self.analytic, self.numeric)), default=0.0)

    @property
    def max_rel(self) -> float:
        """max |a − n| / |n| over the entries where |n| > 1e-3 (elsewhere it means little)."""
        return max((abs(a - n) / abs(n) for a, n in zip(self.analytic, self.numeric) if abs(n) > 1e-3), default=0.0)

    @property
    def ok(self) -> bool:
        return all(close(a, n) for a, n in zip(self.analytic, self.numeric))


def check(W1: Matrix, W2: Vector, x: Vector, y_a: float, eps: float = EPS, only: set[str] | None = None) -> list[Row]:
    """Analytic against numeric for eq.1–eq.6 and the whole network's dW1, dW2 (keys in `only`, default all).

    Keys: "eq.1" … "eq.6", "dW1", "dW2". eq.1 needs 0 < y_p < 1 with room for ±eps.
    """
    H = len(W2)
    fwd = policy.policy_forward(W1, W2, x)
    d2 = policy.eq2_dlogp_dLip3(y_a, fwd.y_p)
    d4 = policy.eq4_dlogp_dLop2(d2, W2)
    d5 = policy.eq5_dlogp_dLip2(d4, fwd.L_ip2)

    def logp_of_W1(v: list[float]) -> float:
        return policy.log_prob(unflatten(v, H), W2, x, y_a)

    def logp_of_W2(v: list[float]) -> float:
        return policy.log_prob(W1, v, x, y_a)

    def logp_of_Lop3(v: list[float]) -> float:
        return y_a * math.log(v[0]) + (1 - y_a) * math.log(1 - v[0])

    checks: dict[str, tuple[str, Callable[[], list[float]], Callable[[], list[float]]]] = {
        "eq.1": ("eq.1 dlogP/dL_op3", lambda: [policy.eq1_dlogp_dLop3(y_a, fwd.y_p)],
                 lambda: central_difference(logp_of_Lop3, [fwd.y_p], eps)),
        "eq.2": ("eq.2 dlogP/dL_ip3", lambda: [d2],
                 lambda: central_difference(lambda v: logp_of_logit(v[0], y_a), [fwd.L_ip3], eps)),
        "eq.3": ("eq.3 dlogP/dW2", lambda: policy.eq3_dW2(d2, fwd.h),
                 lambda: central_difference(lambda v: logp_of_logit(dot(fwd.h, v), y_a), W2, eps)),
        "eq.4": ("eq.4 dlogP/dL_op2", lambda: d4,
                 lambda: central_difference(lambda v: logp_of_logit(dot(v, W2), y_a), fwd.h, eps)),
        "eq.5": ("eq.5 dlogP/dL_ip2", lambda: d5,
                 lambda: central_difference(lambda v: logp_of_logit(dot(relu(v), W2), y_a), fwd.L_ip2, eps)),
        "eq.6": ("eq.6 dlogP/dW1", lambda: flatten(policy.eq6_dW1(x, d5)),
                 lambda: central_difference(logp_of_W1, flatten(W1), eps)),
        "dW1": ("network dW1", lambda: flatten(policy.gradients(W1, W2, x, y_a)[0]),
                lambda: central_difference(logp_of_W1, flatten(W1), eps)),
        "dW2": ("network dW2", lambda: policy.gradients(W1, W2, x, y_a)[1],
                lambda: central_difference(logp_of_W2, W2, eps)),
    }
    return [Row(name, analytic(), numeric()) for key, (name, analytic, numeric) in checks.items()
            if only is None or key in only]


def random_problem(D: int, H: int, seed: int, margin: float = 1e-3):
    """A random network (init N(0,1)/√fan_in), input x in [−1, 1]^D and label y_a in {0, 1}.

    x is redrawn until every hidden pre-activation L_ip2 is at least `margin` from
    the ReLU kink, where no finite difference can agree with a one-sided derivative.
    """
    if D < 1 or H < 1:
        raise ValueError(f"need at least one input and one hidden unit, got D={D}, H={H}")
    rng = random.Random(seed)
    W1 = [[rng.gauss(0.0, 1.0) / math.sqrt(D) for _ in range(H)] for _ in range(D)]
    W2 = [rng.gauss(0.0, 1.0) / math.sqrt(H) for _ in range(H)]
    y_a = float(rng.random() < 0.5)
    for _ in range(1000):
        x = [rng.uniform(-1.0, 1.0) for _ in range(D)]
        if all(abs(z) >= margin for z in policy.x_times_W1(x, W1)):
            return W1, W2, x, y_a
    raise ValueError("could not draw an input away from the ReLU kink")


def fmt(values: list[float], width: int = 3) -> str:
    """The first `width` values in short scientific notation, and how many more there are."""
    shown = ", ".join(f"{v + 0.0:+.6e}" for v in values[:width])  # + 0.0 turns −0.0 into 0.0
    return f"[{shown}{', …' if len(values) > width else ''}] ({len(values)})"


def report(rows: list[Row]) -> str:
    """The table `scratchpong gradcheck` prints."""
    lines = [f"{'quantity':<20} {'max |a-n|':>10} {'max rel':>10}  ok  analytic / numeric"]
    for r in rows:
        verdict = "yes" if r.ok else "NO "
        lines.append(f"{r.name:<20} {r.max_abs:>10.2e} {r.max_rel:>10.2e}  {verdict} {fmt(r.analytic)}")
        lines.append(f"{'':<20} {'':>10} {'':>10}      {fmt(r.numeric)}")
    return "\n".join(lines)


def as_json(rows: list[Row], D: int, H: int, seed: int) -> dict:
    """The same report as a JSON-ready dict."""
    return {
        "inputs": D, "hidden": H, "seed": seed, "eps": EPS, "atol": ATOL, "rtol": RTOL,
        "ok": all(r.ok for r in rows),
        "rows": [{"name": r.name, "ok": r.ok, "max_abs": r.max_abs, "max_rel": r.max_rel,
                  "analytic": r.analytic, "numeric": r.numeric} for r in rows],
    }
