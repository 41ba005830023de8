"""Training: play a batch of episodes, sum their gradients, take one RMSProp step; repeat.

`train` is the loop, in pg-pong.py's order. Its state is one `TrainState`, and
everything in it goes into the checkpoint, so that N episodes, a stop, and
`--resume` for the rest give the same weights as one uninterrupted run. Saving,
the log and the progress bar are plumbing, in runner.py.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from scratchpong import checkpoint
from scratchpong.config import ARCHITECTURE, FIXED_ON_RESUME, ConfigError, TrainConfig
from scratchpong.episode import episode_gradient, episode_rng, run_episode
from scratchpong.frames import input_size
from scratchpong.interrupts import uninterrupted
from scratchpong.matrix import Matrix, Vector
from scratchpong.policy import init_weights
from scratchpong.rmsprop import rmsprop_W1, rmsprop_W2


@dataclass
class EpisodeResult:
    """What one played episode contributes: its number, score, length and gradient."""

    episode: int
    reward: float
    steps: int
    grad_W1: dict[int, Vector]
    grad_W2: Vector


Collector = Callable[["TrainState", Iterable[int]], Iterator[EpisodeResult]]


# ---------------------------------------------------------------------- the loop


def train(state: TrainState, collect: Collector, after_episode: Callable[[TrainState, EpisodeResult], None]) -> None:
    """pg-pong.py's loop, until `state.config.episodes` are played or its `minutes` are spent (or forever).

    `collect` plays episodes with the current weights and yields each one's result
    (`serial_episodes` below, or `parallel.EpisodePool.collect` with worker processes).
    `after_episode` is the plumbing: log row, progress, saving (runner.py).
    """
    for episodes in batch_ranges(state):  # the episodes left in this batch
        for result in collect(state, episodes):  # play: forward, sample, record; then episode_gradient
            with uninterrupted():  # Ctrl-C waits until the sum, the update and the log row are done
                state.add_episode(result)  # grad_buffer += the episode's gradient; RMSProp when the batch is full
                after_episode(state, result)


def play_episode(env, W1: Matrix, W2: Vector, config: TrainConfig, n: int) -> EpisodeResult:
    """Episode n, played with fixed weights and turned into its gradient; the same in any process."""
    traj = run_episode(env, W1, W2, config.frames, episode_rng(config.seed, n))
    grad_W1, grad_W2 = episode_gradient(traj, W2, config.gamma)
    return EpisodeResult(n, traj.reward, len(traj.rewards), grad_W1, grad_W2)


def serial_episodes(state: TrainState, env, episodes: Iterable[int]) -> Iterator[EpisodeResult]:
    """Play episodes one after the other with the current weights (the path a learner reads)."""
    for n in episodes:
        yield play_episode(env, state.W1, state.W2, state.config, n)


def batch_ranges(state: TrainState) -> Iterator[range]:
    """The episodes still to play, cut where each batch ends (weights change only between batches)."""
    stop = state.config.episodes
    while not state.budget_spent():
        end = state.episode + state.config.batch_size - state.batch_episodes
        yield range(state.episode, end if stop is None else min(end, stop))


# ---------------------------------------------------------------------- the state of a run


@dataclass
class TrainState:
    """Weights, RMSProp caches, the gradient of the unfinished batch, and the counters of a run."""

    config: TrainConfig
    W1: Matrix  # D×H
    W2: Vector  # H
    cache_W1: Matrix
    cache_W2: Vector
    grad_W1: dict[int, Vector] = field(default_factory=dict)  # only the rows some input pixel touched
    grad_W2: Vector = field(default_factory=list)
    batch_episodes: int = 0  # episodes summed into the gradient since the last update
    episode: int = 0  # episodes played in all
    running_reward: float | None = None
    seconds: float = 0.0  # training wall time in all, across resumes

    @classmethod
    def new(cls, config: TrainConfig) -> TrainState:
        """Fresh weights from the run seed (`init_weights`), zero caches, an empty gradient buffer."""
        D, H = input_size(config.downscale), config.hidden
        W1, W2 = init_weights(D, H, random.Random(config.seed))
        return cls(config, W1, W2, [[0.0] * H for _ in range(D)], [0.0] * H, grad_W2=[0.0] * H)

    def budget_spent(self) -> bool:
        """True once `episodes` are played, or once `minutes` are spent and the batch is whole (no half batch)."""
        c = self.config
        if c.episodes is not None and self.episode >= c.episodes:
            return True
        return c.minutes is not None and self.seconds >= 60 * c.minutes and self.batch_episodes == 0

    def add_episode(self, result: EpisodeResult) -> bool:
        """Sum one episode's gradient into the batch; after `batch_size` of them, update. True if it updated."""
        if result.episode != self.episode:
            raise RuntimeError(f"episode {result.episode} arrived where episode {self.episode} was expected")
        for i, row in result.grad_W1.items():
            mine = self.grad_W1.get(i)
            self.grad_W1[i] = row if mine is None else [a + b for a, b in zip(mine, row)]
        self.grad_W2 = [a + b for a, b in zip(self.grad_W2, result.grad_W2)]
        self.batch_episodes += 1
        self.episode += 1
        r = result.reward
        self.running_reward = r if self.running_reward is None else self.running_reward * 0.99 + r * 0.01
        if self.batch_episodes < self.config.batch_size:
            return False
        self.update()
        return True

    def update(self) -> None:
        """One RMSProp ascent step with the summed gradient, then an empty gradient buffer."""
        c = self.config
        rmsprop_W1(self.W1, self.grad_W1, self.cache_W1, c.lr, c.decay)
        rmsprop_W2(self.W2, self.grad_W2, self.cache_W2, c.lr, c.decay)
        self.grad_W1, self.grad_W2, self.batch_episodes = {}, [0.0] * len(self.W2), 0

    # ------------------------------------------------------------------ checkpoints and resuming

    def save(self, path: str | os.PathLike) -> None:
        checkpoint.save(path, {
            "config": checkpoint.config_to_json(self.config),
            "episode": self.episode, "batch_episodes": self.batch_episodes,
            "running_reward": self.running_reward, "seconds": self.seconds,
            "W1": self.W1, "W2": self.W2, "cache_W1": self.cache_W1, "cache_W2": self.cache_W2,
            "grad_W1": {str(i): row for i, row in sorted(self.grad_W1.items())}, "grad_W2": self.grad_W2,
        })

    @classmethod
    def load(cls, path: str | os.PathLike) -> TrainState:
        return cls(**checkpoint.load(path))

    @classmethod
    def resume(cls, path: str | os.PathLike, preset: TrainConfig | None = None, **changes) -> TrainState:
        """The run saved at `path`, to be continued with `changes` (flags given now) laid over its settings.

        A `preset` named on resume must describe the checkpoint's network and game; it changes
        nothing else. Of the settings, only those outside FIXED_ON_RESUME may change.
        """
        state = cls.load(path)
        if preset is not None:
            state.resume_with(replace(state.config, **{k: getattr(preset, k) for k in (*ARCHITECTURE, "env")}),
                              "--preset")
        state.resume_with(replace(state.config, **changes).check())
        return state

    def resume_with(self, config: TrainConfig, source: str = "that flag") -> None:
        """Continue under `config`: the network's shape, the game and the seed must match, the rest may change.

        `source` names what asked for the change, for the error message.
        """
        for name in FIXED_ON_RESUME:
            old, new = getattr(self.config, name), getattr(config, name)
            if old != new:
                raise ConfigError(f"the checkpoint was trained with {name}={old!r}, not {new!r}; "
                                  f"drop {source} to resume, or start a new run with another --checkpoint")
        self.config = config
        if self.batch_episodes >= config.batch_size:  # a smaller --batch-size than before: the batch is full
            self.update()
