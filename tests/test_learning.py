"""The whole learning rule on a problem small enough to solve in seconds.

Same network, sampling, fake labels, advantages, backward pass and RMSProp as on
Pong; only the "game" is new: two input patterns, and the right action depends on
which one is shown (pattern 0 wants UP, pattern 1 wants DOWN).
"""

import random

from scratchpong.episode import Trajectory, episode_gradient
from scratchpong.policy import eq2_dlogp_dLip3, policy_forward
from scratchpong.rmsprop import rmsprop_W1, rmsprop_W2

# Like difference frames: pixels turn on (+1) and off (−1). Pixel 2 turns on in both patterns, so the network
# must tell them apart by pixels 0 and 1, which change in opposite directions.
PATTERNS = [[(0, 1.0), (1, -1.0), (2, 1.0)], [(0, -1.0), (1, 1.0), (2, 1.0)]]


def play(W1, W2, rng, steps=20) -> Trajectory:
    """An episode of `steps` one-step points: +1 for the right action, −1 for the wrong one."""
    traj = Trajectory()
    for _ in range(steps):
        k = rng.randrange(2)
        x = PATTERNS[k]
        fwd = policy_forward(W1, W2, x)
        up = rng.random() < fwd.y_p
        y_a = 1.0 if up else 0.0
        traj.xs.append(x)
        traj.hs.append(fwd.h)
        traj.dlogps.append(eq2_dlogp_dLip3(y_a, fwd.y_p))
        traj.rewards.append(1.0 if up == (k == 0) else -1.0)
    return traj


def p_right(W1, W2) -> float:
    """Mean probability of the right action over the two patterns."""
    return (policy_forward(W1, W2, PATTERNS[0]).y_p + 1.0 - policy_forward(W1, W2, PATTERNS[1]).y_p) / 2


def test_policy_gradient_learns_the_right_action_for_each_pattern():
    rng = random.Random(0)
    D, H = 3, 8
    W1 = [[rng.gauss(0, 1) / D**0.5 for _ in range(H)] for _ in range(D)]
    W2 = [rng.gauss(0, 1) / H**0.5 for _ in range(H)]
    cache_W1, cache_W2 = [[0.0] * H for _ in range(D)], [0.0] * H
    before = p_right(W1, W2)
    assert 0.3 < before < 0.7
    for _ in range(60):  # batches of 2 episodes, like the trainer's sum over a batch
        grad_W1: dict[int, list[float]] = {}
        grad_W2 = [0.0] * H
        for _ in range(2):
            g1, g2 = episode_gradient(play(W1, W2, rng), W2, gamma=0.99)
            for i, row in g1.items():
                grad_W1[i] = [a + b for a, b in zip(grad_W1.get(i, [0.0] * H), row)]
            grad_W2 = [a + b for a, b in zip(grad_W2, g2)]
        rmsprop_W1(W1, grad_W1, cache_W1, lr=0.05, decay=0.9)
        rmsprop_W2(W2, grad_W2, cache_W2, lr=0.05, decay=0.9)
    assert p_right(W1, W2) > 0.9, f"p(right) went from {before:.3f} to {p_right(W1, W2):.3f}"
