"""The project's NumPy version of pg-pong.py: a yardstick for speed and learning, and an oracle for the tests.

scratchpong itself never imports NumPy. This file uses NumPy only as an independent
oracle/yardstick: the tests compare scratchpong's numbers with the formulas below, and
`scratchpong bench` runs it as a script to measure how fast plain vectorized NumPy
(float64, one BLAS thread) trains the same network.

The math is scratchpong's, in the derivation's orientation: x is a row vector of D
pixels, W1 is D×H, W2 has H entries, y_p = Sigm(Relu(x W1) W2) = P(UP | x).

    python tests/reference/pg_pong_numpy.py --env Pong-v0 --episodes 20 --seed 0 --log run.csv

prints one line per episode: ``episode steps reward running_reward seconds``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

UP, DOWN = 2, 3  # ALE actions: paddle up, paddle down
BACKGROUND = (144, 109)  # the red values of Pong's brown background
EPS = 1e-5  # RMSProp's guard against dividing by 0
LOG_HEADER = "episode,steps,reward,running_reward,seconds"


# ---------------------------------------------------------------------- the math


def prepro(obs: np.ndarray, downscale: int = 2) -> np.ndarray:
    """210×160×3 uint8 frame -> float64 vector of (160/downscale)² entries: 1 for paddles and ball, 0 elsewhere.

    >>> frame = np.zeros((210, 160, 3), np.uint8); frame[35:195] = 144; frame[37, 4, 0] = 236
    >>> x = prepro(frame); x.shape, float(x.sum()), float(x[1 * 80 + 2])
    ((6400,), 1.0, 1.0)
    """
    red = obs[35:195:downscale, ::downscale, 0].astype(np.float64)  # crop to the field, keep the red channel
    red[(red == BACKGROUND[0]) | (red == BACKGROUND[1])] = 0.0
    red[red != 0.0] = 1.0
    return red.ravel()


def difference(cur: np.ndarray, prev: np.ndarray | None) -> np.ndarray:
    """x = cur − prev; the first frame of an episode (prev None) gives all zeros."""
    return np.zeros_like(cur) if prev is None else cur - prev


def sigmoid(z: float) -> float:
    """1 / (1 + e^−z), computed so that exp never overflows."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def policy_forward(x: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> tuple[float, np.ndarray]:
    """(y_p, h) with h = Relu(x W1) and y_p = Sigm(h W2)."""
    h = np.maximum(x @ W1, 0.0)
    return sigmoid(float(h @ W2)), h


def discount_rewards(r: np.ndarray, gamma: float) -> np.ndarray:
    """G_t = r_t + gamma·G_{t+1}, summed backwards, restarting at every point (r_t ≠ 0).

    >>> discount_rewards(np.array([0.0, 0.0, 1.0, 0.0, -1.0]), 0.5).tolist()
    [0.25, 0.5, 1.0, -0.5, -1.0]
    """
    r = np.asarray(r, dtype=np.float64)
    out = np.zeros_like(r)
    running = 0.0
    for t in range(len(r) - 1, -1, -1):
        if r[t] != 0.0:
            running = 0.0
        running = running * gamma + r[t]
        out[t] = running
    return out


def standardize(v: np.ndarray) -> np.ndarray:
    """(v − mean) / std with the population std; zeros when the std is (relatively) 0 or not finite.

    >>> standardize(np.array([1.0, 2.0, 3.0])).round(6).tolist(), standardize(np.array([5.0, 5.0])).tolist()
    ([-1.224745, 0.0, 1.224745], [0.0, 0.0])
    """
    v = np.asarray(v, dtype=np.float64)
    if v.size == 0:
        return v.copy()
    centered = v - v.mean()
    std = float(np.sqrt(np.mean(centered * centered)))
    if not math.isfinite(std) or std <= 1e-12 * float(np.max(np.abs(v))):
        return np.zeros_like(v)
    return centered / std


