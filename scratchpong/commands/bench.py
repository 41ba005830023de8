"""`scratchpong bench`: speed and memory of the trainer, beside the NumPy yardstick, measured in one run.

The trainers (scratchpong in one process, scratchpong with N worker processes, and
the NumPy yardstick) run as child processes on the same env id, seed and episode
count, one after the other, round after round, so that the machine's busy and idle
spells fall on all of them alike; only the ratios within a round are compared.
Steps/s come from each trainer's own per-episode log (wall time in the training
loop, after imports and env creation), peak RSS from the kernel's rusage of each
child (os.wait4: the largest single process, so with worker processes it is per
process, not their sum). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratchpong.commands.args import UserError, count, positive
from scratchpong.runlog import Log, read_log

# The yardstick lives with the tests (it imports NumPy, which scratchpong/ never does): there in a source checkout.
REFERENCE = Path(__file__).resolve().parents[2] / "tests" / "reference" / "pg_pong_numpy.py"


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float]:
    """Run a command; return (stdout, peak RSS in MiB of that child alone)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # wait4, not proc.wait: it gives this child's own rusage
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            last = (err.read().strip().splitlines() or [""])[-1]
            raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {code}: {last}")
        return out.read(), usage.ru_maxrss / 1024  # Linux reports KiB


def ours(env_id: str, episodes: int, seed: int, workers: int = 1) -> dict:
    """Train the karpathy preset for `episodes` in a child process; steps/s from its log."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.csv"
        cmd = [sys.executable, "-m", "scratchpong", "train", "--preset", "karpathy", "--env", env_id,
               "--episodes", str(episodes), "--seed", str(seed), "--checkpoint", str(Path(tmp) / "c.json"),
               "--log", str(log), "--save-every", "0", "--no-progress", "--workers", str(workers)]
        _, rss = run_child(cmd)
        return figures(read_log(log), rss)


def figures(log: Log, rss: float) -> dict:
    """Steps, training seconds, steps/s and peak RSS of one run, from its log."""
    steps, seconds = int(sum(log["steps"])), log["seconds"][-1]
    return {"steps": steps, "seconds": seconds, "steps_per_s": steps / seconds, "peak_rss_mib": rss}


def reference(env_id: str, episodes: int, seed: int, script: Path) -> dict:
    """Run the NumPy yardstick with one BLAS thread, the karpathy settings; steps/s from its log."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.csv"
        _, rss = run_child([sys.executable, str(script), "--env", env_id, "--episodes", str(episodes),
                            "--seed", str(seed), "--log", str(log)], env)
        return figures(read_log(log), rss)


def env_only(env_id: str, steps: int, seed: int) -> float:
    """Steps per second of the env alone, with random UP/DOWN actions."""
    from scratchpong.env import DOWN, UP, make_env

    env = make_env(env_id)
    rng = random.Random(seed)
    env.reset(seed=seed)
    t = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(UP if rng.random() < 0.5 else DOWN)
        if terminated or truncated:
            env.reset()
    rate = steps / (time.perf_counter() - t)
    env.close()
    return rate


def rmsprop_seconds(seed: int, repeats: int = 3) -> float:
    """Seconds for one RMSProp update of the karpathy network when every row of W1 has a gradient."""
    from scratchpong.config import PRESETS
    from scratchpong.train import TrainState

    state = TrainState.new(PRESETS["karpathy"])
    rng = random.Random(seed)
    H = len(state.W2)
    best = float("inf")
    for _ in range(repeats):
        state.grad_W1 = {i: [rng.gauss(0, 1) for _ in range(H)] for i in range(len(state.W1))}
        state.grad_W2 = [rng.gauss(0, 1) for _ in range(H)]
        t = time.perf_counter()
        state.update()
        best = min(best, time.perf_counter() - t)
    return best


