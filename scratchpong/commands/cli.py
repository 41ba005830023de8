"""The `scratchpong` command: a thin argparse layer over the modules that do the work.

Every mistake a user can make (a bad flag value, a typo'd env id, a missing or
corrupt checkpoint or log, a file they named that the system will not let us read
or write, a full disk) ends as one line on stderr and exit status 2. Anything else
is a bug in scratchpong and ends in a traceback. SCRATCHPONG_DEBUG=1 shows the
traceback for a user's mistake too.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import sys
from dataclasses import fields
from pathlib import Path

from scratchpong.checkpoint import CheckpointError
from scratchpong.commands import bench, compare, evaluate, gradcheck, play, plot, ship, walkthrough, weights
from scratchpong.commands.args import UserError, check_distinct, check_writable, count, positive, program, real
from scratchpong.config import PRESETS, ConfigError, TrainConfig, flag, preset
from scratchpong.parallel import EpisodeWorkerError
from scratchpong.runlog import LogError

EXIT_USAGE = 2
USER_ERRORS = (UserError, ConfigError, CheckpointError, LogError)
MACHINE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)  # the user's disk, not scratchpong, said no
EVAL_GAMES = 20  # --eval-games when not given


# ---------------------------------------------------------------------- scratchpong train


def add_train_parser(sub) -> None:
    """`scratchpong train`: one flag per TrainConfig field, with the field's help and each preset's value."""
    p = sub.add_parser("train", help="train the policy on Atari Pong",
                       description="Train on real Atari Pong. Unset flags take the preset's value.")
    p.add_argument("--preset", choices=list(PRESETS), default=None,
                   help=f"the starting values of every setting below (default karpathy: pg-pong.py's settings); "
                        f"one of {', '.join(PRESETS)}")
    kinds = {"int": int, "float": real, "str": str, "int | None": count, "float | None": real}
    for f in fields(TrainConfig):
        values = ", ".join(f"{name} {getattr(c, f.name)}" for name, c in PRESETS.items())
        if str(f.type) == "bool":  # --pool / --no-pool
            p.add_argument(flag(f.name), dest=f.name, action=argparse.BooleanOptionalAction, default=None,
                           help=f"{f.metadata['help']} ({values})")
        else:
            p.add_argument(flag(f.name), dest=f.name, type=kinds[str(f.type)], default=None,
                           help=f"{f.metadata['help']} ({values})")
    p.add_argument("--checkpoint", default="scratchpong.ckpt.json",
                   help="checkpoint file (JSON; .json.gz for gzip) (default scratchpong.ckpt.json)")
    p.add_argument("--save-every", type=count, default=100,
                   help="save every N episodes (default 100; 0: only at the end)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --checkpoint")
    p.add_argument("--log", default=None,
                   help="CSV log, one row per episode: episode,steps,reward,running_reward,seconds")
    p.add_argument("--eval-every", type=count, default=0, metavar="N",
                   help="every N episodes (a multiple of the batch size), score the weights in greedy games and log it "
                        "(default 0: never); "
                        "it changes nothing of the training")
    p.add_argument("--eval-games", type=positive, default=EVAL_GAMES, metavar="G",
                   help=f"games per evaluation (default {EVAL_GAMES})")
    p.add_argument("--eval-log", default=None, metavar="PATH",
                   help="CSV of the evaluations (default: beside --log, LOG.eval.csv)")
    p.add_argument("--keep-evaluated", action="store_true",
                   help="also save the weights of each evaluation, weights only: RUN.eval.csv, the eval log, gets "
                        "RUN.epN.json.gz beside it, so the best can be shipped after the run has moved on")
    p.add_argument("--no-progress", action="store_true", help="no progress bar; one summary line per batch instead")
    p.add_argument("--workers", type=positive, default=None,
                   help="processes that play a batch's episodes at once (default: cores, at most the batch size; "
                        "1: the serial path). Any number gives the same weights.")
    p.set_defaults(func=cmd_train)


def eval_settings(args: argparse.Namespace, log: Path | None):
    """The run's `Evals`, or None without --eval-every; its log defaults to LOG.eval.csv beside --log."""
    from scratchpong.runner import Evals

    if not args.eval_every:
        if args.keep_evaluated:
            raise UserError("--keep-evaluated keeps the weights of each evaluation: give --eval-every N too")
        return None
    if args.eval_log:
        return Evals(args.eval_every, args.eval_log, args.eval_games, args.keep_evaluated)
    if log is None:
        raise UserError("--eval-every needs a file for its results: give --log (they go beside it) or --eval-log")
    return Evals(args.eval_every, str(log.with_name(log.stem + ".eval.csv")), args.eval_games, args.keep_evaluated)