def policy_backward(
    epx: np.ndarray, eph: np.ndarray, epdlogp: np.ndarray, W2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(dW1 D×H, dW2 H) summed over an episode: epx T×D, eph T×H, epdlogp T (already times the advantages)."""
    dW2 = eph.T @ epdlogp
    dh = np.outer(epdlogp, W2)
    dh[eph <= 0.0] = 0.0  # ReLU: no gradient through units that were off
    return epx.T @ dh, dW2


def rmsprop_step(W: np.ndarray, g: np.ndarray, cache: np.ndarray, lr: float, decay: float) -> None:
    """One RMSProp ascent step, in place: cache = decay·cache + (1−decay)·g²; W += lr·g / (√cache + eps)."""
    cache *= decay
    cache += (1.0 - decay) * g * g
    W += lr * g / (np.sqrt(cache) + EPS)


def init_weights(D: int, H: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """W1 ~ N(0, 1)/√D (D×H) and W2 ~ N(0, 1)/√H."""
    W1 = rng.standard_normal((D, H)) / math.sqrt(D)
    W2 = rng.standard_normal(H) / math.sqrt(H)
    return W1, W2


def episode_gradient(
    epx: np.ndarray, eph: np.ndarray, dlogps: np.ndarray, rewards: np.ndarray, W2: np.ndarray, gamma: float
) -> tuple[np.ndarray, np.ndarray]:
    """policy_backward with each step's (y_a − y_p) scaled by its standardized discounted return."""
    advantages = standardize(discount_rewards(rewards, gamma))
    return policy_backward(epx, eph, dlogps * advantages, W2)


# ---------------------------------------------------------------------- playing and training


def make_env(env_id: str):
    """gym.make(env_id) after registering ALE's envs; Pong-v0's "out of date" warning is silenced."""
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*out of date.*")
        return gym.make(env_id)


def play_episode(env, W1: np.ndarray, W2: np.ndarray, rng: np.random.Generator, downscale: int,
                 seed: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One episode, sampling UP with probability y_p: (epx T×D, eph T×H, y_a − y_p, rewards)."""
    obs, _ = env.reset(seed=seed) if seed is not None else env.reset()
    xs, hs, dlogps, rewards = [], [], [], []
    prev = None
    done = False
    while not done:
        cur = prepro(obs, downscale)
        x = difference(cur, prev)
        prev = cur
        y_p, h = policy_forward(x, W1, W2)
        up = rng.random() < y_p
        xs.append(x)
        hs.append(h)
        dlogps.append((1.0 if up else 0.0) - y_p)
        obs, reward, terminated, truncated, _ = env.step(UP if up else DOWN)
        rewards.append(float(reward))
        done = terminated or truncated
    return np.vstack(xs), np.vstack(hs), np.array(dlogps), np.array(rewards)


def report(episode: int, steps: int, reward: float, running: float, seconds: float, log: Path | None) -> None:
    """One line on stdout (and one CSV row in the log): episode steps reward running_reward seconds."""
    fields = (str(episode), str(steps), f"{reward:g}", f"{running:.4f}", f"{seconds:.2f}")
    print(" ".join(fields), flush=True)
    if log is not None:
        with log.open("a", encoding="utf-8") as f:
            f.write(",".join(fields) + "\n")


def new_state(args: argparse.Namespace) -> dict:
    """Fresh weights from --seed, zero caches and gradient buffer, no episodes played."""
    rng = np.random.default_rng(args.seed)
    W1, W2 = init_weights((160 // args.downscale) ** 2, args.hidden, rng)
    zeros = {k: np.zeros_like(W) for k, W in (("cache_W1", W1), ("cache_W2", W2), ("grad_W1", W1), ("grad_W2", W2))}
    return {"W1": W1, "W2": W2, **zeros, "episode": 0, "running": math.nan, "seconds": 0.0, "rng": rng}


def save_state(path: Path, s: dict) -> None:
    """Weights, caches, gradient buffer, counters and the random generator's state, as one .npz.

    Written to a temporary file and renamed over the old one, so a crash leaves the previous save whole.
    """
    arrays = {k: v for k, v in s.items() if k != "rng"}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays, rng=np.array(json.dumps(s["rng"].bit_generator.state)))
    tmp.replace(path)


def load_state(path: Path) -> dict:
    """What save_state wrote; the run continues from it.

    The env's own state is not saved: a resumed run resets the env with the seed (seed + episode),
    so it goes on as another sample of the same training, not bit for bit as an uninterrupted run.
    """
    with np.load(path) as data:
        s = {k: data[k].copy() for k in data.files if k != "rng"}
        rng_state = json.loads(str(data["rng"]))
    s.update(episode=int(s["episode"]), running=float(s["running"]), seconds=float(s["seconds"]))
    s["rng"] = np.random.default_rng()
    s["rng"].bit_generator.state = rng_state
    return s


def train(args: argparse.Namespace) -> None:
    """pg-pong.py's loop: play, sum the episode gradients, one RMSProp step every batch_size episodes."""
    s = load_state(args.save) if args.resume else new_state(args)
    if args.log is not None and (not args.resume or not args.log.exists() or args.log.stat().st_size == 0):
        args.log.write_text(LOG_HEADER + "\n", encoding="utf-8")
    elif args.log is not None:  # resumed: rows past the save are played again, so they go
        header, *rows = args.log.read_text(encoding="utf-8").splitlines()
        kept = [row for row in rows if int(row.split(",")[0]) <= s["episode"]]
        args.log.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    env = make_env(args.env)
    first, rng = s["episode"], s["rng"]
    start = time.perf_counter()
    for episode in range(first + 1, first + args.episodes + 1):
        seed = args.seed + first if episode == first + 1 else None  # a new run: reset(seed=seed) once
        epx, eph, dlogps, rewards = play_episode(env, s["W1"], s["W2"], rng, args.downscale, seed)
        dW1, dW2 = episode_gradient(epx, eph, dlogps, rewards, s["W2"], args.gamma)
        s["grad_W1"] += dW1
        s["grad_W2"] += dW2
        if episode % args.batch_size == 0:
            for W, g, cache in (("W1", "grad_W1", "cache_W1"), ("W2", "grad_W2", "cache_W2")):
                rmsprop_step(s[W], s[g], s[cache], args.lr, args.decay)
                s[g][...] = 0.0
        reward = float(rewards.sum())
        s["running"] = reward if math.isnan(s["running"]) else 0.99 * s["running"] + 0.01 * reward
        s["episode"] = episode
        report(episode, len(rewards), reward, s["running"], s["seconds"] + time.perf_counter() - start, args.log)
        if args.save is not None and args.save_every and episode % args.save_every == 0:
            save_state(args.save, {**s, "seconds": s["seconds"] + time.perf_counter() - start})
    s["seconds"] += time.perf_counter() - start
    if args.save is not None:
        save_state(args.save, s)
    env.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Karpathy's settings by default: Pong-v0, H 200, 80×80 inputs, batches of 10, lr 1e-4, gamma and decay 0.99."""
    p = argparse.ArgumentParser(description="NumPy pg-pong: scratchpong's yardstick and test oracle")
    p.add_argument("--env", default="Pong-v0", help="Gymnasium Pong id (default Pong-v0)")
    p.add_argument("--episodes", type=int, default=10, help="episodes to play (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights, the env and the sampling")
    p.add_argument("--hidden", type=int, default=200, help="H, hidden units")
    p.add_argument("--downscale", type=int, choices=(2, 4), default=2, help="2: 80x80 inputs, 4: 40x40")
    p.add_argument("--batch-size", type=int, default=10, help="episodes per RMSProp update")
    p.add_argument("--lr", type=float, default=1e-4, help="RMSProp learning rate")
    p.add_argument("--gamma", type=float, default=0.99, help="reward discount")
    p.add_argument("--decay", type=float, default=0.99, help="RMSProp decay")
    p.add_argument("--log", type=Path, help="CSV log, one row per episode")
    p.add_argument("--save", type=Path, help="write the run's state here (.npz) at the end")
    p.add_argument("--resume", action="store_true", help="continue the run saved at --save")
    p.add_argument("--save-every", type=int, default=0, help="also save every N episodes (default 0: at the end)")
    args = p.parse_args(argv)
    if args.resume and (args.save is None or not args.save.exists()):
        p.error("--resume needs --save naming an existing .npz")
    return args


def main(argv: list[str] | None = None) -> int:
    train(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
