"""The one place that imports gymnasium: make a Pong env, with a clear error for an id that is not Pong."""

from __future__ import annotations

import warnings

UP, DOWN = 2, 3  # ALE action ids: 2 moves the paddle up, 3 down (Karpathy's choice of two actions)

PONG_IDS = ("Pong-v0", "Pong-v4", "ALE/Pong-v5", "PongNoFrameskip-v4", "PongNoFrameskip-v0",
            "PongDeterministic-v4", "PongDeterministic-v0")


def check_env_id(env_id: str) -> str:
    """env_id if it is one of the Pong ids, else a one-line ValueError listing them."""
    if env_id not in PONG_IDS:
        raise ValueError(f"unknown env id {env_id!r}; scratchpong plays Pong: one of {', '.join(PONG_IDS)}")
    return env_id


def make_env(env_id: str, render_mode: str | None = None):
    """gym.make(env_id) for one of the Pong ids, after registering ALE's envs with gymnasium."""
    check_env_id(env_id)
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    with warnings.catch_warnings():
        # Pong-v0 is Karpathy's env; gymnasium warns that v0 is "out of date", which is the point here.
        warnings.filterwarnings("ignore", message=".*is out of date.*")
        return gym.make(env_id, render_mode=render_mode)