def cmd_train(args: argparse.Namespace) -> int:
    from scratchpong.env import make_env
    from scratchpong.parallel import EpisodePool, default_workers
    from scratchpong.runner import run_training
    from scratchpong.train import TrainState, serial_episodes

    ckpt, log = Path(args.checkpoint), Path(args.log) if args.log else None
    evals = eval_settings(args, log)
    check_writable(ckpt, "checkpoint")
    check_writable(log, "log")
    check_writable(Path(evals.path) if evals else None, "eval log")
    check_distinct({"checkpoint": ckpt, "log": log, "eval log": evals.path if evals else None})
    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig) if getattr(args, f.name) is not None}
    if args.resume:
        state = TrainState.resume(ckpt, PRESETS[args.preset] if args.preset else None, **given)
    else:
        for path, what in ((ckpt, "checkpoint"), (log, "log"), (Path(evals.path) if evals else None, "eval-log")):
            if path is not None and path.exists():
                raise UserError(f"{what} {str(path)!r} already exists: add --resume to continue that run, "
                                f"or name a new file with --{what}")
        state = TrainState.new(preset(args.preset or "karpathy", **given))
    config = state.config
    if evals and evals.every % config.batch_size:
        raise UserError(f"--eval-every {evals.every} is not a multiple of the batch size ({config.batch_size}): "
                        f"evaluations happen between batches, so give a multiple of {config.batch_size}")
    if state.budget_spent():
        if config.episodes is not None and state.episode >= config.episodes:
            print(f"nothing to do: {state.episode} episodes are played already and --episodes is "
                  f"{config.episodes}. Give a larger --episodes to train further.")
        else:
            print(f"nothing to do: {state.seconds / 60:.1f} minutes of training are spent already and --minutes "
                  f"is {config.minutes:g}. Give a larger --minutes to train further.")
        return 0
    workers = args.workers if args.workers is not None else default_workers(config.batch_size)
    size = f"{'80x80' if config.downscale == 2 else '40x40'}{' pooled' if config.pool else ''}"
    print(f"training on {config.env}: {config.hidden} hidden units, {size} inputs, batch {config.batch_size}, "
          f"lr {config.lr:g}, seed {config.seed}, {workers} worker{'s' if workers > 1 else ''}, "
          f"from episode {state.episode} to {budget(config)}")
    run = {"checkpoint_path": ckpt, "log_path": log, "save_every": args.save_every,
           "progress": not args.no_progress, "resumed": args.resume, "evals": evals}
    if workers == 1:  # the serial path, the one to read
        env = make_env(config.env)
        try:
            finished = run_training(state, lambda st, episodes: serial_episodes(st, env, episodes), **run)
        finally:
            env.close()
    else:
        with EpisodePool(config.env, workers) as pool:
            finished = run_training(state, pool.collect, **run)
    print(f"{'done' if finished else 'interrupted'} at episode {state.episode} after {state.seconds / 60:.1f} "
          f"minutes of training, running reward "
          f"{state.running_reward if state.running_reward is not None else float('nan'):.3f}; "
          f"checkpoint saved to {str(ckpt)!r}" + (f", log in {args.log!r}" if args.log else ""))
    print(next_steps(ckpt, args.log, config, state.episode, finished, eval_flags(args), state.seconds))
    return 0


