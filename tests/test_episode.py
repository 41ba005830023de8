"""run_episode against what it should do, on a scripted screen: the input it feeds, the greedy action, the stream.

The other tests that play real games compare two paths of the same code (serial and pool, one run and a resumed
one), so a slip shared by both paths passes them. These pin the loop itself.
"""

import pytest

from scratchpong.env import DOWN, UP
from scratchpong.episode import episode_rng, run_episode
from scratchpong.frames import Frames, difference
from scratchpong.policy import eq2_dlogp_dLip3, policy_forward

FRAMES = Frames(downscale=4, pool=True)
H = 3
STEPS = 6


def screen(t: int) -> memoryview:
    """A 210×160×3 frame of field colour (red 144) with a 2×2 ball (red 236) that moves 8 pixels a step."""
    raw = bytearray([144, 72, 17] * (210 * 160))
    for r in (60 + 8 * t, 61 + 8 * t):
        for c in (40 + 8 * t, 41 + 8 * t):
            raw[(r * 160 + c) * 3] = 236
    return memoryview(raw).cast("B", (210, 160, 3))


class ScriptedPong:
    """Shows screen(t) at step t, records each action, and ends after STEPS steps with a point lost."""

    def __init__(self) -> None:
        self.actions: list[int] = []

    def reset(self, seed: int | None = None):
        self.actions = []
        return screen(0), {}

    def step(self, action: int):
        self.actions.append(action)
        done = len(self.actions) == STEPS
        return screen(len(self.actions)), (-1.0 if done else 0.0), done, False, {}


def weights(w2: float) -> tuple[list[list[float]], list[float]]:
    """Pixel i weighs i/100 into each hidden unit, so a ball moving down and right (to larger i) excites them all;
    W2 = w2 for each unit."""
    return [[i / 100] * H for i in range(FRAMES.size)], [w2] * H


def test_the_network_sees_the_difference_of_this_frame_and_the_last():
    env = ScriptedPong()
    traj = run_episode(env, *weights(0.1), FRAMES, episode_rng(0, 0))
    seen = [FRAMES.prepro(screen(t)) for t in range(STEPS)]
    assert traj.xs[0] == []  # no frame before the first: no motion
    for t in range(1, STEPS):
        assert traj.xs[t] == difference(seen[t], seen[t - 1])
        assert sorted(v for _, v in traj.xs[t]) == [-1.0, 1.0]  # the ball left one pixel and reached another
    assert traj.rewards == [0.0] * (STEPS - 1) + [-1.0]


@pytest.mark.parametrize("w2, later", [(2.0, UP), (-2.0, DOWN)])
def test_greedy_takes_up_exactly_when_y_p_is_above_one_half(w2, later):
    env = ScriptedPong()
    W1, W2 = weights(w2)
    traj = run_episode(env, W1, W2, FRAMES, episode_rng(0, 0), greedy=True)
    # The first input is empty, so h = 0 and y_p = Sigm(0) = 0.5, which is not above one half: DOWN.
    assert env.actions == [DOWN] + [later] * (STEPS - 1)
    for x, dlogp, action in zip(traj.xs, traj.dlogps, env.actions):
        y_p = policy_forward(W1, W2, x).y_p
        assert dlogp == eq2_dlogp_dLip3(1.0 if action == UP else 0.0, y_p)


def test_each_episode_and_each_seed_has_its_own_random_stream():
    first = [episode_rng(seed, n).random() for seed in (0, 1) for n in (0, 1)]
    assert len(set(first)) == 4
    assert episode_rng(1, 1).random() == first[3]  # and the same (seed, episode) gives the same stream
