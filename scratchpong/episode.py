"""One episode of Pong: play it with the policy, then turn what happened into a gradient.

This is the inner loop of pg-pong.py, split in two so each half reads on its own:
`run_episode` samples actions and records, `episode_gradient` is the backward pass
with advantages (eq.2 times the advantage, then eq.3–eq.6 through the sparse path).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from scratchpong.env import DOWN, UP
from scratchpong.frames import Frames, difference
from scratchpong.matrix import Matrix, SparseVector, Vector
from scratchpong.policy import eq2_dlogp_dLip3, policy_backward, policy_forward
from scratchpong.returns import discount_rewards, standardize


def episode_rng(seed: int, episode: int) -> random.Random:
    """The random stream of one episode, fixed by (run seed, episode number) alone.

    Because no state carries from one episode to the next, a resumed run or a
    worker process replays episode n exactly as a single uninterrupted run would.
    """
    return random.Random(f"scratchpong:{seed}:{episode}")


@dataclass
class Trajectory:
    """What one episode leaves for the backward pass: per step the sparse input, h and eq.2; and the rewards."""

    xs: list[SparseVector] = field(default_factory=list)
    hs: list[Vector] = field(default_factory=list)
    dlogps: list[float] = field(default_factory=list)  # eq.2 = y_a − y_p for the sampled action
    rewards: list[float] = field(default_factory=list)

    @property
    def reward(self) -> float:
        """The episode's score: points won minus points lost."""
        return sum(self.rewards)


def run_episode(
    env, W1: Matrix, W2: Vector, frames: Frames, rng: random.Random, greedy: bool = False,
    max_steps: int | None = None, on_frame: Callable[[object], None] | None = None,
) -> Trajectory:
    """Play one episode: at each step feed the difference frame forward and sample UP with probability y_p.

    `frames` is how the agent sees a screen, its own (`config.frames`): its downscale and pooling;
    `greedy` takes UP when y_p > 0.5 instead of sampling; `on_frame` sees every raw observation.
    """
    traj = Trajectory()
    obs, _ = env.reset(seed=rng.getrandbits(31))
    prev = None
    while max_steps is None or len(traj.rewards) < max_steps:
        if on_frame is not None:
            on_frame(obs)
        cur = frames.prepro(obs)  # pg-pong: cur_x = prepro(observation)
        x = difference(cur, prev)  # the motion between two frames: ~20 non-zero pixels
        prev = cur
        fwd = policy_forward(W1, W2, x)
        up = fwd.y_p > 0.5 if greedy else rng.random() < fwd.y_p
        y_a = 1.0 if up else 0.0  # the "fake label": the action we took
        traj.xs.append(x)
        traj.hs.append(fwd.h)
        traj.dlogps.append(eq2_dlogp_dLip3(y_a, fwd.y_p))
        obs, reward, terminated, truncated, _ = env.step(UP if up else DOWN)
        traj.rewards.append(float(reward))
        if terminated or truncated:
            break
    return traj


def episode_gradient(traj: Trajectory, W2: Vector, gamma: float) -> tuple[dict[int, Vector], Vector]:
    """Σ_t A_t · d log P(y_a,t | x_t) / d(W1, W2): dW1 as {row i: H entries} for touched rows, dW2 dense.

    The advantage A_t of step t is its discounted return (reset at every point),
    standardized over the episode. Scaling eq.2 by A_t makes the backward pass
    (`policy_backward`) give the gradient of J = Σ_t A_t log P(y_a,t | x_t).
    """
    advantages = standardize(discount_rewards(traj.rewards, gamma))
    dL_ip3s = [advantage * dlogp for advantage, dlogp in zip(advantages, traj.dlogps)]  # eq.2 times A_t
    return policy_backward(traj.xs, traj.hs, dL_ip3s, W2)
