"""How good a policy is: play games with its weights fixed and count the score.

Game n of an evaluation is played with `episode_rng(seed, n)`, a stream of its own, so
evaluating during training (`train --eval-every`) leaves the training's random
streams, and so its weights, exactly as they would be without it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scratchpong.episode import Trajectory, episode_rng, run_episode
from scratchpong.frames import Frames
from scratchpong.matrix import Matrix, Vector


@dataclass
class Evaluation:
    """The episodes' scores (points won minus lost) and what they add up to."""

    episodes: int
    mean: float
    std: float  # population standard deviation of the scores
    points_won: int
    points_lost: int
    games_won: int  # episodes with a score above 0
    scores: list[float]


def play_episodes(
    env, W1: Matrix, W2: Vector, frames: Frames, episodes: int, seed: int, greedy: bool = False,
    max_steps: int | None = None,
) -> Iterator[Trajectory]:
    """Play episodes 0..episodes-1 with fixed weights, yielding each one's trajectory as it ends."""
    for n in range(episodes):
        yield run_episode(env, W1, W2, frames, episode_rng(seed, n), greedy=greedy, max_steps=max_steps)


def points(traj: Trajectory) -> tuple[int, int]:
    """(points won, points lost) in an episode: its +1 and −1 rewards counted."""
    return sum(1 for r in traj.rewards if r > 0), sum(1 for r in traj.rewards if r < 0)


def summarize(trajectories: Iterable[Trajectory]) -> Evaluation:
    """Mean, std, points and games won over the played episodes."""
    scores, won, lost = [], 0, 0
    for traj in trajectories:
        scores.append(traj.reward)
        w, ll = points(traj)
        won, lost = won + w, lost + ll
    if not scores:
        raise ValueError("no episodes were played, so there is nothing to evaluate")
    return Evaluation(len(scores), statistics.fmean(scores), statistics.pstdev(scores), won, lost,
                      sum(1 for s in scores if s > 0), scores)