def forward_costs(env_id: str, seed: int) -> dict:
    """Seconds of one forward pass x*W1 → y_p on a real difference frame: sparse, and dense over all D pixels."""
    from operator import mul

    from scratchpong.config import PRESETS
    from scratchpong.env import DOWN, UP, make_env
    from scratchpong.frames import difference, prepro
    from scratchpong.matrix import densify, transpose
    from scratchpong.policy import policy_forward, relu, sigm
    from scratchpong.train import TrainState

    state = TrainState.new(PRESETS["karpathy"])
    env = make_env(env_id)
    obs, _ = env.reset(seed=seed)
    frames = []
    for t in range(120):  # past the serve, so paddles and ball are moving
        obs, *_ = env.step(UP if t % 3 else DOWN)
        frames.append(prepro(obs))
    env.close()
    x = difference(frames[-1], frames[-2])
    x_dense = densify(x, len(state.W1))
    W1_columns = transpose(state.W1)  # the dense formula reads W1 a column at a time

    def dense() -> float:
        L_ip2 = [sum(map(mul, x_dense, column)) for column in W1_columns]  # 6400 multiply-adds per hidden unit
        return sigm(sum(map(mul, relu(L_ip2), state.W2)))

    def best(f, repeats: int) -> float:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
        return min(times)

    sparse_s = best(lambda: policy_forward(state.W1, state.W2, x), 200)
    dense_s = best(dense, 5)
    return {"nonzero_pixels": len(x), "sparse_forward_seconds": sparse_s, "dense_forward_seconds": dense_s,
            "dense_over_sparse": dense_s / sparse_s}


def step_costs(env_id: str, seed: int) -> dict:
    """Microseconds per step of each part of training, over one episode of the untrained karpathy network.

    The env is stepped live (with random UP/DOWN), each frame preprocessed and diffed as it comes;
    then the forward and backward passes are timed over that episode's inputs.
    """
    from scratchpong.config import PRESETS
    from scratchpong.env import DOWN, UP, make_env
    from scratchpong.episode import Trajectory, episode_gradient
    from scratchpong.frames import difference, prepro
    from scratchpong.policy import eq2_dlogp_dLip3, policy_forward
    from scratchpong.train import TrainState

    state = TrainState.new(PRESETS["karpathy"])
    rng = random.Random(seed)
    env = make_env(env_id)
    clock = time.perf_counter
    spent = dict.fromkeys(("seeded_reset", "env_step", "prepro", "difference", "forward", "backward"), 0.0)
    t = clock()
    obs, _ = env.reset(seed=seed)
    spent["seeded_reset"] = clock() - t
    traj, prev, done = Trajectory(), None, False
    while not done:
        t0 = clock()
        cur = prepro(obs)
        t1 = clock()
        x = difference(cur, prev)
        t2 = clock()
        obs, reward, terminated, truncated, _ = env.step(UP if rng.random() < 0.5 else DOWN)
        spent["prepro"] += t1 - t0
        spent["difference"] += t2 - t1
        spent["env_step"] += clock() - t2
        prev, done = cur, terminated or truncated
        traj.xs.append(x)
        traj.rewards.append(float(reward))
    env.close()
    t = clock()
    for x in traj.xs:
        fwd = policy_forward(state.W1, state.W2, x)
        traj.hs.append(fwd.h)
        traj.dlogps.append(eq2_dlogp_dLip3(float(rng.random() < fwd.y_p), fwd.y_p))
    spent["forward"] = clock() - t
    t = clock()
    episode_gradient(traj, state.W2, 0.99)
    spent["backward"] = clock() - t
    T = len(traj.rewards)
    return {"steps": T, "changed_pixels_per_step": sum(map(len, traj.xs)) / T,
            **{f"{k}_us": v / T * 1e6 for k, v in spent.items()}}


