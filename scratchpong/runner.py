"""The plumbing around `train.train`: the CSV log, the progress bar, saving, and stopping cleanly.

Saves every `save_every` episodes, at the end, and on Ctrl-C or SIGTERM. The episode
being played when a stop comes is dropped: its number is played again on resume,
with the same random stream, so nothing of the run is lost or changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from scratchpong.interrupts import sigterm_as_interrupt
from scratchpong.runlog import open_log, write_row
from scratchpong.train import Collector, EpisodeResult, TrainState, train


def run_training(
    state: TrainState, collect: Collector, checkpoint_path: str | os.PathLike,
    log_path: str | os.PathLike | None = None, save_every: int = 100, progress: bool = True,
    say: Callable[[str], None] = print, resumed: bool = False,
) -> bool:
    """Train until `state.config.episodes` (or forever); True if it ran to the end, False if stopped by a signal."""
    from tqdm import tqdm

    stop = state.config.episodes
    log = open_log(log_path, state.episode if resumed else None) if log_path is not None else None
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

    try:
        with sigterm_as_interrupt():  # `kill PID` stops a run the way Ctrl-C does
            train(state, collect, after_episode)
        finished = True
    except KeyboardInterrupt:
        finished = False
    finally:  # also after an error (a worker died, a disk filled): the state between two episodes is whole
        bar.close()
        if log:
            log.close()
        state.save(checkpoint_path)
    return finished
