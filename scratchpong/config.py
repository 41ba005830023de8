"""Training settings: one dataclass whose fields document themselves, and the presets.

`scratchpong train` makes one flag per field (`--batch-size` for `batch_size`), with
the field's help text, and its `--preset` choices are the keys of `PRESETS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from scratchpong.env import check_env_id
from scratchpong.frames import Frames, check_downscale


class ConfigError(ValueError):
    """A setting that cannot train; the message names the flag and says what it accepts."""


def doc(text: str, default):
    """A dataclass field with its help text attached; `scratchpong train --help` shows the text."""
    return field(default=default, metadata={"help": text})


# Past this, W1 at 80x80 is over 26 million Python floats (~0.8 GB at 32 bytes each, and as much again for its
# RMSProp cache and its gradient buffer), and forward and backward do 20 times Karpathy's arithmetic per step.
MAX_HIDDEN = 4096


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run. The defaults are Karpathy's (pg-pong.py, 2016)."""

    env: str = doc("Gymnasium id of the Pong variant to play", "Pong-v0")
    hidden: int = doc("H, hidden units", 200)
    downscale: int = doc("2 gives 80x80 = 6400 inputs (Karpathy's), 4 gives 40x40 = 1600", 2)
    pool: bool = doc("each input pixel is 1 if any pixel of its downscale x downscale block is (max-pooling), "
                     "instead of its corner pixel alone, which at 40x40 misses the 2-pixel-wide ball", False)
    batch_size: int = doc("episodes per RMSProp update", 10)
    lr: float = doc("RMSProp learning rate", 1e-4)
    gamma: float = doc("discount factor for rewards", 0.99)
    decay: float = doc("RMSProp decay of the mean squared gradient", 0.99)
    seed: int = doc("seed of the weights, the env and the action sampling", 0)
    episodes: int | None = doc("stop after this many episodes in all (None: run until interrupted)", None)
    minutes: float | None = doc("stop at the first batch's end after this many minutes of training in all "
                                "(None: no time limit)", None)

    @property
    def frames(self) -> Frames:
        """How this run's agent sees a screen: its downscale and pool, as the one value that plays it."""
        return Frames(self.downscale, self.pool)

    def check(self) -> TrainConfig:
        """Refuse values that cannot train, with a one-line ConfigError."""
        try:
            check_env_id(self.env)
            check_downscale(self.downscale)
        except ValueError as e:
            raise ConfigError(str(e)) from None
        for name, ok, rule in (
            ("hidden", 1 <= self.hidden <= MAX_HIDDEN, f"in [1, {MAX_HIDDEN}]"),
            ("batch_size", self.batch_size >= 1, ">= 1"),
            ("lr", self.lr > 0, "> 0"),
            ("gamma", 0.0 <= self.gamma <= 1.0, "in [0, 1]"),
            ("decay", 0.0 <= self.decay < 1.0, "in [0, 1)"),
            ("episodes", self.episodes is None or self.episodes >= 0, ">= 0"),
            ("minutes", self.minutes is None or self.minutes > 0, "> 0"),
        ):
            if not ok:
                raise ConfigError(f"{flag(name)} must be {rule}, got {getattr(self, name)}")
        return self


def flag(name: str) -> str:
    """The command-line flag of a field: batch_size -> --batch-size."""
    return "--" + name.replace("_", "-")


# The classroom presets, chosen by measurement (docs/training.md has their curves). v5 has a fixed frameskip
# of 4, so a game takes fewer decisions; 40x40 inputs, 64 hidden units, a larger learning rate and smaller
# batches update more often. `lesson` is `demo` with the largest learning rate that learned in the runs of
# runs/lesson/ (3e-2 collapsed to always losing 21-0), max-pooled inputs, which show it the ball (demo's
# every-4th-pixel inputs miss it in most frames), and RMSProp's decay at Hinton's 0.9 instead of 0.99, after
# which seeds that had climbed a point a minute found how to score; it stops by the clock, not an episode count.
PRESETS: dict[str, TrainConfig] = {
    "karpathy": TrainConfig(),
    "demo": TrainConfig(env="ALE/Pong-v5", hidden=64, downscale=4, batch_size=5, lr=3e-3, episodes=800),
    "lesson": TrainConfig(env="ALE/Pong-v5", hidden=64, downscale=4, pool=True, batch_size=5, lr=1e-2, decay=0.9,
                         minutes=15.0),
}

# What a resumed run must keep: the network's shape, the game, and the seed that fixes every episode's
# random stream. The rest (lr, gamma, decay, batch size, episodes, minutes) may change on --resume.
ARCHITECTURE = ("hidden", "downscale", "pool")
FIXED_ON_RESUME = (*ARCHITECTURE, "env", "seed")


def preset(name: str, **overrides) -> TrainConfig:
    """A preset with some fields replaced (None values are ignored, so unset CLI flags keep the preset's)."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}).check()


def help_text(name: str) -> str:
    """The help text of a field, for argparse."""
    return next(f.metadata["help"] for f in fields(TrainConfig) if f.name == name)
