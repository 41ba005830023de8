"""Episodes in worker processes: bit-identical to the serial path, and a dead worker is an error, never a hang.

Real ALE Pong on a tiny network (40x40 inputs, 4 hidden units): a full v5 episode of
its near-random policy is ~900 steps, well under a second.
"""

import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import replace

import pytest

from scratchpong.config import TrainConfig
from scratchpong.env import make_env
from scratchpong.parallel import EpisodePool, EpisodeWorkerError, default_workers
from scratchpong.runner import run_training
from scratchpong.train import EpisodeResult, TrainState, serial_episodes

TINY = TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=2, episodes=2, seed=3)


class Hang(Exception):
    """The test's own time limit ran out."""


@contextmanager
def time_limit(seconds: float, exc=Hang):
    """Raise `exc` in the main thread if the block takes longer than `seconds`.

    Nests: an inner limit puts the outer one back, with what is left of it, when it ends.
    """
    def ring(signum, frame):
        raise exc(f"still running after {seconds} s")

    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]  # 0.0 when no limit is running
    started = time.monotonic()
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 1e-3))


def test_an_inner_time_limit_leaves_the_outer_one_running():
    with pytest.raises(Hang, match="after 0.3 s"), time_limit(0.3):
        with time_limit(5.0, KeyboardInterrupt):
            pass
        time.sleep(2.0)  # the outer 0.3 s must still ring


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def pool():
    with EpisodePool(TINY.env, workers=2) as p:
        with time_limit(60):  # only the start-up: the pool then lives through the module's tests
            p.ready()
        for pid in p.pids:  # workers ignore Ctrl-C: the main process handles it (and saves)
            os.kill(pid, signal.SIGINT)
        yield p


@pytest.fixture(scope="module")
def env():
    e = make_env(TINY.env)
    yield e
    e.close()


def test_default_workers_is_the_cores_capped_at_the_batch():
    assert default_workers(1) == 1
    assert default_workers(0) == 1
    assert default_workers(10**6) == (os.cpu_count() or 1)


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="--workers must be >= 1"):
        EpisodePool(TINY.env, workers=0)


def test_pool_gives_the_serial_results_bit_for_bit(pool, env):
    serial, parallel = TrainState.new(TINY), TrainState.new(TINY)
    with time_limit(60):
        expected = list(serial_episodes(serial, env, range(2)))
        got = list(pool.collect(parallel, range(2)))
    assert [r.episode for r in got] == [0, 1]
    for e, g in zip(expected, got):
        assert (g.reward, g.steps, g.grad_W2) == (e.reward, e.steps, e.grad_W2)
        assert g.grad_W1 == e.grad_W1
    before = [row[:] for row in serial.W1]
    for state, results in ((serial, expected), (parallel, got)):
        assert [state.add_episode(r) for r in results] == [False, True]  # the batch is full: one update
    assert serial.W1 != before
    assert (parallel.W1, parallel.W2) == (serial.W1, serial.W2)
    assert (parallel.cache_W1, parallel.cache_W2) == (serial.cache_W1, serial.cache_W2)
    assert pool.play_seconds > 0 and pool.pickle_seconds > 0
    assert pool.weights_bytes > 8 * 1600 * 4  # the weights went out as one pickled payload


def test_pooled_inputs_reach_the_workers(pool, env):
    """--pool changes what a worker's episode sees, and the workers still give the serial results."""
    pooled = replace(TINY, pool=True)
    with time_limit(60):
        plain = list(serial_episodes(TrainState.new(TINY), env, range(1)))
        expected = list(serial_episodes(TrainState.new(pooled), env, range(1)))
        got = list(pool.collect(TrainState.new(pooled), range(1)))
    assert (got[0].steps, got[0].grad_W1, got[0].grad_W2) == (expected[0].steps, expected[0].grad_W1,
                                                               expected[0].grad_W2)
    assert got[0].grad_W1 != plain[0].grad_W1  # other pixels light up when the blocks are pooled


def test_train_with_the_pool_ends_on_the_serial_weights(pool, env, tmp_path):
    """Two batches through `train`: the second batch is played with weights the first one updated."""
    config = replace(TINY, episodes=4)
    runs = {}
    with time_limit(60):
        for name, collect in (("serial", lambda st, eps: serial_episodes(st, env, eps)), ("pool", pool.collect)):
            state = TrainState.new(config)
            assert run_training(state, collect, tmp_path / f"{name}.json", tmp_path / f"{name}.csv",
                         progress=False, say=lambda line: None)
            rows = (tmp_path / f"{name}.csv").read_text().splitlines()
            runs[name] = state, [r.rsplit(",", 1)[0] for r in rows]  # all but the seconds column
    (s, s_log), (p, p_log) = runs["serial"], runs["pool"]
    assert p.episode == s.episode == 4
    assert (p.W1, p.W2, p.cache_W1, p.cache_W2) == (s.W1, s.W2, s.cache_W1, s.cache_W2)
    assert p.running_reward == s.running_reward
    assert p_log == s_log and len(p_log) == 5


