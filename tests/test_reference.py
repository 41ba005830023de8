"""scratchpong against the NumPy oracle in tests/reference/pg_pong_numpy.py.

NumPy is used here only as an independent oracle: the same formulas written with
arrays (x a row vector, W1 D×H), to check scratchpong's pure-Python numbers to
~1e-12. scratchpong itself never imports NumPy (test_purity.py).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchpong import frames, returns
from scratchpong.config import TrainConfig
from scratchpong.episode import Trajectory, episode_gradient
from scratchpong.matrix import densify
from scratchpong.policy import init_weights, policy_forward
from scratchpong.train import EpisodeResult, TrainState
from tests.reference import pg_pong_numpy as ref

SCRIPT = Path(ref.__file__)
TIGHT = {"rtol": 1e-12, "atol": 1e-12}
D, H, TOUCHED = 30, 7, 20  # input pixels, hidden units; only pixels 0..TOUCHED-1 ever change
LR, GAMMA, DECAY = 1e-2, 0.99, 0.99


# ---------------------------------------------------------------------- synthetic episodes


def sparse_input(rng: random.Random, t: int) -> list[tuple[int, float]]:
    """Every 5th step nothing moved; otherwise 1–4 distinct pixels of the first TOUCHED, each turned on or off."""
    if t % 5 == 0:
        return []
    return [(i, rng.choice((1.0, -1.0))) for i in sorted(rng.sample(range(TOUCHED), rng.randint(1, 4)))]


def synthetic_episode(rng: random.Random, W1: list[list[float]], W2: list[float], steps: int) -> Trajectory:
    """A Trajectory filled through scratchpong's forward pass, with sampled labels and a few ±1 points."""
    traj = Trajectory()
    for t in range(steps):
        x = sparse_input(rng, t)
        fwd = policy_forward(W1, W2, x)
        y_a = 1.0 if rng.random() < fwd.y_p else 0.0
        point = t == steps - 1 or rng.random() < 0.12
        traj.xs.append(x)
        traj.hs.append(fwd.h)
        traj.dlogps.append(y_a - fwd.y_p)
        traj.rewards.append(rng.choice((1.0, -1.0)) if point else 0.0)
    return traj


@pytest.fixture(scope="module")
def batch():
    """Weights, non-zero RMSProp caches and three episodes played with them."""
    rng = random.Random(20240611)
    W1, W2 = init_weights(D, H, rng)
    cache_W1 = [[rng.uniform(1e-4, 1e-2) for _ in range(H)] for _ in range(D)]
    cache_W2 = [rng.uniform(1e-4, 1e-2) for _ in range(H)]
    episodes = [synthetic_episode(rng, W1, W2, steps) for steps in (23, 17, 31)]
    return W1, W2, cache_W1, cache_W2, episodes


