"""The plumbing around `train.train`: the CSV logs, the progress bar, greedy evaluations, saving, stopping cleanly.

Saves every `save_every` episodes, at the end, and on Ctrl-C or SIGTERM. The episode
being played when a stop comes is dropped: its number is played again on resume,
with the same random stream, so nothing of the run is lost or changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from scratchpong.checkpoint import save_weights
from scratchpong.evaluation import play_episodes, summarize
from scratchpong.interrupts import sigterm_as_interrupt
from scratchpong.runlog import EVAL_FIELDS, open_log, read_rows, write_eval_row, write_row
from scratchpong.train import Collector, EpisodeResult, TrainState, train

EVAL_SEED = 0  # game n of every evaluation is played with episode_rng(0, n), as `scratchpong eval` plays it


@dataclass
class Evals:
    """Greedy evaluations during training: every `every` episodes (at a batch's end), `games` games, one CSV row."""

    every: int
    path: str | os.PathLike
    games: int = 20
    keep: bool = False  # also write the evaluated weights, weights only, to `kept(path, episode)`


def kept(path: str | os.PathLike, episode: int) -> Path:
    """Where `Evals(keep=True)` writes the weights evaluated at `episode`: RUN.eval.csv -> RUN.epN.json.gz."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(".csv").removesuffix(".eval") + f".ep{episode}.json.gz")


def run_training(
    state: TrainState, collect: Collector, checkpoint_path: str | os.PathLike,
    log_path: str | os.PathLike | None = None, save_every: int = 100, progress: bool = True,
    say: Callable[[str], None] = print, resumed: bool = False, evals: Evals | None = None,
) -> bool:
    """Train until the config's `episodes` or `minutes` are spent (or forever); True if it ran to the end, False if
    stopped by a signal."""
    from tqdm import tqdm

    stop = state.config.episodes
    log = open_log(log_path, state.episode if resumed else None, say=say) if log_path is not None else None
    bar = tqdm(total=stop, initial=state.episode, unit="ep", disable=not progress, dynamic_ncols=True)
    clock = {"start": time.perf_counter(), "last": time.perf_counter(), "steps": 0}

    def after_episode(state: TrainState, result: EpisodeResult) -> None:
        now = time.perf_counter()
        state.seconds += now - clock["last"]
        clock["last"], clock["steps"] = now, clock["steps"] + result.steps
        if log:
            write_row(log, state.episode, result.steps, result.reward, state.running_reward, state.seconds)
        rate = clock["steps"] / max(now - clock["start"], 1e-9)
        bar.set_postfix(reward=f"{result.reward:g}", running=f"{state.running_reward:.2f}",
                        steps_per_s=f"{rate:.0f}", refresh=False)
        bar.update(1)
        if not progress and state.batch_episodes == 0:  # an update just happened
            say(f"episode {state.episode}: reward {result.reward:g}, running reward "
                f"{state.running_reward:.3f}, {rate:.0f} steps/s, {state.seconds:.0f} s")
        if save_every and state.episode % save_every == 0:
            state.save(checkpoint_path)

    evaluator = Evaluator(evals, state, resumed, say) if evals else None
    if evaluator:
        collect = evaluator.around(collect, clock)
    try:
        with sigterm_as_interrupt():  # `kill PID` stops a run the way Ctrl-C does
            train(state, collect, after_episode)
            if evaluator:
                evaluator.maybe(state, clock)  # the last batch's weights
        finished = True
    except KeyboardInterrupt:
        finished = False
    finally:  # also after an error (a worker died, a disk filled): the state between two episodes is whole
        bar.close()
        if log:
            log.close()
        if evaluator:
            evaluator.close()
        state.save(checkpoint_path)
    return finished


class Evaluator:
    """Runs `Evals` between batches, outside the training clock; a stop during one simply drops it."""

    def __init__(self, evals: Evals, state: TrainState, resumed: bool, say: Callable[[str], None]):
        self.evals, self.say, self.env = evals, say, None
        path = Path(evals.path)
        old = read_rows(path, EVAL_FIELDS) if resumed and path.exists() and path.stat().st_size else []
        self.done = {int(r["episode"]) for r in old if int(r["episode"]) <= state.episode}
        self.log = open_log(path, state.episode if resumed else None, EVAL_FIELDS, say)

    def around(self, collect: Collector, clock: dict) -> Collector:
        """`collect`, with an evaluation first whenever one is due (the weights are those of the batch to come)."""
        def collect_after_eval(state: TrainState, episodes: Iterable[int]) -> Iterator[EpisodeResult]:
            self.maybe(state, clock)
            return collect(state, episodes)
        return collect_after_eval

    def maybe(self, state: TrainState, clock: dict) -> None:
        """Evaluate the current weights if `every` divides the episode count and no row for it exists yet."""
        e = state.episode
        if not e or e % self.evals.every or e in self.done or state.batch_episodes:
            return
        from scratchpong.env import make_env

        t = time.perf_counter()
        if self.env is None:
            self.env = make_env(state.config.env)
        ev = summarize(play_episodes(self.env, state.W1, state.W2, state.config.frames, self.evals.games,
                                     EVAL_SEED, greedy=True))
        spent = time.perf_counter() - t
        clock["last"] += spent  # not training time
        weights = kept(self.evals.path, e) if self.evals.keep else None
        if weights:  # the run's checkpoint moves on; these weights would otherwise be gone
            save_weights(weights, state.config, e, state.W1, state.W2)  # before the row: a stop in between
        write_eval_row(self.log, e, ev, state.seconds, spent)  # leaves no row without its weights
        self.done.add(e)
        self.say(f"greedy evaluation at episode {e}: {ev.mean:+.2f} ± {ev.std:.2f} over {ev.episodes} games, "
                 f"{ev.games_won} won ({spent:.0f} s)" + (f", weights in {weights}" if weights else ""))

    def close(self) -> None:
        self.log.close()
        if self.env is not None:
            self.env.close()