def test_a_pool_refuses_a_run_of_another_env(pool):
    with pytest.raises(ValueError, match="this pool plays"):
        pool.collect(TrainState.new(replace(TINY, env="Pong-v0")), range(1))


def test_a_killed_worker_is_an_error_naming_the_episode_not_a_hang():
    state = TrainState.new(TINY)
    with time_limit(60), EpisodePool(TINY.env, workers=1) as pool:
        results = pool.collect(state, range(3))
        assert next(results).episode == 0  # the worker is up and idle; the next `next` hands it episode 1
        pid = pool.pids[0]
        killer = threading.Timer(0.1, os.kill, (pid, signal.SIGKILL))
        killer.start()
        with pytest.raises(EpisodeWorkerError) as caught:
            next(results)
        killer.join()
    message = str(caught.value)
    assert message == f"episode worker 0 (pid {pid}) died (exit code -9, SIGKILL) while playing episode 1"
    assert gone(pid)


def test_a_worker_killed_between_batches_is_an_error_at_the_next_batch():
    with time_limit(60), EpisodePool(TINY.env, workers=1) as pool:
        pool.ready()
        pid = pool.pids[0]
        os.kill(pid, signal.SIGKILL)
        while open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":  # dead, not yet reaped
            time.sleep(0.01)
        with pytest.raises(EpisodeWorkerError, match=rf"^episode worker 0 \(pid {pid}\) died \(exit code -9, "
                                                     r"SIGKILL\) while idle$"):
            list(pool.collect(TrainState.new(TINY), range(2)))
    assert gone(pid)


def test_a_worker_that_raises_is_an_error_with_its_traceback():
    state = TrainState.new(TINY)
    state.W1 = []  # no rows: the first forward pass fails in the worker
    with time_limit(60), EpisodePool(TINY.env, workers=1) as pool:
        pid = pool.pids[0]
        with pytest.raises(EpisodeWorkerError, match=r"^episode worker 0 raised \w+Error: .* while playing "
                                                     r"episode 0$") as caught:
            list(pool.collect(state, range(2)))
    assert "Traceback" in caught.value.remote_traceback
    assert gone(pid)
    with pytest.raises(RuntimeError, match="closed"):
        pool.collect(TrainState.new(TINY), range(1))


def test_a_worker_that_cannot_make_its_env_is_an_error():
    with time_limit(60), EpisodePool("Breakout-v4", workers=1) as pool:
        with pytest.raises(EpisodeWorkerError, match=r"^episode worker 0 could not start: ValueError: "
                                                     r"unknown env id 'Breakout-v4'") as caught:
            pool.ready()
    # The CLI checks the env id before any worker starts, so reaching the worker with a bad one is a bug:
    # it must print its traceback, not pass for the user's mistake. Only a broken install is not a bug.
    assert caught.value.is_bug


def test_ctrl_c_in_the_main_process_stops_the_workers_promptly():
    state = TrainState.new(TINY)
    with time_limit(60), EpisodePool(TINY.env, workers=2) as pool:
        pool.ready()
        pids = pool.pids
        with pytest.raises(KeyboardInterrupt), time_limit(0.3, KeyboardInterrupt):
            list(pool.collect(state, range(6)))  # ~3 s of play, interrupted after 0.3 s
        t = time.perf_counter()
    assert time.perf_counter() - t < 1.0  # already closed by the interrupted collect
    assert all(gone(pid) for pid in pids)


def test_the_pool_yields_results_in_episode_order_whatever_order_they_arrive_in():
    import itertools

    pool = EpisodePool.__new__(EpisodePool)  # no processes: only the reordering of what comes back is under test
    pool._keys, numbers, arrivals = itertools.count(), [7, 8, 9], iter([2, 0, 1])  # the third episode ends first

    def arrive(key, results):
        index = next(arrivals)
        results[index] = EpisodeResult(numbers[index], -21.0, 100, {}, [0.0])

    pool._dispatch, pool._wait = (lambda key, payload, todo: None), arrive
    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=1, downscale=4))
    assert [r.episode for r in pool._collect(state, numbers)] == numbers
