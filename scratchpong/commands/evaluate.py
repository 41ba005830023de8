"""`scratchpong eval`: how good a saved policy is, measured over many episodes with its weights fixed."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from scratchpong.commands.args import positive
from scratchpong.evaluation import Evaluation, play_episodes, summarize


def report(ev: Evaluation, env_id: str, greedy: bool, seed: int) -> str:
    """The evaluation in one line a person reads."""
    return (f"{env_id}, {ev.episodes} episode(s), {'greedy' if greedy else 'sampled'} actions, seed {seed}: "
            f"score {ev.mean:+.2f} ± {ev.std:.2f} (population std); points won {ev.points_won}, "
            f"lost {ev.points_lost}; games won {ev.games_won} of {ev.episodes}")


def cmd_eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from scratchpong.commands.agent import chosen_policy
    from scratchpong.env import make_env

    config, W1, W2 = chosen_policy(args)
    env = make_env(config.env)
    games = play_episodes(env, W1, W2, config.frames, args.episodes, args.seed, args.greedy, args.max_steps)
    try:
        ev = summarize(tqdm(games, total=args.episodes, unit="ep", disable=args.no_progress, dynamic_ncols=True))
    finally:
        env.close()
    if args.json:
        print(json.dumps({**asdict(ev), "greedy": args.greedy, "seed": args.seed, "env": config.env,
                          "max_steps": args.max_steps}, indent=2))
    else:
        print(report(ev, config.env, args.greedy, args.seed))
    return 0


def add_parser(sub) -> None:
    from scratchpong.commands.agent import add_arguments


    p = sub.add_parser("eval", help="mean score of a saved policy over many episodes",
                       description="Play episodes with fixed weights; report the mean and std of the score, "
                                   "points won and lost, and games won.")
    add_arguments(p)
    p.add_argument("--episodes", type=positive, default=10, metavar="N", help="episodes to play (default 10)")
    p.add_argument("--json", action="store_true", help="print the result as a JSON object")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_eval)