def dense_episode(traj: Trajectory) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(epx T×D, eph T×H, dlogps, rewards) as arrays: the sparse inputs made dense."""
    epx = np.array([densify(x, D) for x in traj.xs])
    return epx, np.array(traj.hs), np.array(traj.dlogps), np.array(traj.rewards)


def test_the_synthetic_episodes_exercise_every_case(batch):
    """Both signs, empty steps, pixels repeating across steps, points inside episodes, dead and live units."""
    *_, episodes = batch
    pairs = [p for traj in episodes for x in traj.xs for p in x]
    assert {v for _, v in pairs} == {1.0, -1.0}
    assert any(not x for traj in episodes for x in traj.xs)
    assert len({i for i, _ in pairs}) < len(pairs)
    assert all(sum(r != 0.0 for r in traj.rewards) >= 2 for traj in episodes)
    hs = np.array([h for traj in episodes for h in traj.hs])
    assert (hs == 0.0).any() and (hs > 0.0).any()


# ---------------------------------------------------------------------- 1. forward pass and a whole batch update


def test_forward_pass_agrees_with_numpy(batch):
    W1, W2, *_, episodes = batch
    for traj in episodes:
        for x, h in zip(traj.xs, traj.hs):
            y_p, h_np = ref.policy_forward(np.array(densify(x, D)), np.array(W1), np.array(W2))
            assert y_p == pytest.approx(policy_forward(W1, W2, x).y_p, rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(h_np, h, **TIGHT)


def test_a_batch_update_agrees_with_numpy(batch):
    W1, W2, cache_W1, cache_W2, episodes = batch
    before = {"W1": np.array(W1), "W2": np.array(W2), "cache_W1": np.array(cache_W1), "cache_W2": np.array(cache_W2)}

    # scratchpong: each episode's gradient into the buffer; the last one of the batch triggers RMSProp.
    config = TrainConfig(hidden=H, batch_size=len(episodes), lr=LR, gamma=GAMMA, decay=DECAY)
    state = TrainState(config, [row[:] for row in W1], W2[:], [row[:] for row in cache_W1], cache_W2[:],
                       grad_W2=[0.0] * H)
    updated = []
    for n, traj in enumerate(episodes):
        g1, g2 = episode_gradient(traj, state.W2, config.gamma)
        updated.append(state.add_episode(EpisodeResult(n, traj.reward, len(traj.rewards), g1, g2)))
    assert updated == [False] * (len(episodes) - 1) + [True]

    # NumPy: the same trajectories, dense, through the oracle's formulas.
    W1_np, W2_np = before["W1"].copy(), before["W2"].copy()
    cache_W1_np, cache_W2_np = before["cache_W1"].copy(), before["cache_W2"].copy()
    grad_W1, grad_W2 = np.zeros_like(W1_np), np.zeros_like(W2_np)
    for traj in episodes:
        epx, eph, dlogps, rewards = dense_episode(traj)
        advantages = ref.standardize(ref.discount_rewards(rewards, GAMMA))
        dW1, dW2 = ref.policy_backward(epx, eph, dlogps * advantages, W2_np)
        grad_W1 += dW1
        grad_W2 += dW2
    ref.rmsprop_step(W1_np, grad_W1, cache_W1_np, LR, DECAY)
    ref.rmsprop_step(W2_np, grad_W2, cache_W2_np, LR, DECAY)

    got = {"W1": state.W1, "W2": state.W2, "cache_W1": state.cache_W1, "cache_W2": state.cache_W2}
    want = {"W1": W1_np, "W2": W2_np, "cache_W1": cache_W1_np, "cache_W2": cache_W2_np}
    for name in got:
        np.testing.assert_allclose(np.array(got[name]), want[name], err_msg=name, **TIGHT)
        assert not np.allclose(want[name], before[name], rtol=1e-6, atol=1e-6), f"{name} did not visibly change"
    assert state.grad_W1 == {} and state.grad_W2 == [0.0] * H and state.batch_episodes == 0

    # Rows no pixel touched: weights exactly as they were, caches decayed.
    untouched = slice(TOUCHED, D)
    np.testing.assert_array_equal(np.array(state.W1)[untouched], before["W1"][untouched])
    np.testing.assert_allclose(np.array(state.cache_W1)[untouched], DECAY * before["cache_W1"][untouched], **TIGHT)


def test_one_episode_gradient_agrees_with_numpy(batch):
    """The per-episode gradient on its own, so a failure above says whether the backward pass or RMSProp broke."""
    W1, W2, *_, episodes = batch
    for traj in episodes:
        rows, dW2 = episode_gradient(traj, W2, GAMMA)
        epx, eph, dlogps, rewards = dense_episode(traj)
        dW1_np, dW2_np = ref.episode_gradient(epx, eph, dlogps, rewards, np.array(W2), GAMMA)
        dW1 = np.array([rows.get(i, [0.0] * H) for i in range(D)])
        np.testing.assert_allclose(dW1, dW1_np, **TIGHT)
        np.testing.assert_allclose(np.array(dW2), dW2_np, **TIGHT)
        assert set(rows) <= set(range(TOUCHED))


# ---------------------------------------------------------------------- 2. frames


@pytest.fixture(scope="module")
def pong_frames() -> list[np.ndarray]:
    """61 real observations of ALE/Pong-v5: the reset frame, then 60 steps of UP, DOWN, UP, ..."""
    from scratchpong.env import make_env

    env = make_env("ALE/Pong-v5")
    obs, _ = env.reset(seed=0)
    out = [obs]
    for t in range(60):
        obs, *_ = env.step(2 if t % 2 == 0 else 3)
        out.append(obs)
    env.close()
    return out


@pytest.mark.parametrize("downscale", [2, 4])
def test_prepro_and_difference_agree_with_numpy(pong_frames, downscale):
    size = (160 // downscale) ** 2
    prev = prev_np = None
    signs = set()
    for obs in pong_frames:
        cur, cur_np = frames.prepro(obs, downscale), ref.prepro(obs, downscale)
        assert cur_np.dtype == np.float64 and cur_np.shape == (size,)
        np.testing.assert_array_equal(np.frombuffer(cur, dtype=np.uint8).astype(np.float64), cur_np)
        x, x_np = frames.difference(cur, prev), ref.difference(cur_np, prev_np)
        np.testing.assert_array_equal(np.array(densify(x, size)), x_np)
        signs.update(v for _, v in x)
        prev, prev_np = cur, cur_np
    assert frames.difference(cur, None) == [] and not ref.difference(cur_np, None).any()
    assert signs == {1.0, -1.0}, "the frames should show pixels turning both on and off"


# ---------------------------------------------------------------------- 3. returns and advantages


@pytest.mark.parametrize(("rewards", "gamma"), [
    ([0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 1.0], 0.9),  # a reset at each point
    ([1.0, -1.0, 1.0, 1.0], 0.99),  # a point at every step: every return is its own reward
    ([0.0, 0.0, 0.0, -1.0], 1.0),
    ([0.0, 0.0, 0.0], 0.99),  # no point: all zero, and standardize must not divide by 0
    ([], 0.99),
])
def test_discount_and_standardize_agree_on_worked_cases(rewards, gamma):
    G = returns.discount_rewards(rewards, gamma)
    G_np = ref.discount_rewards(np.array(rewards), gamma)
    np.testing.assert_allclose(np.array(G), G_np, **TIGHT)
    np.testing.assert_allclose(np.array(returns.standardize(G)), ref.standardize(G_np), **TIGHT)


def test_the_reset_at_each_point_is_in_both():
    r = [0.0, 1.0, 0.0, -1.0]
    assert returns.discount_rewards(r, 0.5) == ref.discount_rewards(np.array(r), 0.5).tolist() == [0.5, 1.0, -0.5, -1.0]


@pytest.mark.parametrize("v", [[5.0, 5.0], [3.23, 3.23, 3.23], [0.0] * 4, [-7.5] * 9])
def test_standardize_of_equal_values_is_zero_in_both(v):
    assert returns.standardize(v) == ref.standardize(np.array(v)).tolist() == [0.0] * len(v)


@given(st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.0, 1.0, -1.0]), max_size=60),
       st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
def test_discount_and_standardize_agree_on_random_rallies(rewards, gamma):
    G = returns.discount_rewards(rewards, gamma)
    G_np = ref.discount_rewards(np.array(rewards), gamma)
    np.testing.assert_allclose(np.array(G), G_np, **TIGHT)
    np.testing.assert_allclose(np.array(returns.standardize(G)), ref.standardize(G_np), **TIGHT)


# ---------------------------------------------------------------------- 4. the script


def run_script(*args: str) -> str:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_script_trains_one_episode_and_logs_it(tmp_path):
    log = tmp_path / "log.csv"
    out = run_script("--episodes", "1", "--seed", "0", "--batch-size", "1", "--log", str(log))
    lines = out.splitlines()
    assert len(lines) == 1
    episode, steps, reward, running, seconds = (float(f) for f in lines[0].split())
    assert episode == 1 and steps > 100 and -21 <= reward <= 21 and running == reward and seconds > 0
    header, *rows = log.read_text(encoding="utf-8").splitlines()
    assert header == "episode,steps,reward,running_reward,seconds"
    assert rows == [lines[0].replace(" ", ",")]


def test_the_script_resumes_where_it_saved(tmp_path):
    small = ("--env", "ALE/Pong-v5", "--downscale", "4", "--hidden", "8", "--batch-size", "1", "--seed", "3")
    save, log = tmp_path / "run.npz", tmp_path / "log.csv"
    run_script(*small, "--episodes", "1", "--save", str(save), "--log", str(log))
    with np.load(save) as saved:
        first = dict(saved)
    out = run_script(*small, "--episodes", "1", "--save", str(save), "--log", str(log), "--resume")
    assert out.split()[0] == "2"
    assert [row.split(",")[0] for row in log.read_text(encoding="utf-8").splitlines()] == ["episode", "1", "2"]
    with np.load(save) as second:
        assert int(second["episode"]) == 2 and not np.array_equal(second["W1"], first["W1"])


def test_the_script_saves_every_n_episodes_and_a_resume_drops_the_rows_past_the_save(tmp_path):
    small = ("--env", "ALE/Pong-v5", "--downscale", "4", "--hidden", "8", "--batch-size", "2", "--seed", "3")
    save, log = tmp_path / "run.npz", tmp_path / "log.csv"
    run_script(*small, "--episodes", "1", "--save", str(save), "--save-every", "1", "--log", str(log))
    with np.load(save) as saved:
        assert int(saved["episode"]) == 1
    with log.open("a", encoding="utf-8") as f:
        f.write("2,999,-21,-21.0000,9.99\n")  # a row played after the save, then lost in a crash
    run_script(*small, "--episodes", "1", "--save", str(save), "--log", str(log), "--resume")
    rows = log.read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] for row in rows] == ["episode", "1", "2"] and "999" not in rows[2]
    assert not list(tmp_path.glob("*.tmp.npz"))