def budget(config: TrainConfig) -> str:
    """Where the run stops: "800", "20 minutes", "800 or 20 minutes", or "Ctrl-C"."""
    parts = [str(config.episodes)] if config.episodes is not None else []
    if config.minutes is not None:
        parts.append(f"{config.minutes:g} minutes of training")
    return " or ".join(parts) or "Ctrl-C"


def eval_flags(args: argparse.Namespace) -> str:
    """The --eval-* flags this run was given, to repeat on --resume (a checkpoint does not keep them)."""
    if not args.eval_every:
        return ""
    flags = f" --eval-every {args.eval_every}"
    if args.eval_games != EVAL_GAMES:
        flags += f" --eval-games {args.eval_games}"
    flags += f" --eval-log {args.eval_log}" if args.eval_log else ""
    return flags + (" --keep-evaluated" if args.keep_evaluated else "")


def next_steps(ckpt: Path, log: str | None, config: TrainConfig, episode: int, finished: bool,
               evals: str = "", seconds: float = 0.0) -> str:
    """The commands to go on from here, spelled the way scratchpong was started (so they work where the user is).

    `episode` and `seconds` are what the run has played and spent so far.
    """
    me = program()
    with_log = (f" --log {log}" if log else "") + evals
    if not finished:  # to finish what was asked
        target = f" --episodes {config.episodes}" if config.episodes is not None else ""
        target += f" --minutes {config.minutes!r}" if config.minutes is not None else ""
        return f"to resume: {me} train --resume --checkpoint {ckpt}{target}{with_log}"
    if config.minutes is None:
        more = f"1000 more episodes: {me} train --resume --checkpoint {ckpt} --episodes {episode + 1000}"
    else:  # either budget may have stopped it, so both move: 10 minutes past the time spent, 1000 episodes more
        minutes = math.ceil(seconds / 6) / 10 + 10  # rounded up to a tenth, so it is never less than 10 more
        more = (f"10 more minutes: {me} train --resume --checkpoint {ckpt} --minutes {minutes:.1f}"
                + (f" --episodes {episode + 1000}" if config.episodes is not None else ""))
    lines = [f"to train {more}{with_log}",
             f"watch it play: {me} play --checkpoint {ckpt} --gif pong.gif",
             f"score it: {me} eval --checkpoint {ckpt} --episodes 20 --greedy"]
    if log:
        lines.append(f"see the curve: {me} plot {log} -o curve.png")
    return "\n".join(lines)


# ---------------------------------------------------------------------- the parser and main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scratchpong", description="Karpathy's Pong policy gradient in pure Python: "
                                     "check its derivation, train it, watch it, measure it.")
    sub = parser.add_subparsers(dest="command", required=True)
    gradcheck.add_parser(sub)
    add_train_parser(sub)
    for command in (play, evaluate, plot, walkthrough, bench, weights, compare, ship):
        command.add_parser(sub)
    return parser


def is_users(e: Exception) -> bool:
    """Is `e` the user's to fix: a mistake they made, a file they named (e.filename), or their full disk?"""
    if isinstance(e, EpisodeWorkerError):
        return not e.is_bug
    if isinstance(e, OSError):  # a broken pipe or a failed fork names no file: that is scratchpong's to explain
        return e.filename is not None or e.errno in MACHINE_FULL
    return isinstance(e, USER_ERRORS)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # outside the training loop, which saves and returns on its own
        print(f"scratchpong {args.command}: interrupted", file=sys.stderr)
        return 130
    except (*USER_ERRORS, EpisodeWorkerError, OSError) as e:
        if os.environ.get("SCRATCHPONG_DEBUG") or not is_users(e):
            raise  # a bug; a worker's own traceback is attached as the cause
        print(f"scratchpong {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
