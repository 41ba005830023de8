"""`scratchpong ship`: a checkpoint's weights as a small file that `play`, `eval` and `weights` load.

A resume checkpoint carries W1, W2, their RMSProp caches and the gradient of an
unfinished batch. An agent needs only W1, W2 and the settings, so the shipped file
keeps those, with each weight rounded to the fewest significant digits that change
no greedy action: the agent plays real games with its full weights, every input it
saw is fed to the rounded weights too, and the rounding is kept only if UP stays
UP and DOWN stays DOWN on every one of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scratchpong.commands.args import UserError, check_distinct, check_writable, positive
from scratchpong.frames import Frames
from scratchpong.matrix import Matrix, SparseVector, Vector

DIGITS = (3, 4, 5, 6, 7, 8, 10, 12)  # significant digits tried, fewest first; 17 would be exact


def round_weights(W1: Matrix, W2: Vector, digits: int) -> tuple[Matrix, Vector]:
    """Every weight rounded to `digits` significant digits, as `checkpoint.save_weights` will store it."""
    from scratchpong.checkpoint import rounded

    return [[rounded(w, digits) for w in row] for row in W1], [rounded(w, digits) for w in W2]


def greedy_inputs(env, W1: Matrix, W2: Vector, frames: Frames, steps: int, seed: int) -> list[SparseVector]:
    """The difference frames the agent sees in `steps` steps of greedy play (games of seed `seed`, in order)."""
    from scratchpong.episode import episode_rng, run_episode

    xs: list[SparseVector] = []
    n = 0
    while len(xs) < steps:
        traj = run_episode(env, W1, W2, frames, episode_rng(seed, n), greedy=True, max_steps=steps - len(xs))
        xs += traj.xs
        n += 1
    return xs


def actions(W1: Matrix, W2: Vector, xs: list[SparseVector]) -> list[bool]:
    """The greedy action (True for UP: y_p > 0.5) for each input."""
    from scratchpong.policy import policy_forward

    return [policy_forward(W1, W2, x).y_p > 0.5 for x in xs]


def fewest_digits(W1: Matrix, W2: Vector, xs: list[SparseVector]) -> tuple[int | None, dict[int, int]]:
    """The fewest digits of DIGITS whose rounding changes no greedy action on xs (None: none of them);
    and for each digit count tried, how many actions changed."""
    want = actions(W1, W2, xs)
    changed: dict[int, int] = {}
    for digits in DIGITS:
        got = actions(*round_weights(W1, W2, digits), xs)
        changed[digits] = sum(a != b for a, b in zip(want, got))
        if changed[digits] == 0:
            return digits, changed
    return None, changed


def cmd_ship(args: argparse.Namespace) -> int:
    from scratchpong import checkpoint
    from scratchpong.commands.agent import episodes_of, load_policy
    from scratchpong.env import make_env

    out = Path(args.output)
    if not out.name.endswith(".json.gz"):
        raise UserError(f"the weights file {args.output!r} must end in .json.gz, as shipped agents do")
    check_writable(out, "weights file")
    check_distinct({"checkpoint": args.checkpoint, "weights file": out})
    if out.exists():  # a shipped agent may be replaced, a resumable run or a stranger's file may not
        try:
            checkpoint.read(out, (checkpoint.WEIGHTS_FORMAT,))
        except checkpoint.CheckpointError:
            raise UserError(f"{args.output!r} exists and is not a weights file (it may be a run's checkpoint): "
                            f"not replacing it; name another file") from None
    config, W1, W2 = load_policy(args.checkpoint, None)
    episode = episodes_of(args.checkpoint) or 0
    env = make_env(config.env)
    try:
        xs = greedy_inputs(env, W1, W2, config.frames, args.frames, args.seed)
    finally:
        env.close()
    digits, changed = fewest_digits(W1, W2, xs)
    tried = ", ".join(f"{d} digits: {n}" for d, n in changed.items())
    if digits is None:
        print(f"every rounding tried changed some greedy action ({tried}); writing the weights unrounded")
    checkpoint.save_weights(out, config, episode, W1, W2, digits)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): W1 and W2 of episode {episode}, "
          f"{digits or 17} significant digits; greedy actions changed on {len(xs)} real frames: {tried}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("ship", help="write a checkpoint's weights, rounded, as a small file to share or ship",
                       description="Keep W1, W2 and the settings of a checkpoint, rounded to the fewest significant "
                                   "digits that change no greedy action on the frames of real games.")
    p.add_argument("checkpoint", help="the checkpoint (or weights file) to ship")
    p.add_argument("-o", "--output", required=True, help="the weights file to write, NAME.json.gz")
    p.add_argument("--frames", type=positive, default=20000, metavar="N",
                   help="real frames of greedy play the rounding is checked on (default 20000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="the games' seed (default 0)")
    p.set_defaults(func=cmd_ship)