def batch_anatomy(env_id: str, seed: int, workers: int, batches: int, batch_size: int) -> dict:
    """Seconds per batch of the karpathy network with worker processes, split by who does what.

    `play` is the workers' time in play_episode, summed over both; `pickling` the main
    process making the weights messages; `summing` adding each episode's gradient;
    `update` the batch's last sum and its RMSProp step. While the main process pickles
    and updates, every worker waits; `other idle` is the rest of the workers' time
    that is not play: sending, unpickling, and the end of a batch, when one worker plays
    the last episode and the other has nothing left to do.
    """
    from dataclasses import replace

    from scratchpong.config import PRESETS
    from scratchpong.parallel import EpisodePool
    from scratchpong.train import TrainState, batch_ranges

    state = TrainState.new(replace(PRESETS["karpathy"], env=env_id, seed=seed, batch_size=batch_size,
                                     episodes=batches * batch_size))
    parts = dict.fromkeys(("wall", "play", "pickling", "summing", "update"), 0.0)
    clock = time.perf_counter
    with EpisodePool(env_id, workers) as pool:
        pool.ready()
        for episodes in batch_ranges(state):
            start = clock()
            for result in pool.collect(state, episodes):
                t = clock()
                full = state.add_episode(result)
                parts["update" if full else "summing"] += clock() - t
            parts["wall"] += clock() - start
            parts["play"] += pool.play_seconds
            parts["pickling"] += pool.pickle_seconds
    per_batch = {k: v / batches for k, v in parts.items()}
    per_batch["other_idle"] = (workers * per_batch["wall"] - per_batch["play"]
                               - workers * (per_batch["pickling"] + per_batch["update"]))
    serial = per_batch["play"] + per_batch["summing"] + per_batch["update"]  # one process, same work
    return {"workers": workers, "batches": batches, "batch_size": state.config.batch_size, **per_batch,
            "work_speedup": serial / per_batch["wall"]}


def measure(args: argparse.Namespace) -> dict:
    """The part costs, then `rounds` rounds of the trainers one after the other, and the ratios of each round."""
    from scratchpong.env import check_env_id

    try:
        check_env_id(args.env)
    except ValueError as e:
        raise UserError(str(e)) from None
    script = Path(args.reference)
    if not script.is_file():
        raise UserError(f"the NumPy yardstick {str(script)!r} is not there (it ships with a source checkout, in "
                        f"tests/reference/); give its path with --reference")
    try:  # before minutes of measuring: a file that is not the yardstick, or no NumPy, fails here
        run_child([sys.executable, str(script), "--help"])
    except RuntimeError as e:
        raise UserError(f"the NumPy yardstick {str(script)!r} does not run ({e}); give the path of "
                        f"tests/reference/pg_pong_numpy.py, with NumPy installed (pip install -e '.[test]')") from None
    result: dict = {"env": args.env, "episodes": args.episodes, "seed": args.seed, "preset": "karpathy",
                    "workers": args.workers, "rounds": []}
    result["env_only_steps_per_s"] = env_only(args.env, args.env_steps, args.seed)
    result["rmsprop_update_seconds"] = rmsprop_seconds(args.seed)
    result["forward"] = forward_costs(args.env, args.seed)
    result["per_step"] = step_costs(args.env, args.seed)
    if args.workers > 1:
        result["batch_anatomy"] = batch_anatomy(args.env, args.seed, args.workers, args.anatomy_batches,
                                                args.episodes)
    for _ in range(args.rounds):  # alternating, so that a busy spell of the machine hits every trainer alike
        one = {"scratchpong": ours(args.env, args.episodes, args.seed)}
        if args.workers > 1:
            one["scratchpong_workers"] = ours(args.env, args.episodes, args.seed, args.workers)
        one["numpy_reference"] = reference(args.env, args.episodes, args.seed, script)
        one.update(ratios(one))
        result["rounds"].append(one)
    return result


def ratios(one: dict) -> dict:
    """The ratios of one round: speed and peak RSS of scratchpong over NumPy, and of N workers over one."""
    a, b = one["scratchpong"], one["numpy_reference"]
    out = {"speed_ratio": a["steps_per_s"] / b["steps_per_s"], "rss_ratio": a["peak_rss_mib"] / b["peak_rss_mib"]}
    if "scratchpong_workers" in one:
        w = one["scratchpong_workers"]
        out["workers_speed_ratio"] = w["steps_per_s"] / b["steps_per_s"]
        out["workers_speedup"] = w["steps_per_s"] / a["steps_per_s"]
    return out


def span(values: list[float]) -> str:
    """A ratio over the rounds as 'low–high' (or one value)."""
    lo, hi = min(values), max(values)
    return f"{lo:.2f}x" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f}-{hi:.2f}x"


