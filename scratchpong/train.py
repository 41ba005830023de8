"""The training loop: play episodes, sum their gradients over a batch, then one RMSProp step.

The state of a run is one `TrainState`; everything in it goes into the checkpoint,
so that N episodes, a stop, and `--resume` for the rest give the same weights as
one uninterrupted run.
"""

from __future__ import annotations

import csv
import math
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scratchpong import checkpoint
from scratchpong.config import ARCHITECTURE, TrainConfig
from scratchpong.episode import episode_gradient, episode_rng, run_episode
from scratchpong.frames import input_size
from scratchpong.matrix import Matrix, Vector
from scratchpong.rmsprop import rmsprop_W1, rmsprop_W2

LOG_FIELDS = ("episode", "steps", "reward", "running_reward", "seconds")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and `kill` or a closing session


@dataclass
class EpisodeResult:
    """What one played episode contributes: its number, score, length and gradient."""

    episode: int
    reward: float
    steps: int
    grad_W1: dict[int, Vector]
    grad_W2: Vector


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
        """Fresh weights drawn N(0, 1)/√fan_in from the run seed (Karpathy's "Xavier" init)."""
        D, H = input_size(config.downscale), config.hidden
        rng = random.Random(config.seed)
        W1 = [[rng.gauss(0.0, 1.0) / math.sqrt(D) for _ in range(H)] for _ in range(D)]
        W2 = [rng.gauss(0.0, 1.0) / math.sqrt(H) for _ in range(H)]
        return cls(config, W1, W2, [[0.0] * H for _ in range(D)], [0.0] * H, grad_W2=[0.0] * H)

    def add_episode(self, result: EpisodeResult) -> bool:
        """Sum one episode's gradient into the batch; after `batch_size` of them, update. True if it updated."""
        if result.episode != self.episode:
            raise ValueError(f"episode {result.episode} arrived where episode {self.episode} was expected")
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

    # ------------------------------------------------------------------ checkpoints

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

    def resume_with(self, config: TrainConfig) -> None:
        """Continue under `config`: the network's shape and the seed must match, the rest may change."""
        for name in (*ARCHITECTURE, "seed", "env"):
            old, new = getattr(self.config, name), getattr(config, name)
            if old != new:
                raise ValueError(f"the checkpoint was trained with {name}={old!r}, not {new!r}; "
                                 f"drop that flag to resume, or start a new run with another --checkpoint")
        self.config = config
        if self.batch_episodes >= config.batch_size:  # a smaller --batch-size than before: the batch is full
            self.update()


def play_episode(env, W1: Matrix, W2: Vector, config: TrainConfig, n: int) -> EpisodeResult:
    """Episode n, played with fixed weights and turned into its gradient; the same in any process."""
    traj = run_episode(env, W1, W2, config.downscale, episode_rng(config.seed, n))
    grad_W1, grad_W2 = episode_gradient(traj, W2, config.gamma)
    return EpisodeResult(n, traj.reward, len(traj.rewards), grad_W1, grad_W2)


def serial_episodes(state: TrainState, env, episodes: Iterable[int]) -> Iterator[EpisodeResult]:
    """Play episodes one after the other with the current weights (the path a learner reads)."""
    for n in episodes:
        yield play_episode(env, state.W1, state.W2, state.config, n)


Collector = Callable[[TrainState, Iterable[int]], Iterator[EpisodeResult]]


def batch_ranges(state: TrainState, stop: int | None) -> Iterator[range]:
    """The episodes still to play, cut where each batch ends (weights change only between batches)."""
    while stop is None or state.episode < stop:
        end = state.episode + state.config.batch_size - state.batch_episodes
        yield range(state.episode, end if stop is None else min(end, stop))


# ---------------------------------------------------------------------- the log


def open_log(path: str | os.PathLike | None, keep_through: int | None):
    """Open the CSV log for appending. On resume, rows after the checkpoint's episode are dropped first:

    those episodes will be played again, exactly as before, and logged again.
    """
    if path is None:
        return None
    path = Path(path)
    if keep_through is not None and path.exists() and path.stat().st_size:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != LOG_FIELDS:  # not ours: leave it alone
                raise ValueError(f"log {str(path)!r} is not a scratchpong training log (its header is not "
                                 f"{','.join(LOG_FIELDS)}); name another file with --log")
            rows = [r for r in reader if r["episode"].isdecimal() and int(r["episode"]) <= keep_through]
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, LOG_FIELDS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    new = not path.exists() or path.stat().st_size == 0
    f = open(path, "a", newline="")
    if new:
        f.write(",".join(LOG_FIELDS) + "\n")
    return f


def log_row(f, state: TrainState, result: EpisodeResult) -> None:
    f.write(f"{state.episode},{result.steps},{result.reward:g},{state.running_reward:.4f},{state.seconds:.2f}\n")
    f.flush()


# ---------------------------------------------------------------------- the loop


@contextmanager
def deferred_interrupt():
    """Hold Ctrl-C and SIGTERM until the block ends, so an update or a log row is never left half done."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # only the main thread handles signals
        yield
        return
    watched = [s for s in STOP_SIGNALS if signal.getsignal(s) is not signal.SIG_IGN]  # ignored stays ignored
    old = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in watched}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    if caught:
        raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt():
    """While training, SIGTERM (`kill PID`, a closing session) stops the run as Ctrl-C does: save, then return."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def train(
    state: TrainState, collect: Collector, checkpoint_path: str | os.PathLike, log_path: str | None = None,
    save_every: int = 100, progress: bool = True, say: Callable[[str], None] = print, resumed: bool = False,
) -> bool:
    """Train until `state.config.episodes` (or forever); True if it ran to the end, False if interrupted.

    Saves every `save_every` episodes, at the end, and on Ctrl-C or SIGTERM (the unfinished episode
    is dropped: its number is played again on resume, with the same random stream).
    """
    from tqdm import tqdm

    stop = state.config.episodes
    log = open_log(log_path, state.episode if resumed else None)
    bar = tqdm(total=stop, initial=state.episode, unit="ep", disable=not progress, dynamic_ncols=True)
    steps_done, t_start = 0, time.perf_counter()
    t_last = t_start
    with sigterm_as_interrupt():  # `kill PID` stops a run the way Ctrl-C does
        try:
            for episodes in batch_ranges(state, stop):
                for result in collect(state, episodes):
                    now = time.perf_counter()
                    state.seconds += now - t_last
                    t_last = now
                    with deferred_interrupt():
                        updated = state.add_episode(result)
                        if log:
                            log_row(log, state, result)
                    steps_done += result.steps
                    rate = steps_done / max(now - t_start, 1e-9)
                    bar.set_postfix(reward=f"{result.reward:g}", running=f"{state.running_reward:.2f}",
                                    steps_per_s=f"{rate:.0f}", refresh=False)
                    bar.update(1)
                    if updated and not progress:
                        say(f"episode {state.episode}: reward {result.reward:g}, running reward "
                            f"{state.running_reward:.3f}, {rate:.0f} steps/s, {state.seconds:.0f} s")
                    if save_every and state.episode % save_every == 0:
                        state.save(checkpoint_path)
            state.save(checkpoint_path)
            return True
        except KeyboardInterrupt:
            bar.close()
            state.save(checkpoint_path)
            return False
        except Exception:  # e.g. a worker process died: the state between two episodes is whole, so keep it
            bar.close()
            state.save(checkpoint_path)
            raise
        finally:
            bar.close()
            if log:
                log.close()
