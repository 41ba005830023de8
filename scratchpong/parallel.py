"""Play a batch's episodes in worker processes, with results bit-identical to `serial_episodes`.

Weights change only between batches, and each episode's random stream depends on
(seed, episode number) alone, so the episodes of one batch are independent: any
process may play any of them. Each worker owns one env, made once when it starts.
Per batch the main process pickles (W1, W2, config) once and sends
that payload once to each worker it uses; then it hands out episode numbers, one at
a time to whichever worker is idle, and yields the results **in episode order**, so
`TrainState.add_episode` sums the gradients in the same order as a serial run.

    with EpisodePool("ALE/Pong-v5", workers=2) as pool:
        train(state, pool.collect, "run.ckpt.json")

Failures end as one `EpisodeWorkerError` line ("episode worker 1 (pid 4242) died
(exit code -9, SIGKILL) while playing episode 12"), never a hang. Workers ignore
SIGINT: Ctrl-C is the main process's to handle (it saves); the pool then terminates them.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import signal
import time
import traceback
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import NoReturn

from scratchpong.train import EpisodeResult, TrainState, play_episode

STARTING = "starting"  # a worker's task while it makes its env
STOP_SECONDS = 2.0  # how long an idle worker gets to close its env before it is terminated


class RemoteTraceback(Exception):
    """A worker's traceback, as text, attached as the cause of an EpisodeWorkerError (as concurrent.futures does)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"\n\"\"\"\n{self.text}\"\"\""


class EpisodeWorkerError(RuntimeError):
    """A worker process died, could not start, or raised; the message is one line.

    `is_bug` is True when the worker's own code raised while playing, or while starting for any
    reason but a broken install: that is a bug in scratchpong, not something the user did, and
    the worker's traceback is the cause.
    """

    def __init__(self, message: str, remote_traceback: str | None = None, is_bug: bool = False):
        super().__init__(message)
        self.remote_traceback = remote_traceback
        self.is_bug = is_bug


def default_workers(batch_size: int) -> int:
    """One worker per core, but no more than a batch has episodes (weights change between batches)."""
    return max(1, min(os.cpu_count() or 1, batch_size))


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


# ---------------------------------------------------------------------- the worker process


def _worker_main(conn, env_id: str) -> None:
    """A worker: make the env, say "ready", then answer "weights" and "play" messages until "stop" or EOF.

    Messages in: ("weights", key, W1, W2, config), ("play", key, index, n), ("stop",).
    Messages out: ("ready",), ("start-failed", line, traceback, is_bug), ("result", key, index, EpisodeResult, seconds
    playing it), ("error", key, index, n, line, traceback).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the main process handles it
    try:
        from scratchpong.env import make_env

        env = make_env(env_id)
    except Exception as e:  # the env id was checked before: only a broken install (an import, a file) is not a bug
        conn.send(("start-failed", _one_line(e), traceback.format_exc(), not isinstance(e, (ImportError, OSError))))
        return
    conn.send(("ready",))
    weights = None
    try:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):  # the main process has gone
                return
            if msg[0] == "stop":
                return
            if msg[0] == "weights":
                weights = msg[1:]
                continue
            _, key, index, n = msg
            try:
                if weights is None or weights[0] != key:
                    raise RuntimeError(f"no weights for batch {key}")  # a bug in the main process, not the user's
                _, W1, W2, config = weights
                start = time.perf_counter()
                result = play_episode(env, W1, W2, config, n)
                reply = ("result", key, index, result, time.perf_counter() - start)
            except Exception as e:
                reply = ("error", key, index, n, _one_line(e), traceback.format_exc())
            conn.send(reply)
    finally:
        env.close()


class _Worker:
    """The main process's view of one worker: its process, its end of the pipe, and what it is doing."""

    def __init__(self, number: int, process, conn):
        self.number, self.process, self.conn = number, process, conn
        self.task: object = STARTING  # STARTING, None (idle), or (key, index, n) while it plays
        self.key: int | None = None  # the batch whose weights it holds

    def doing(self) -> str:
        if self.task is STARTING:
            return "while starting"
        if self.task is None:
            return "while idle"
        return f"while playing episode {self.task[2]}"


# ---------------------------------------------------------------------- the pool