def report(r: dict) -> str:
    """The figures a person reads: part costs, each round's trainers, and the ratios over the rounds."""
    workers = r["workers"]
    lines = [
        f"bench: karpathy preset on {r['env']}, seed {r['seed']}, {r['episodes']} episodes per trainer, "
        f"{len(r['rounds'])} round(s), trainers one after the other in each",
        f"env alone (random actions)      {r['env_only_steps_per_s']:8.0f} steps/s",
        f"one RMSProp update (all rows)   {r['rmsprop_update_seconds']:8.3f} s",
        f"one forward pass, sparse        {r['forward']['sparse_forward_seconds'] * 1e6:8.0f} us "
        f"({r['forward']['nonzero_pixels']} changed pixels of 6400)",
        f"one forward pass, dense Python  {r['forward']['dense_forward_seconds'] * 1e6:8.0f} us "
        f"({r['forward']['dense_over_sparse']:.0f}x the sparse one)",
        "per step, in us (one episode of {steps} steps, {changed_pixels_per_step:.1f} changed pixels a step): "
        "env {env_step_us:.0f}, seeded reset {seeded_reset_us:.0f}, prepro {prepro_us:.0f}, "
        "difference {difference_us:.0f}, forward {forward_us:.0f}, backward {backward_us:.0f}".format(**r["per_step"]),
    ]
    if "batch_anatomy" in r:
        a = r["batch_anatomy"]
        lines.append(
            "one batch of {batch_size} episodes on {workers} workers, in s (mean of {batches}): wall {wall:.2f}; "
            "workers playing {play:.2f} (of {capacity:.2f}); main process alone, workers waiting: pickling the "
            "weights {pickling:.2f}, last sum and RMSProp {update:.2f}; summing as results come {summing:.2f}; "
            "other idle worker time (sending, unpickling, the batch's tail) {other_idle:.2f}; "
            "the same work in one process over this wall: {work_speedup:.2f}x".format(
                capacity=a["workers"] * a["wall"], **a))
    lines.append(f"{'round':>5}  {'trainer':34} {'steps':>8} {'seconds':>8} {'steps/s':>8} {'peak RSS':>9}")
    names = {"scratchpong": "scratchpong, one process", "scratchpong_workers": f"scratchpong, {workers} workers",
             "numpy_reference": "NumPy yardstick (1 BLAS thread)"}
    for k, one in enumerate(r["rounds"], 1):
        for key, name in names.items():
            if key in one:
                t = one[key]
                lines.append(f"{k:>5}  {name:34} {t['steps']:8d} {t['seconds']:8.1f} {t['steps_per_s']:8.0f} "
                             f"{t['peak_rss_mib']:7.0f} MiB")
    rounds = r["rounds"]
    lines.append(f"one process / NumPy: {span([o['speed_ratio'] for o in rounds])} steps/s; "
                 f"peak RSS {span([o['rss_ratio'] for o in rounds])}")
    if workers > 1:
        lines.append(f"{workers} workers / NumPy: {span([o['workers_speed_ratio'] for o in rounds])} steps/s; "
                     f"{workers} workers / one process: {span([o['workers_speedup'] for o in rounds])}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    result = measure(args)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="speed and memory beside the NumPy yardstick, in one run")
    p.add_argument("--env", default="Pong-v0", help="env id for both trainers (default Pong-v0, Karpathy's)")
    p.add_argument("--episodes", type=positive, default=10, help="episodes each trainer plays (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed for both (default 0)")
    p.add_argument("--env-steps", type=count, default=3000, help="steps for the env-only figure (default 3000)")
    p.add_argument("--workers", type=positive, default=2,
                   help="also time scratchpong with N worker processes (default 2; 1: one process only)")
    p.add_argument("--anatomy-batches", type=positive, default=2, metavar="B",
                   help="batches of --episodes episodes timed part by part with the workers (default 2)")
    p.add_argument("--rounds", type=positive, default=3,
                   help="rounds of the trainers, one after the other in each (default 3); ratios per round")
    p.add_argument("--reference", default=str(REFERENCE),
                   help="the NumPy yardstick pg_pong_numpy.py (default: tests/reference/ of this checkout)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=run)
