"""prepro and difference on real ALE frames, against a slow per-pixel formulation written here."""

import pytest

from scratchpong.env import make_env
from scratchpong.frames import Frames, difference, input_size, prepro


def slow_prepro(raw: bytes, downscale: int) -> list[int]:
    """Pixel by pixel: rows 35..194 and every downscale-th column, red channel, background 144/109 -> 0, rest -> 1."""
    out = []
    for r in range(35, 195, downscale):
        for c in range(0, 160, downscale):
            red = raw[(r * 160 + c) * 3]
            out.append(0 if red in (0, 144, 109) else 1)
    return out


def slow_pooled(raw: bytes, downscale: int) -> list[int]:
    """Pixel by pixel: rows 34..193, output pixel (R, C) = 1 if any red (r, c) of its block is not background."""
    def on(r: int, c: int) -> bool:
        return raw[((34 + r) * 160 + c) * 3] not in (0, 144, 109)

    side = 160 // downscale
    return [int(any(on(R * downscale + dr, C * downscale + dc) for dr in range(downscale) for dc in range(downscale)))
            for R in range(side) for C in range(side)]


def ball_on_field(raw: bytes) -> bool:
    """Is anything but the two paddles (columns 16..19 and 140..143) on the field, rows 34..193?"""
    return any(raw[(r * 160 + c) * 3] not in (0, 144, 109)
               for r in range(34, 194) for c in range(160) if not (16 <= c < 20 or 140 <= c < 144))


@pytest.fixture(scope="module")
def frames():
    env = make_env("ALE/Pong-v5")
    obs, _ = env.reset(seed=7)
    out = [obs]
    for t in range(60):
        obs, *_ = env.step(2 if t % 7 < 3 else 3)
        out.append(obs)
    env.close()
    return out


@pytest.mark.parametrize("downscale", [2, 4])
def test_prepro_of_real_frames_equals_the_per_pixel_formula(frames, downscale):
    for obs in frames[::10]:
        got = prepro(obs, downscale)
        assert len(got) == input_size(downscale)
        assert list(got) == slow_prepro(memoryview(obs).tobytes(), downscale)


@pytest.mark.parametrize("downscale", [2, 4])
def test_pooled_prepro_of_real_frames_equals_the_per_block_formula(frames, downscale):
    for obs in frames[::6]:
        got = prepro(obs, downscale, pool=True)
        assert len(got) == input_size(downscale)
        assert list(got) == slow_pooled(memoryview(obs).tobytes(), downscale)


def test_pooling_sees_the_ball_that_every_fourth_column_misses(frames):
    """On v5 the 2-pixel ball moves 4 columns a step, so the corner pixels of 4x4 blocks mostly miss it."""
    with_ball = [obs for obs in frames if ball_on_field(memoryview(obs).tobytes())]
    assert len(with_ball) == 46  # of the fixture's 61 frames; docs/training.md quotes these counts
    paddles_only = [4, 35]  # the 40x40 columns of the two paddles
    def ball_seen(image: bytes) -> bool:
        return any(image[i] for i in range(1600) if i % 40 not in paddles_only)
    assert all(ball_seen(prepro(obs, 4, pool=True)) for obs in with_ball)
    assert sum(ball_seen(prepro(obs, 4)) for obs in with_ball) == 0


def test_real_frames_show_paddles_and_ball(frames):
    assert sum(prepro(frames[-1], 2)) > 20  # two paddles at least


@pytest.mark.parametrize("downscale", [2, 4])
def test_difference_pairs_match_the_per_pixel_difference(frames, downscale):
    nonempty = 0
    for a, b in zip(frames, frames[1:]):
        prev, cur = slow_prepro(memoryview(a).tobytes(), downscale), slow_prepro(memoryview(b).tobytes(), downscale)
        expected = [(i, float(c - p)) for i, (c, p) in enumerate(zip(cur, prev)) if c != p]
        got = difference(prepro(b, downscale), prepro(a, downscale))
        assert got == expected
        nonempty += bool(got)
    assert nonempty > 10  # the frames really move
    assert difference(prepro(frames[0], downscale), None) == []


def test_difference_frame_is_sparse(frames):
    sizes = [len(difference(prepro(b), prepro(a))) for a, b in zip(frames, frames[1:])]
    assert max(sizes) < 200 and sum(sizes) / len(sizes) < 60  # of 6400 pixels


@pytest.mark.parametrize(
    "frame, expected",
    [
        (bytes(210 * 160 * 3), "expects a 210x160x3 uint8 frame, got shape (100800,)"),
        (memoryview(bytearray(210 * 160 * 4)).cast("B", (210, 160, 4)), "got shape (210, 160, 4)"),
        (memoryview(bytearray(210 * 160 * 3 * 4)).cast("f", (210, 160, 3)), "format 'f'"),
    ],
)
def test_a_frame_of_the_wrong_shape_or_type_is_refused(frame, expected):
    with pytest.raises(ValueError, match="prepro expects a 210x160x3 uint8 frame") as e:
        prepro(frame)
    assert expected in str(e.value)


def test_bad_downscale_is_refused(frames):
    with pytest.raises(ValueError, match="downscale must be 2"):
        prepro(frames[0], 3)


@pytest.mark.parametrize("background", [144, 109])
def test_both_background_colours_are_erased_and_everything_else_kept(background):
    """Today's ALE Pong draws its field in red 144 only; 109 is pg-pong's second background, erased all the same."""
    field = bytearray([background, 72, 17] * (210 * 160))
    for r in range(50, 66):  # a 16-row paddle in column 140, red 92
        field[(r * 160 + 140) * 3] = 92
    frame = memoryview(field).cast("B", (210, 160, 3))
    got = prepro(frame, 2)
    on = [i for i, v in enumerate(got) if v]
    assert on == [(r - 35) // 2 * 80 + 70 for r in range(51, 66, 2)]  # rows 35, 37, ... are kept


def test_frames_holds_the_agents_two_settings_and_plays_with_both(frames):
    from scratchpong.config import PRESETS

    lesson = PRESETS["lesson"].frames
    assert lesson == Frames(4, pool=True) and lesson.size == 1600
    assert PRESETS["karpathy"].frames == Frames(2, pool=False)
    for obs in frames[:20]:
        assert lesson.prepro(obs) == prepro(obs, 4, pool=True)
        assert Frames(4, pool=False).prepro(obs) == prepro(obs, 4)
    with pytest.raises(ValueError, match="downscale must be 2"):
        Frames(3, pool=True)
