"""A saved policy at work: load its weights from a checkpoint (or the shipped agent) and play episodes with them.

Shared by `scratchpong play` and `scratchpong eval`: the same flags pick the policy,
and episode n is played with `episode_rng(seed, n)`, so a (seed, episode) pair
always replays the same game.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from scratchpong import checkpoint
from scratchpong.config import TrainConfig
from scratchpong.episode import Trajectory, episode_rng, run_episode
from scratchpong.matrix import Matrix, Vector

DEFAULT_CHECKPOINT = "scratchpong.ckpt.json"
PRETRAINED = Path(__file__).parent / "pretrained" / "pong.ckpt.json.gz"
HOW_TO_GET_ONE = "train one with `scratchpong train --preset demo`, or use --pretrained for the shipped agent"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The flags that choose the policy and how it plays, common to `play` and `eval`."""
    from scratchpong.cli import positive

    source = p.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", default=None,
                        help=f"checkpoint to play with (default {DEFAULT_CHECKPOINT})")
    source.add_argument("--pretrained", action="store_true",
                        help="play with the agent shipped in scratchpong/pretrained/")
    p.add_argument("--greedy", action="store_true",
                   help="take UP when y_p > 0.5 instead of sampling the action like training does")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="episode n is played with the seed (S, n) (default 0)")
    p.add_argument("--max-steps", type=positive, default=None, metavar="N",
                   help="cut each episode after N steps (default: play to the end of the game)")


def load_policy(path: str | None, pretrained: bool) -> tuple[TrainConfig, Matrix, Vector]:
    """(config, W1, W2) of a checkpoint file, or of the shipped agent; a one-line ValueError if there is none."""
    if pretrained:
        if not PRETRAINED.exists():
            raise ValueError(f"the pretrained agent is not shipped in this checkout ({PRETRAINED} is missing); "
                             "train one with `scratchpong train --preset demo`")
        path = str(PRETRAINED)
    elif path is None:
        path = DEFAULT_CHECKPOINT
        if not Path(path).exists():
            raise ValueError(f"no checkpoint {path!r} in this folder: {HOW_TO_GET_ONE}")
    elif not Path(path).exists():
        raise ValueError(f"checkpoint {path!r} does not exist: {HOW_TO_GET_ONE}")
    fields = checkpoint.load(path)
    return fields["config"], fields["W1"], fields["W2"]


def play_episodes(
    env, config: TrainConfig, W1: Matrix, W2: Vector, episodes: int, seed: int, greedy: bool = False,
    max_steps: int | None = None,
) -> Iterator[Trajectory]:
    """Play episodes 0..episodes-1 with fixed weights, yielding each one's trajectory as it ends."""
    for n in range(episodes):
        yield run_episode(env, W1, W2, config.downscale, episode_rng(seed, n), greedy=greedy, max_steps=max_steps)


def points(traj: Trajectory) -> tuple[int, int]:
    """(points won, points lost) in an episode: its +1 and −1 rewards counted."""
    return sum(1 for r in traj.rewards if r > 0), sum(1 for r in traj.rewards if r < 0)
