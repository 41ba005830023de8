"""`scratchpong compare`: one moment of one game, played by several agents, side by side.

Every agent plays episode 0 of the same seed, so every game starts alike: the same reset,
the same serve. The games part as soon as the agents move differently. The strip shows each
game at step N, so a learner sees the same moment with weights at different stages of training.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scratchpong.commands.args import UserError, count
from scratchpong.commands.weights import BACKGROUND, GAP, TEXT, check_output, font, with_caption, wrap
from scratchpong.config import TrainConfig
from scratchpong.matrix import Matrix, Vector

LABEL_LINE = 15  # pixels per line of a source's label above its frame
LABEL_LINES = 2
ZOOM = 2  # each game pixel as ZOOM×ZOOM pixels: Atari's 160×210 is small on a screen
SOURCES_HELP = ("a checkpoint or weights file, `pretrained` (the strongest shipped agent), `pretrained:NAME`, "
                "or `untrained:PRESET` (the fresh weights of a preset)")
Source = tuple[str, TrainConfig, Matrix, Vector]  # (label, config, W1, W2)


def trained_label(name: str, path: str | Path) -> str:
    """`name` and the episodes it was trained for: "demo.ckpt.json.gz (800 episodes)"."""
    from scratchpong.commands.agent import episodes_of

    n = episodes_of(path)
    return name if n is None else f"{name} ({n} episodes)"


def untrained(preset: str) -> Source:
    """The fresh weights of a preset: what its training starts from."""
    from scratchpong.commands.agent import untrained_policy
    from scratchpong.config import PRESETS

    if preset not in PRESETS:
        raise UserError(f"untrained:{preset}: no preset {preset!r}; use one of "
                        f"{', '.join('untrained:' + name for name in PRESETS)}")
    return (f"untrained {preset} (fresh weights)", *untrained_policy(preset))


def load_source(source: str) -> Source:
    """(label, config, W1, W2) of a SOURCE: `untrained:PRESET`, `pretrained[:NAME]`, or else a checkpoint path."""
    from scratchpong.commands.agent import STRONGEST, load_policy, pretrained_path

    kind, _, name = source.partition(":")
    if kind == "untrained":
        return untrained(name)
    if kind == "pretrained":
        name = name or STRONGEST
        config, W1, W2 = load_policy(None, name)
        return trained_label(f"pretrained {name}", pretrained_path(name)), config, W1, W2
    config, W1, W2 = load_policy(source, None)
    return trained_label(Path(source).name, source), config, W1, W2


class LastFrame:
    """An `on_frame` callback that keeps the newest observation and counts them all."""

    def __init__(self) -> None:
        self.obs, self.count = None, 0

    def __call__(self, obs) -> None:
        self.obs, self.count = obs, self.count + 1


def moment(env, config: TrainConfig, W1: Matrix, W2: Vector, step: int, seed: int, greedy: bool):
    """The frame of episode 0 after `step` steps and its caption: the score so far and the step.

    If the game ends first, the last frame the agent saw, the final score and the game's length in steps.
    """
    from scratchpong.episode import episode_rng, run_episode

    last = LastFrame()
    traj = run_episode(env, W1, W2, config.frames, episode_rng(seed, 0), greedy=greedy, max_steps=step + 1,
                       on_frame=last)
    reached = last.count - 1  # the frame seen at step k comes after k actions; its rewards are the first k
    over = reached < step  # the game ended first: its last frame, and the final score with the last point
    counted = traj.rewards if over else traj.rewards[:reached]
    won, lost = sum(r > 0 for r in counted), sum(r < 0 for r in counted)
    return last.obs, (f"won {won}  lost {lost}", f"end, {len(traj.rewards)}" if over else f"step {reached}")


def labelled(frame, label: str):
    """A frame under a strip with the source's label, wrapped to the frame's width."""
    from PIL import Image, ImageDraw

    face = font(13)
    strip = LABEL_LINE * LABEL_LINES + 2
    out = Image.new("RGB", (frame.width, strip + frame.height), BACKGROUND)
    draw = ImageDraw.Draw(out)
    for n, line in enumerate(wrap(label, frame.width, face)[:LABEL_LINES]):
        draw.text((0, n * LABEL_LINE), line, fill=TEXT, font=face)
    out.paste(frame, (0, strip))
    return out


def side_by_side(images: list):
    """The images in a row, GAP pixels apart and around."""
    from PIL import Image

    width = GAP + sum(im.width + GAP for im in images)
    out = Image.new("RGB", (width, GAP + max(im.height for im in images)), BACKGROUND)
    x = GAP
    for im in images:
        out.paste(im, (x, GAP))
        x += im.width + GAP
    return out


def compare_image(sources: list[Source], step: int, seed: int, greedy: bool):
    """Episode 0 of `seed` at `step`, as each source's policy plays it, side by side under a caption."""
    from PIL.Image import Resampling

    from scratchpong.commands.play import frame_image
    from scratchpong.env import make_env

    if not sources:
        raise ValueError("no sources to compare")
    envs: dict = {}
    frames = []
    try:
        for label, config, W1, W2 in sources:
            env = envs.get(config.env) or envs.setdefault(config.env, make_env(config.env))
            obs, caption = moment(env, config, W1, W2, step, seed, greedy)
            frame = frame_image(obs, caption).convert("RGB")
            frames.append(labelled(frame.resize((frame.width * ZOOM, frame.height * ZOOM), Resampling.NEAREST), label))
    finally:
        for env in envs.values():
            env.close()
    mode = "greedy" if greedy else "sampled"
    caption = (f"{sources[0][1].env}, episode 0 of seed {seed} at step {step} (or at its end), {mode} actions: "
               "the same start of the game for every agent")
    return with_caption(side_by_side(frames), caption)


def one_game(sources: list[Source]) -> None:
    """Refuse sources that play different Pong variants: their step N is not the same moment of one game."""
    envs = {config.env for _, config, _, _ in sources}
    if len(envs) > 1:
        raise UserError("the sources play different games (" + "; ".join(
            f"{label}: {config.env}" for label, config, _, _ in sources) + "): compare agents of one env")


def cmd_compare(args: argparse.Namespace) -> int:
    check_output(args.output, "strip")
    sources = [load_source(s) for s in args.sources]
    one_game(sources)
    image = compare_image(sources, args.step, args.seed, args.greedy)
    image.save(args.output)
    print(f"wrote {args.output}: step {args.step} of episode 0 (seed {args.seed}, "
          f"{'greedy' if args.greedy else 'sampled'} actions) as played by {len(sources)} agent(s), "
          f"{image.width}x{image.height} pixels")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="the same moment of one game, played by several agents, side by side",
                       description="Every agent plays episode 0 of the same seed up to step N; the picture shows "
                                   "each one's frame at step N with its score so far.")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help=SOURCES_HELP)
    p.add_argument("-o", "--output", default="compare.png", help="image to write (default compare.png)")
    p.add_argument("--step", type=count, default=300, metavar="N",
                   help="the step to show: the frame after N actions (default 300)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="play episode 0 with the seed (S, 0) (default 0)")
    p.add_argument("--greedy", action="store_true",
                   help="take UP when y_p > 0.5 instead of sampling the action like training does")
    p.set_defaults(func=cmd_compare)

