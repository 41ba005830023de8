"""`scratchpong gradcheck`: every equation of the backward pass, and the gradient training uses, against finite
differences.

Each of eq.1–eq.6 is the derivative of log P(y_a | x) with respect to one
quantity of the network (L_op3, L_ip3, W2, L_op2, L_ip2, W1). For each one we
write log P as a function of that quantity alone, nudge every entry by ±eps and
compare (f(v + eps) − f(v − eps)) / 2eps with the analytic value. Then the same
for `episode_gradient`, the very function training calls, on a random episode.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from scratchpong import policy
from scratchpong.commands.args import UserError, positive
from scratchpong.episode import Trajectory, episode_gradient
from scratchpong.matrix import Matrix, SparseVector, Vector, dot
from scratchpong.policy import log_sigm, relu
from scratchpong.returns import discount_rewards, standardize

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
    """Analytic against numeric for eq.1–eq.7, the input saliency and the whole network's dW1, dW2.

    Keys (for `only`; default all): "eq.1" … "eq.7", "saliency", "dW1", "dW2". eq.1 needs 0 < y_p < 1
    with room for ±eps.
    """
    H = len(W2)
    fwd = policy.policy_forward(W1, W2, x)
    d2 = policy.eq2_dlogp_dLip3(y_a, fwd.y_p)
    step = policy.step_backward(d2, fwd.h, W2)  # eq.3, eq.4, eq.5 as training runs them

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
        "eq.3": ("eq.3 dlogP/dW2", lambda: step.dW2,
                 lambda: central_difference(lambda v: logp_of_logit(dot(fwd.h, v), y_a), W2, eps)),
        "eq.4": ("eq.4 dlogP/dL_op2", lambda: step.dL_op2,
                 lambda: central_difference(lambda v: logp_of_logit(dot(v, W2), y_a), fwd.h, eps)),
        "eq.5": ("eq.5 dlogP/dL_ip2", lambda: step.dL_ip2,
                 lambda: central_difference(lambda v: logp_of_logit(dot(relu(v), W2), y_a), fwd.L_ip2, eps)),
        "eq.6": ("eq.6 dlogP/dW1", lambda: flatten(dense_rows(policy.eq6_dW1([policy.as_pairs(x)], [step.dL_ip2], H),
                                                                len(W1), H)),
                 lambda: central_difference(logp_of_W1, flatten(W1), eps)),
        "eq.7": ("eq.7 dlogP/dx", lambda: policy.eq7_dx(step.dL_ip2, W1),
                 lambda: central_difference(lambda v: policy.log_prob(W1, W2, v, y_a), x, eps)),
        "saliency": ("saliency dL_ip3/dx", lambda: policy.saliency(W1, W2, x),
                     lambda: central_difference(lambda v: policy.policy_forward(W1, W2, v).L_ip3, x, eps)),
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
    W1, W2 = policy.init_weights(D, H, rng)
    y_a = float(rng.random() < 0.5)
    for _ in range(1000):
        x = [rng.uniform(-1.0, 1.0) for _ in range(D)]
        if all(abs(z) >= margin for z in policy.x_times_W1(x, W1)):
            return W1, W2, x, y_a
    raise UserError("could not draw an input away from the ReLU kink; try another --seed")


def dense_rows(rows: dict[int, Vector], D: int, H: int) -> Matrix:
    """The D×H matrix whose rows are `rows` where given and 0.0 elsewhere."""
    return [rows[i] if i in rows else [0.0] * H for i in range(D)]


# ---------------------------------------------------------------- the gradient training uses


@dataclass
class Episode:
    """A random episode, as `run_episode` would record it, and what the check needs besides."""

    W1: Matrix
    W2: Vector
    traj: Trajectory
    labels: list[float]  # y_a of each step
    advantages: list[float]  # held fixed while W1 and W2 are nudged


def random_episode(D: int, H: int, T: int, seed: int, gamma: float = 0.9, margin: float = 1e-3) -> Episode:
    """T steps of sparse ±1 inputs drawn from a few pixels (so pixels repeat, turning on and off), labels
    sampled from the policy, and rewards with a point every few steps; advantages from discount_rewards +
    standardize, as in training. Inputs are redrawn until every L_ip2 is `margin` away from the ReLU kink.
    """
    if D < 1 or H < 1 or T < 1:
        raise ValueError(f"need at least one input, hidden unit and step, got D={D}, H={H}, T={T}")
    rng = random.Random(seed)
    W1, W2 = policy.init_weights(D, H, rng)
    pool = rng.sample(range(D), min(D, 5))
    traj, labels = Trajectory(), []
    for t in range(T):
        x = sparse_step(W1, pool, rng, margin)
        fwd = policy.policy_forward(W1, W2, x)
        y_a = 1.0 if rng.random() < fwd.y_p else 0.0  # sampled, as training samples
        traj.xs.append(x)
        traj.hs.append(fwd.h)
        traj.dlogps.append(policy.eq2_dlogp_dLip3(y_a, fwd.y_p))
        traj.rewards.append(rng.choice([1.0, -1.0]) if t == T - 1 or rng.random() < 0.3 else 0.0)
        labels.append(y_a)
    return Episode(W1, W2, traj, labels, standardize(discount_rewards(traj.rewards, gamma)))


def sparse_step(W1: Matrix, pool: list[int], rng: random.Random, margin: float) -> SparseVector:
    """One difference frame: 1 to 3 pixels of `pool`, each +1 or −1, away from the ReLU kink."""
    for _ in range(1000):
        chosen = sorted(rng.sample(pool, rng.randint(1, min(3, len(pool)))))
        x = [(i, rng.choice([1.0, -1.0])) for i in chosen]
        if all(abs(z) >= margin for z in policy.x_times_W1(x, W1)):
            return x
    raise UserError("could not draw an input away from the ReLU kink; try another --seed")


def check_episode(ep: Episode, gamma: float = 0.9, eps: float = EPS) -> list[Row]:
    """`episode_gradient` against central differences of J = Σ_t A_t log P(y_a,t | x_t), on the rows of W1
    that some input touches and on W2."""
    H = len(ep.W2)
    dW1, dW2 = episode_gradient(ep.traj, ep.W2, gamma)
    touched = sorted({i for x in ep.traj.xs for i, _ in x})

    def J(W1: Matrix, W2: Vector) -> float:
        return sum(A * policy.log_prob(W1, W2, x, y_a) for A, x, y_a in zip(ep.advantages, ep.traj.xs, ep.labels))

    def J_of_touched(v: list[float]) -> float:
        W1 = [list(row) for row in ep.W1]
        for k, i in enumerate(touched):
            W1[i] = v[k * H : (k + 1) * H]
        return J(W1, ep.W2)

    return [
        Row("episode_gradient dW1", flatten([dW1.get(i, [0.0] * H) for i in touched]),
            central_difference(J_of_touched, flatten([ep.W1[i] for i in touched]), eps)),
        Row("episode_gradient dW2", dW2, central_difference(lambda v: J(ep.W1, v), ep.W2, eps)),
    ]


# ---------------------------------------------------------------- the report


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


# ---------------------------------------------------------------- the subcommand


def cmd_gradcheck(args: argparse.Namespace) -> int:
    W1, W2, x, y_a = random_problem(args.inputs, args.hidden, args.seed)
    rows = check(W1, W2, x, y_a) + check_episode(random_episode(args.inputs, args.hidden, args.steps, args.seed))
    ok = all(r.ok for r in rows)
    if args.json:
        print(json.dumps({**as_json(rows, args.inputs, args.hidden, args.seed), "steps": args.steps}, indent=2))
    else:
        print(f"gradcheck: D={args.inputs} inputs, H={args.hidden} hidden units, seed {args.seed}; one example with "
              f"y_a={y_a:g}, then an episode of {args.steps} steps of ±1 pixels")
        print(report(rows))
        print(f"{'all equations agree' if ok else 'SOME ENTRIES DISAGREE'}: "
              f"|a - n| <= {ATOL:g} + {RTOL:g}*|n|, central difference with eps {EPS:g}")
    return 0 if ok else 1


def add_parser(sub) -> None:
    p = sub.add_parser("gradcheck", help="verify eq.1-eq.6 and the training gradient against finite differences",
                       description="Check each equation of the backward pass on a random small network, then "
                                   "episode_gradient (what training calls) on a random episode.")
    p.add_argument("--inputs", type=positive, default=6, help="D, the number of input pixels (default 6)")
    p.add_argument("--hidden", type=positive, default=4, help="H, the number of hidden units (default 4)")
    p.add_argument("--steps", type=positive, default=8, help="T, the steps of the random episode (default 8)")
    p.add_argument("--seed", type=int, default=0, help="random seed for weights, inputs and labels (default 0)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_gradcheck)
