"""The `scratchpong` command: a thin argparse layer over the modules that do the work.

Every mistake a user can make (a bad flag value, a typo'd env id, a missing or
corrupt checkpoint) ends as one line on stderr and exit status 2, never a traceback
(set SCRATCHPONG_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from scratchpong.parallel import EpisodeWorkerError

EXIT_USAGE = 2
EXTRA_COMMANDS: tuple[str, ...] = ("bench", "walkthrough", "play", "evaluate", "plot")


class UserError(Exception):
    """A problem with what the user asked for; the CLI prints it as one line and exits 2."""


def whole_number(text: str, least: int) -> int:
    """`text` as an int that is at least `least`, or an argparse error saying what was wrong."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < least:
        raise argparse.ArgumentTypeError(f"must be >= {least}, got {n}")
    return n


def count(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    return whole_number(text, 0)


def positive(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    return whole_number(text, 1)


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from scratchpong import gradcheck

    W1, W2, x, y_a = gradcheck.random_problem(args.inputs, args.hidden, args.seed)
    rows = gradcheck.check(W1, W2, x, y_a)
    ok = all(r.ok for r in rows)
    if args.json:
        print(json.dumps(gradcheck.as_json(rows, args.inputs, args.hidden, args.seed), indent=2))
    else:
        print(f"gradcheck: D={args.inputs} inputs, H={args.hidden} hidden units, seed {args.seed}, y_a={y_a:g}")
        print(gradcheck.report(rows))
        print(f"{'all equations agree' if ok else 'SOME ENTRIES DISAGREE'}: "
              f"|a - n| <= {gradcheck.ATOL:g} + {gradcheck.RTOL:g}*|n|, central difference with eps {gradcheck.EPS:g}")
    return 0 if ok else 1


def real(text: str) -> float:
    """An argparse type: a finite float."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return v


TRAIN_FLAGS = ("env", "hidden", "downscale", "batch_size", "lr", "gamma", "decay", "seed", "episodes")


def train_config(args: argparse.Namespace):
    """The run's TrainConfig: the preset, with every flag the user gave laid over it."""
    from scratchpong.config import preset

    return preset(args.preset or "karpathy", **{k: getattr(args, k) for k in TRAIN_FLAGS})


def cmd_train(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from pathlib import Path

    from scratchpong.config import ARCHITECTURE, PRESETS
    from scratchpong.env import make_env
    from scratchpong.parallel import EpisodePool, default_workers
    from scratchpong.train import TrainState, serial_episodes, train

    ckpt = Path(args.checkpoint)
    for path, what in ((ckpt, "checkpoint"), (Path(args.log) if args.log else None, "log")):
        if path is not None and (path.is_dir() or not path.parent.is_dir()):  # fail now, not at the first save
            raise UserError(f"cannot write the {what} {str(path)!r}: "
                            f"{'it is a folder' if path.is_dir() else 'its folder does not exist'}")
    if args.resume:
        state = TrainState.load(ckpt)
        if args.preset:  # a named preset must describe the checkpoint's network and game; it changes nothing else
            shape = {k: getattr(PRESETS[args.preset], k) for k in (*ARCHITECTURE, "env")}
            state.resume_with(replace(state.config, **shape))
        flags = {k: getattr(args, k) for k in TRAIN_FLAGS if getattr(args, k) is not None}
        state.resume_with(replace(state.config, **flags).check())  # flags given now override the checkpoint's
    else:
        for path, what in ((ckpt, "checkpoint"), (Path(args.log) if args.log else None, "log")):
            if path is not None and path.exists():
                raise UserError(f"{what} {str(path)!r} already exists: add --resume to continue that run, "
                                f"or name a new file with --{what}")
        state = TrainState.new(train_config(args))
    config = state.config
    if config.episodes is not None and state.episode >= config.episodes:
        print(f"nothing to do: {state.episode} episodes are played already and --episodes is {config.episodes}. "
              f"Give a larger --episodes to train further.")
        return 0
    workers = args.workers if args.workers is not None else default_workers(config.batch_size)
    print(f"training on {config.env}: {state.config.hidden} hidden units, "
          f"{'80x80' if config.downscale == 2 else '40x40'} inputs, batch {config.batch_size}, lr {config.lr:g}, "
          f"seed {config.seed}, {workers} worker{'s' if workers > 1 else ''}, from episode {state.episode} to "
          f"{config.episodes if config.episodes is not None else 'Ctrl-C'}")
    if workers == 1:  # the serial path, the one to read
        env = make_env(config.env)
        try:
            finished = train(state, lambda st, episodes: serial_episodes(st, env, episodes), ckpt, args.log,
                             args.save_every, progress=not args.no_progress, resumed=args.resume)
        finally:
            env.close()
    else:
        with EpisodePool(config.env, workers) as pool:
            finished = train(state, pool.collect, ckpt, args.log, args.save_every, progress=not args.no_progress,
                             resumed=args.resume)
    print(f"{'done' if finished else 'interrupted'} at episode {state.episode}, running reward "
          f"{state.running_reward if state.running_reward is not None else float('nan'):.3f}; "
          f"checkpoint saved to {str(ckpt)!r}" + (f", log in {args.log!r}" if args.log else ""))
    if finished:  # to train further, raise the total
        target, what = f" --episodes {state.episode + 1000}", "to train 1000 more episodes"
    else:  # to finish what was asked
        target = f" --episodes {config.episodes}" if config.episodes is not None else ""
        what = "to resume"
    log = f" --log {args.log}" if args.log else ""
    print(f"{what}: scratchpong train --resume --checkpoint {ckpt}{target}{log}")
    if finished:
        print(f"watch it play: scratchpong play --checkpoint {ckpt} --gif pong.gif; "
              f"score it: scratchpong eval --checkpoint {ckpt}"
              + (f"; see the curve: scratchpong plot {args.log} -o curve.png" if args.log else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scratchpong", description="Karpathy's Pong policy gradient in pure Python: "
                                     "check its derivation, train it, watch it, measure it.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("gradcheck", help="verify eq.1-eq.6 against finite differences on a random small network")
    p.add_argument("--inputs", type=positive, default=6, help="D, the number of input pixels (default 6)")
    p.add_argument("--hidden", type=positive, default=4, help="H, the number of hidden units (default 4)")
    p.add_argument("--seed", type=int, default=0, help="random seed for weights, input and label (default 0)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_gradcheck)

    from scratchpong.config import PRESETS, help_text

    def field_help(name: str) -> str:
        """A config field's help, with what each preset sets it to."""
        values = ", ".join(f"{p} {getattr(c, name)}" for p, c in PRESETS.items())
        return f"{help_text(name)} ({values})"

    p = sub.add_parser("train", help="train the policy on Atari Pong",
                       description="Train on real Atari Pong. Unset flags take the preset's value.")
    p.add_argument("--preset", choices=["karpathy", "demo"], default=None,
                   help="karpathy (default): pg-pong.py's settings; demo: a short downscaled classroom run")
    p.add_argument("--env", default=None, help=field_help("env"))
    p.add_argument("--episodes", type=count, default=None, help="stop when this many episodes are played in all, "
                   "counting a resumed checkpoint's (karpathy: until Ctrl-C; demo: 800)")
    p.add_argument("--seed", type=int, default=None, help=field_help("seed"))
    p.add_argument("--hidden", type=positive, default=None, help=field_help("hidden"))
    p.add_argument("--downscale", type=int, choices=[2, 4], default=None, help=field_help("downscale"))
    p.add_argument("--batch-size", type=positive, default=None, help=field_help("batch_size"))
    p.add_argument("--lr", type=real, default=None, help=field_help("lr"))
    p.add_argument("--gamma", type=real, default=None, help=field_help("gamma"))
    p.add_argument("--decay", type=real, default=None, help=field_help("decay"))
    p.add_argument("--checkpoint", default="scratchpong.ckpt.json",
                   help="checkpoint file (JSON; .json.gz for gzip) (default scratchpong.ckpt.json)")
    p.add_argument("--save-every", type=count, default=100,
                   help="save every N episodes (default 100; 0: only at the end)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --checkpoint")
    p.add_argument("--log", default=None,
                   help="CSV log, one row per episode: episode,steps,reward,running_reward,seconds")
    p.add_argument("--no-progress", action="store_true", help="no progress bar; one summary line per batch instead")
    p.add_argument("--workers", type=positive, default=None,
                   help="processes that play a batch's episodes at once (default: cores, at most the batch size; "
                        "1: the serial path). Any number gives the same weights.")
    p.set_defaults(func=cmd_train)

    # Commands that live in modules of their own: each module has add_parser(sub), which adds its
    # subcommand and sets func; heavy imports stay inside the functions, so `--help` stays fast.
    for name in EXTRA_COMMANDS:
        importlib.import_module(f"scratchpong.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # outside the training loop, which saves and returns on its own
        print(f"scratchpong {args.command}: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, OSError, EpisodeWorkerError) as e:
        if os.environ.get("SCRATCHPONG_DEBUG"):
            raise
        print(f"scratchpong {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
