"""`scratchpong play`: watch a saved policy play Pong, in a window (--render) or as an animated GIF (--gif)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from scratchpong.commands.args import UserError, check_writable, positive
from scratchpong.frames import CROP_TOP, FIELD_TOP, HEIGHT, WIDTH, Frames, difference
from scratchpong.matrix import Matrix, Vector
from scratchpong.policy import saliency

BAR_HEIGHT = 14  # the strip above the game where the score so far is written
FRAME_MS = 70  # GIF frame duration: with --gif-every 2 on v5 (4 emulator frames of 1/60 s a step) ~1.9x real time
BAR_COLOR, TEXT_COLOR = (0, 0, 0), (236, 236, 236)
FIELD_RED = 144  # red value of Pong's brown field (frames.BACKGROUND)


class GifRecorder:
    """An env wrapper that keeps every k-th observation as a PIL image, with the score so far drawn above it."""

    def __init__(self, env, every: int) -> None:
        self.env, self.every = env, every
        self.frames: list = []
        self.episode = self.step_no = self.won = self.lost = 0
        self.pending = None  # the newest observation, if it was skipped

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self.flush()
        self.episode += 1
        self.step_no = self.won = self.lost = 0
        self.keep(obs)
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.step_no += 1
        self.won += float(reward) > 0
        self.lost += float(reward) < 0
        if self.step_no % self.every == 0:
            self.keep(obs)
        else:
            self.pending = obs
        return obs, reward, terminated, truncated, info

    def keep(self, obs) -> None:
        self.frames.append(frame_image(obs, self.caption()))
        self.pending = None

    def flush(self) -> None:
        """Keep the last observation of the episode even when it falls between two kept ones."""
        if self.pending is not None:
            self.keep(self.pending)

    def caption(self) -> tuple[str, str]:
        return f"won {self.won}  lost {self.lost}", f"ep {self.episode}  step {self.step_no}"


class SaliencyRecorder(GifRecorder):
    """A GifRecorder that paints each kept frame with the policy's saliency dL_ip3/dx for the input it sees there:
    red where a pixel turning on would push the agent towards UP, blue towards DOWN."""

    def __init__(self, env, every: int, W1: Matrix, W2: Vector, frames: Frames) -> None:
        super().__init__(env, every)
        self.W1, self.W2, self.input_frames = W1, W2, frames  # self.frames is the GIF's
        self.prev: bytes | None = None  # the previous observation, preprocessed, as run_episode keeps it

    def reset(self, **kwargs):
        self.prev = None
        return super().reset(**kwargs)

    def keep(self, obs) -> None:
        cur = self.input_frames.prepro(obs)
        s = saliency(self.W1, self.W2, difference(cur, self.prev))  # the decision made on this very frame
        self.prev = cur
        self.frames.append(paint_saliency(frame_image(obs, self.caption()), s, self.input_frames))
        self.pending = None

    def step(self, action):
        out = super().step(action)
        if self.pending is not None:  # skipped in the GIF, but the next kept frame is diffed against it
            self.prev = self.input_frames.prepro(self.pending)
        return out


def paint_saliency(image, s: Vector, frames: Frames):
    """`image` (a frame_image) with s laid over the playing field: red for s > 0, blue for s < 0.

    Opacity grows with |s|², scaled to each frame's 98th percentile of |s|, so the strongest pixels stand
    out; the paddles and the ball are drawn on top in their own colours.
    """
    from PIL import Image, ImageOps

    side = WIDTH // frames.downscale
    sizes = sorted(map(abs, s))
    top = (sizes[int(0.98 * (len(sizes) - 1))] if sizes else 0.0) or 1.0
    rgba = bytearray()
    for v in s:
        alpha = int(255 * min(1.0, abs(v) / top) ** 2)
        rgba += bytes((255, 40, 10, alpha) if v > 0 else (20, 120, 255, alpha))
    overlay = Image.frombytes("RGBA", (side, side), bytes(rgba)).resize((WIDTH, WIDTH), Image.Resampling.NEAREST)
    rgb = image.convert("RGB")
    grey = ImageOps.grayscale(rgb).point(lambda v: v // 3)  # the field dimmed, so the colours read
    out = Image.merge("RGBA", (grey, grey, grey, Image.new("L", grey.size, 255)))
    out.alpha_composite(overlay, (0, BAR_HEIGHT + (FIELD_TOP if frames.pool else CROP_TOP)))  # prepro's first row
    objects = rgb.getchannel("R").point(lambda v: 0 if v == FIELD_RED else 255)  # paddles, ball, walls, score
    out.paste(rgb, (0, 0), objects)
    return out.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)


def frame_image(obs, caption: tuple[str, str]):
    """The 210×160 game frame under a black bar with the caption's left and right text, as a palette image."""
    from PIL import Image, ImageDraw

    game = Image.frombytes("RGB", (WIDTH, HEIGHT), memoryview(obs).tobytes())
    image = Image.new("RGB", (WIDTH, BAR_HEIGHT + HEIGHT), BAR_COLOR)
    image.paste(game, (0, BAR_HEIGHT))
    draw = ImageDraw.Draw(image)
    left, right = caption
    draw.text((2, BAR_HEIGHT // 2), left, fill=TEXT_COLOR, anchor="lm")
    draw.text((WIDTH - 2, BAR_HEIGHT // 2), right, fill=TEXT_COLOR, anchor="rm")
    return image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)


def write_gif(frames: list, path: str) -> None:
    """An endlessly looping animated GIF of the frames."""
    if not frames:
        raise ValueError("no frames were recorded, so there is no GIF to write")
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=FRAME_MS, loop=0,
                   optimize=False)


def check_can_render() -> None:
    """--render needs pygame (the `render` extra) and a display to open a window on."""
    if importlib.util.find_spec("pygame") is None:
        raise UserError("--render needs pygame, which is not installed: pip install 'scratchpong[render]'")
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UserError("--render needs a display, and neither DISPLAY nor WAYLAND_DISPLAY is set; "
                         "use --gif FILE to record the game instead")


def cmd_play(args: argparse.Namespace) -> int:
    from scratchpong.commands.agent import chosen_policy
    from scratchpong.env import make_env
    from scratchpong.evaluation import play_episodes, points

    if args.render:
        check_can_render()
    if args.saliency and not args.gif:
        raise UserError("--saliency draws on the GIF: add --gif FILE")
    if args.gif and not args.gif.lower().endswith(".gif"):  # so that it never replaces a checkpoint or a log
        raise UserError(f"the GIF {args.gif!r} must end in .gif")
    check_writable(args.gif, "GIF")
    config, W1, W2 = chosen_policy(args)
    env = make_env(config.env, render_mode="human" if args.render else None)
    if args.saliency:
        recorder = SaliencyRecorder(env, args.gif_every, W1, W2, config.frames)
    else:
        recorder = GifRecorder(env, args.gif_every) if args.gif else None
    mode = "greedy" if args.greedy else "sampled"
    print(f"playing {args.episodes} episode(s) of {config.env} ({mode} actions, seed {args.seed})")
    try:
        games = play_episodes(recorder or env, W1, W2, config.frames, args.episodes, args.seed, args.greedy,
                              args.max_steps)
        for n, traj in enumerate(games, 1):
            won, lost = points(traj)
            print(f"episode {n}: score {traj.reward:+g} (won {won}, lost {lost}) in {len(traj.rewards)} steps")
    finally:
        env.close()
    if recorder is not None:
        recorder.flush()
        write_gif(recorder.frames, args.gif)
        size = Path(args.gif).stat().st_size
        print(f"wrote {args.gif}: {len(recorder.frames)} frames of {WIDTH}x{BAR_HEIGHT + HEIGHT}, "
              f"{size / 1e6:.1f} MB")
    return 0


def add_parser(sub) -> None:
    from scratchpong.commands.agent import add_arguments


    p = sub.add_parser("play", help="watch a saved policy play Pong, in a window or as an animated GIF",
                       description="Play Pong with the weights of a checkpoint and print each episode's score.")
    add_arguments(p)
    p.add_argument("--episodes", type=positive, default=1, metavar="N", help="episodes to play (default 1)")
    p.add_argument("--gif", default=None, metavar="FILE", help="write the game, with the score, as an animated GIF")
    p.add_argument("--gif-every", type=positive, default=2, metavar="K",
                   help="keep every K-th step's frame in the GIF (default 2; 1 keeps all)")
    p.add_argument("--saliency", action="store_true",
                   help="paint each GIF frame with dL_ip3/dx: red where a pixel turning on would push the agent "
                        "towards UP, blue towards DOWN (docs/derivation.md, eq.7)")
    p.add_argument("--render", action="store_true",
                   help="show the game in a window (needs a display and pip install 'scratchpong[render]')")
    p.set_defaults(func=cmd_play)
