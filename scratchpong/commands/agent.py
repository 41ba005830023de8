"""A saved policy at work: load its weights from a checkpoint (or a shipped agent) and play episodes with them.

Shared by `scratchpong play`, `eval`, `weights`, `compare` and `ship`: the same flags pick the policy,
and episode n is played with `episode_rng(seed, n)`, so a (seed, episode) pair
always replays the same game.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scratchpong import checkpoint
from scratchpong.commands.args import UserError, positive
from scratchpong.config import TrainConfig
from scratchpong.matrix import Matrix, Vector

DEFAULT_CHECKPOINT = "scratchpong.ckpt.json"
PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
STRONGEST = "pong"  # what --pretrained alone means: the strongest agent shipped
HOW_TO_GET_ONE = "train one with `scratchpong train --preset demo`, or use --pretrained for the shipped agent"


def pretrained_path(name: str) -> Path:
    """The file of the shipped agent `name` (scratchpong/pretrained/NAME.json.gz)."""
    return PRETRAINED_DIR / f"{name}.json.gz"


def shipped() -> list[str]:
    """The names of the agents shipped in scratchpong/pretrained/."""
    return sorted(p.name.removesuffix(".json.gz") for p in PRETRAINED_DIR.glob("*.json.gz"))


def add_policy_source(p: argparse.ArgumentParser) -> None:
    """--checkpoint PATH, --pretrained [NAME] or --untrained PRESET: where the weights come from."""
    from scratchpong.config import PRESETS

    source = p.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", default=None,
                        help=f"checkpoint to use (default {DEFAULT_CHECKPOINT})")
    source.add_argument("--pretrained", nargs="?", const=STRONGEST, default=None, metavar="NAME",
                        help=f"use an agent shipped in scratchpong/pretrained/: {', '.join(shipped())} "
                             f"(alone: {STRONGEST}, the strongest)")
    source.add_argument("--untrained", choices=list(PRESETS), default=None, metavar="PRESET",
                        help=f"the fresh weights of a preset ({', '.join(PRESETS)}), before any training; "
                             "sampling with them is the random player every score is compared with")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The flags that choose the policy and how it plays, common to `play` and `eval`."""
    add_policy_source(p)
    p.add_argument("--greedy", action="store_true",
                   help="take UP when y_p > 0.5 instead of sampling the action like training does")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="episode n is played with the seed (S, n) (default 0)")
    p.add_argument("--max-steps", type=positive, default=None, metavar="N",
                   help="cut each episode after N steps (default: play to the end of the game)")


def untrained_policy(preset_name: str, seed: int | None = None) -> tuple[TrainConfig, Matrix, Vector]:
    """(config, W1, W2) of a preset's fresh weights (with `seed`, or the preset's): what its training starts from."""
    from scratchpong.config import ConfigError, preset
    from scratchpong.train import TrainState

    try:
        config = preset(preset_name, seed=seed)
    except ConfigError as e:
        raise UserError(str(e)) from None
    state = TrainState.new(config)
    return state.config, state.W1, state.W2


def chosen_policy(args: argparse.Namespace, seed: int | None = None) -> tuple[TrainConfig, Matrix, Vector]:
    """(config, W1, W2) of the source that `add_policy_source`'s flags chose (fresh weights with `seed`, if given)."""
    if args.untrained is not None:
        return untrained_policy(args.untrained, seed)
    return load_policy(args.checkpoint, args.pretrained)


def episodes_of(path: str | Path) -> int | None:
    """The number of training episodes a checkpoint or weights file records, if it records one."""
    n = checkpoint.read(path, (checkpoint.FORMAT, checkpoint.WEIGHTS_FORMAT)).get("episode")
    return n if isinstance(n, int) else None


def load_policy(path: str | None, pretrained: str | None) -> tuple[TrainConfig, Matrix, Vector]:
    """(config, W1, W2) of a checkpoint or weights file, or of a shipped agent; a one-line error if there is none."""
    if pretrained is not None:
        if pretrained not in shipped():
            raise UserError(f"no shipped agent {pretrained!r} in {PRETRAINED_DIR}; shipped: "
                            f"{', '.join(shipped()) or 'none'}")
        path = str(pretrained_path(pretrained))
    elif path is None:
        path = DEFAULT_CHECKPOINT
        if not Path(path).exists():
            raise UserError(f"no checkpoint {path!r} in this folder: {HOW_TO_GET_ONE}")
    elif not Path(path).exists():
        raise UserError(f"checkpoint {path!r} does not exist: {HOW_TO_GET_ONE}")
    return checkpoint.load_weights(path)
