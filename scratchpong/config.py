"""Training settings: one dataclass whose fields document themselves, and the two presets."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from scratchpong.env import check_env_id


def doc(text: str, default):
    """A dataclass field with its help text attached, so the CLI and the docs read it from one place."""
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run. The defaults are Karpathy's (pg-pong.py, 2016)."""

    env: str = doc("Gymnasium id of the Pong variant to play", "Pong-v0")
    hidden: int = doc("H, hidden units", 200)
    downscale: int = doc("2 gives 80x80 = 6400 inputs (Karpathy's), 4 gives 40x40 = 1600", 2)
    batch_size: int = doc("episodes per RMSProp update", 10)
    lr: float = doc("RMSProp learning rate", 1e-4)
    gamma: float = doc("discount factor for rewards", 0.99)
    decay: float = doc("RMSProp decay of the mean squared gradient", 0.99)
    seed: int = doc("seed of the weights, the env and the action sampling", 0)
    episodes: int | None = doc("stop after this many episodes in all (None: run until interrupted)", None)

    def check(self) -> TrainConfig:
        """Refuse values that cannot train, with a one-line reason."""
        check_env_id(self.env)
        if self.hidden < 1:
            raise ValueError(f"--hidden must be >= 1, got {self.hidden}")
        if self.downscale not in (2, 4):
            raise ValueError(f"--downscale must be 2 or 4, got {self.downscale}")
        if self.batch_size < 1:
            raise ValueError(f"--batch-size must be >= 1, got {self.batch_size}")
        if not self.lr > 0:
            raise ValueError(f"--lr must be > 0, got {self.lr}")
        if not 0.0 <= self.gamma <= 1.0:
            raise ValueError(f"--gamma must be in [0, 1], got {self.gamma}")
        if not 0.0 <= self.decay < 1.0:
            raise ValueError(f"--decay must be in [0, 1), got {self.decay}")
        if self.episodes is not None and self.episodes < 0:
            raise ValueError(f"--episodes must be >= 0, got {self.episodes}")
        return self


# The classroom preset: chosen by measurement (docs/training.md). v5 has a fixed frameskip of 4, so a game
# takes fewer decisions; 40x40 inputs, 64 hidden units, a larger learning rate and smaller batches update
# more often. ../shared/reference/curves.md measured this setting gaining ~3 points by episode 800.
PRESETS: dict[str, TrainConfig] = {
    "karpathy": TrainConfig(),
    "demo": TrainConfig(env="ALE/Pong-v5", hidden=64, downscale=4, batch_size=5, lr=3e-3, episodes=800),
}

# Fields that give the network its shape: a resumed run must keep them (lr, gamma, decay, batch may change).
ARCHITECTURE = ("hidden", "downscale")


def preset(name: str, **overrides) -> TrainConfig:
    """A preset with some fields replaced (None values are ignored, so unset CLI flags keep the preset's)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}).check()


def help_text(name: str) -> str:
    """The help text of a field, for argparse."""
    return next(f.metadata["help"] for f in fields(TrainConfig) if f.name == name)