class EpisodePool:
    """`workers` processes, each with its own `env_id` env; `collect` is a `Collector` for `train`.

    Processes start at once (spawned: a fresh interpreter, safe with ALE) and make their env
    while the caller goes on; `ready()` waits for them. Use as a context manager, or call `close()`.
    """

    def __init__(self, env_id: str, workers: int, context: str = "spawn"):
        if workers < 1:
            raise ValueError(f"--workers must be >= 1, got {workers}")
        self.env_id = env_id
        self.weights_bytes = 0  # size of the last batch's pickled weights payload
        self.play_seconds = 0.0  # the workers' time spent playing the last batch's episodes, all together
        self.pickle_seconds = 0.0  # the main process's time pickling the last batch's weights
        self._keys = itertools.count()
        self._closed = False
        self._workers: list[_Worker] = []
        ctx = multiprocessing.get_context(context)
        try:
            for number in range(workers):
                mine, theirs = ctx.Pipe()
                process = ctx.Process(target=_worker_main, args=(theirs, env_id), daemon=True,
                                      name=f"scratchpong-worker-{number}")
                _start_ignoring_sigint(process)
                theirs.close()
                self._workers.append(_Worker(number, process, mine))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> EpisodePool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def workers(self) -> int:
        return len(self._workers)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    def ready(self) -> None:
        """Wait until every worker has made its env (or raise if one could not)."""
        self._check_open()
        try:
            while any(w.task is STARTING for w in self._workers):
                self._wait(None, {})
        except BaseException:
            self.close()
            raise

    def collect(self, state: TrainState, episodes: Iterable[int]) -> Iterator[EpisodeResult]:
        """Play `episodes` with `state`'s current weights, in the workers; yield the results in episode order.

        The same results, bit for bit, as `serial_episodes(state, env, episodes)`. The weights are
        read when the first result is asked for (as serial_episodes reads them), and not again.
        """
        self._check_open()
        c = state.config
        if c.env != self.env_id:
            raise ValueError(f"this pool plays {self.env_id!r}, the run plays {c.env!r}")
        return self._collect(state, list(episodes))

    def _collect(self, state: TrainState, numbers: list[int]) -> Iterator[EpisodeResult]:
        key = next(self._keys)
        start = time.perf_counter()
        payload = pickle.dumps(("weights", key, state.W1, state.W2, state.config), protocol=pickle.HIGHEST_PROTOCOL)
        self.pickle_seconds = time.perf_counter() - start  # the workers wait for this, at a batch's start
        self.weights_bytes, self.play_seconds = len(payload), 0.0
        todo = iter(enumerate(numbers))
        results: dict[int, EpisodeResult] = {}
        try:
            for index in range(len(numbers)):
                while index not in results:
                    self._dispatch(key, payload, todo)
                    self._wait(key, results)
                yield results.pop(index)
        except GeneratorExit:  # the caller stopped early: what is still playing is dropped when it arrives
            raise
        except BaseException:  # Ctrl-C, a dead worker, ...: stop every worker now
            self.close()
            raise

    def _dispatch(self, key: int, payload: bytes, todo: Iterator[tuple[int, int]]) -> None:
        """Give each idle worker the next episode (and this batch's weights, if it lacks them)."""
        for w in self._workers:
            if w.task is not None:
                continue
            item = next(todo, None)
            if item is None:
                return
            index, n = item
            try:
                if w.key != key:
                    w.conn.send_bytes(payload)
                    w.key = key
                w.conn.send(("play", key, index, n))
            except OSError:  # the pipe broke: the worker is gone
                self._died(w)
            w.task = (key, index, n)

    def _wait(self, key: int | None, results: dict[int, EpisodeResult]) -> None:
        """Block until some worker says something or dies; file results of batch `key` under their index."""
        listening = {w.conn: w for w in self._workers if w.task is not None}
        sentinels = {w.process.sentinel: w for w in self._workers}
        ready = wait([*listening, *sentinels])
        for obj in ready:
            if obj in listening:
                self._receive(listening[obj], key, results)
        for obj in ready:
            if obj in sentinels:
                w = sentinels[obj]
                while w.task is not None and w.conn.poll():  # whatever it sent before it died
                    self._receive(w, key, results)
                self._died(w)

    def _receive(self, w: _Worker, key: int | None, results: dict[int, EpisodeResult]) -> None:
        try:
            msg = w.conn.recv()
        except (EOFError, OSError):
            self._died(w)
        kind = msg[0]
        if kind == "ready":
            w.task = None
        elif kind == "start-failed":
            self._fail(f"episode worker {w.number} could not start: {msg[1]}", msg[2], is_bug=msg[3])
        elif kind == "result":
            _, their_key, index, result, seconds = msg
            w.task = None
            if their_key == key:
                results[index] = result
                self.play_seconds += seconds
        elif kind == "error":
            _, _, _, n, line, tb = msg
            self._fail(f"episode worker {w.number} raised {line} while playing episode {n}", tb, is_bug=True)
        else:
            self._fail(f"episode worker {w.number} sent an unknown message {kind!r}")

    def _died(self, w: _Worker) -> NoReturn:
        doing = w.doing()
        w.process.join(timeout=1.0)
        code = w.process.exitcode
        if code is None:
            how = "exit code unknown"
        elif code < 0:
            try:
                how = f"exit code {code}, {signal.Signals(-code).name}"
            except ValueError:
                how = f"exit code {code}"
        else:
            how = f"exit code {code}"
        self._fail(f"episode worker {w.number} (pid {w.process.pid}) died ({how}) {doing}")

    def _fail(self, message: str, remote_traceback: str | None = None, is_bug: bool = False) -> NoReturn:
        self.close()
        error = EpisodeWorkerError(message, remote_traceback, is_bug)
        if remote_traceback:
            raise error from RemoteTraceback(remote_traceback)
        raise error

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this EpisodePool is closed")

    def close(self) -> None:
        """Stop the workers: idle ones are asked to close their env, busy or stuck ones are terminated."""
        if self._closed:
            return
        self._closed = True
        for w in self._workers:
            if w.task is None:
                try:
                    w.conn.send(("stop",))
                except OSError:
                    pass
            else:
                _terminate(w.process)
        deadline = time.monotonic() + STOP_SECONDS
        for w in self._workers:
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                _terminate(w.process)
            w.process.join(timeout=STOP_SECONDS)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()


def _terminate(process) -> None:
    try:
        process.terminate()
    except (OSError, AttributeError):  # already gone, or never started
        pass


def _start_ignoring_sigint(process) -> None:
    """Start `process` with SIGINT ignored: a spawned child inherits SIG_IGN, so Ctrl-C during its start-up
    (before `_worker_main` ignores it itself) prints no traceback there. A Ctrl-C in these few
    milliseconds of the main process is lost."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        process.start()
        return
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, old)
