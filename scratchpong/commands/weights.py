"""`scratchpong weights`: each hidden unit's input weights drawn as a small picture, like the figure in Karpathy's post.

Column j of W1 holds the weight of every input pixel on hidden unit j. Laid out as the
side×side field it reads from, it shows what the unit looks for: red where a pixel that
turns on raises h_j, blue where it lowers it. No matplotlib: the colour map is a
hand-written interpolation and Pillow draws the rest.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

from scratchpong.commands.args import UserError, check_writable, positive
from scratchpong.frames import WIDTH, input_size
from scratchpong.matrix import Matrix, Vector

SORTS = {"w2": "|W2_j|", "norm": "||W1[:, j]||"}  # --sort: the key, largest first, as the caption names it
# RdBu-like stops of the colour map, from -1 (blue) through 0 (near white) to +1 (red)
STOPS = ((-1.0, (33, 102, 172)), (-0.5, (146, 197, 222)), (0.0, (247, 247, 247)),
         (0.5, (244, 165, 130)), (1.0, (178, 24, 43)))
BACKGROUND, TEXT = (34, 34, 34), (230, 230, 230)
SIGN_TEXT = {True: (255, 150, 130), False: (140, 180, 255)}  # W2_j >= 0, W2_j < 0
GAP = 6  # pixels between cells and around the grid
LABEL = 12  # the strip above a tile: the unit's number and W2_j
BAR = 3  # the W2_j bar under the label: right of the middle for +, left for -
CAPTION_LINE = 14  # pixels per line of the caption at the top


def diverging(t: float) -> tuple[int, int, int]:
    """The colour of t in [-1, 1]: blue at -1, near white at 0, red at +1, linear between the stops."""
    t = max(-1.0, min(1.0, t))
    for (a, ca), (b, cb) in zip(STOPS, STOPS[1:]):
        if t <= b:
            f = (t - a) / (b - a)
            return tuple(round(x + f * (y - x)) for x, y in zip(ca, cb))  # type: ignore[return-value]
    return STOPS[-1][1]


def level(w: float, top: float) -> int:
    """w / top in [-1, 1] as a palette index 1..255, with 0 at 128."""
    return 128 + round(127 * max(-1.0, min(1.0, w / top)))


PALETTE = [c for k in range(256) for c in diverging((k - 128) / 127)]  # palette index -> RGB


def column(W1: Matrix, j: int) -> Vector:
    """Column j of W1: the weights of every input pixel on hidden unit j."""
    return [row[j] for row in W1]


def column_norms(W1: Matrix) -> Vector:
    """||W1[:, j]|| for every hidden unit j."""
    squares = [0.0] * len(W1[0])
    for row in W1:
        squares = [s + w * w for s, w in zip(squares, row)]
    return [math.sqrt(s) for s in squares]


def unit_order(W1: Matrix, W2: Vector, sort: str) -> list[int]:
    """The hidden units, largest first by |W2_j| (sort "w2") or by ||W1[:, j]|| (sort "norm"); ties by number."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    key = [abs(w) for w in W2] if sort == "w2" else column_norms(W1)
    return sorted(range(len(W2)), key=lambda j: -key[j])


def tile(weights: Vector, side: int, scale: int):
    """One unit's weights as a side·scale square RGB image, scaled to its own max |w|."""
    from PIL import Image

    top = max(map(abs, weights)) or 1.0
    image = Image.frombytes("P", (side, side), bytes(level(w, top) for w in weights))
    image.putpalette(PALETTE)
    return image.resize((side * scale, side * scale), Image.Resampling.NEAREST).convert("RGB")


@dataclass(frozen=True)
class Grid:
    """Where the tiles go: an about square grid of cells, each a label strip and a bar above a square tile."""

    count: int
    tile: int  # pixels on a side of a tile

    @property
    def columns(self) -> int:
        return math.ceil(math.sqrt(self.count))

    @property
    def rows(self) -> int:
        return math.ceil(self.count / self.columns)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the grid in pixels."""
        return GAP + self.columns * (self.tile + GAP), GAP + self.rows * (LABEL + BAR + 1 + self.tile + GAP)

    def origin(self, k: int) -> tuple[int, int]:
        """The top-left pixel of the k-th tile (the label strip above it starts LABEL + BAR + 1 higher)."""
        row, col = divmod(k, self.columns)
        return GAP + col * (self.tile + GAP), GAP + row * (LABEL + BAR + 1 + self.tile + GAP) + LABEL + BAR + 1


def font(size: int):
    """Pillow's default font at `size` pixels (the fixed bitmap font on a Pillow without FreeType)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def label(draw, x: int, y: int, width: int, unit: int, w2: float, biggest: float) -> None:
    """Above a tile at (x, y): the unit's number, W2_j as a number, and W2_j as a bar from the middle."""
    top = y - LABEL - BAR - 1
    draw.text((x, top + LABEL // 2), str(unit), fill=TEXT, font=font(10), anchor="lm")
    draw.text((x + width, top + LABEL // 2), f"{w2:+.2f}", fill=SIGN_TEXT[w2 >= 0], font=font(9), anchor="rm")
    middle, reach = x + width // 2, round(abs(w2) / (biggest or 1.0) * (width // 2))
    ends = (middle, middle + reach) if w2 >= 0 else (middle - reach, middle)
    draw.rectangle((ends[0], top + LABEL, ends[1], top + LABEL + BAR - 1), fill=diverging(1.0 if w2 >= 0 else -1.0))


def tiles_image(W1: Matrix, W2: Vector, units: list[int], downscale: int, scale: int):
    """The grid of tiles of `units`, in that order, each labelled with its number and W2_j."""
    from PIL import Image, ImageDraw

    side = WIDTH // downscale
    grid = Grid(len(units), side * scale)
    image = Image.new("RGB", grid.size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    biggest = max(abs(w) for w in W2)
    for k, j in enumerate(units):
        x, y = grid.origin(k)
        image.paste(tile(column(W1, j), side, scale), (x, y))
        label(draw, x, y, grid.tile, j, W2[j], biggest)
    return image


def caption(shown: int, hidden: int, sort: str, side: int) -> str:
    """What the picture shows, in words (ASCII: Pillow's default font has no minus sign or times)."""
    return (f"{shown} of {hidden} hidden units, sorted by {SORTS[sort]} (largest first). Each tile is a unit's "
            f"weights on the {side}x{side} input, scaled to its own max |w|: red +, white 0, blue -. "
            f"Above it: the unit's number, and W2_j as a number and a bar.")


def wrap(text: str, width: int, face) -> list[str]:
    """`text` in lines no wider than `width` pixels in the font `face` (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def with_caption(image, text: str):
    """`image` under a strip with `text`, wrapped to its width."""
    from PIL import Image, ImageDraw

    face = font(11)
    lines = wrap(text, image.width - 2 * GAP, face)
    strip = GAP + CAPTION_LINE * len(lines)
    out = Image.new("RGB", (image.width, strip + image.height), BACKGROUND)
    draw = ImageDraw.Draw(out)
    for n, line in enumerate(lines):
        draw.text((GAP, GAP + n * CAPTION_LINE), line, fill=TEXT, font=face)
    out.paste(image, (0, strip))
    return out


def weights_image(W1: Matrix, W2: Vector, downscale: int, units: int | None = None, sort: str = "w2",
                  scale: int = 3):
    """The picture of W1: the first `units` hidden units by `sort`, one tile each, under a caption."""
    if len(W1) != input_size(downscale) or any(len(row) != len(W2) for row in W1):
        raise ValueError(f"W1 must be {input_size(downscale)}x{len(W2)} for downscale {downscale}")
    if (units is not None and units < 1) or scale < 1:
        raise ValueError(f"units and scale must be >= 1, got {units} and {scale}")
    order = unit_order(W1, W2, sort)[:units]
    side = WIDTH // downscale
    return with_caption(tiles_image(W1, W2, order, downscale, scale), caption(len(order), len(W2), sort, side))


def check_output(path: str, what: str) -> None:
    """Fail before any work if the image `path` cannot be written: a folder, a missing folder, an unknown format."""
    from PIL import Image

    check_writable(path, what)
    image_format = Image.registered_extensions().get(Path(path).suffix.lower())
    if image_format not in Image.SAVE:  # some endings name a format Pillow reads but cannot write
        raise UserError(f"cannot write the {what} {path!r}: Pillow writes no image format by the ending "
                        f"{Path(path).suffix or '(none)'!r}; use .png")


def default_scale(downscale: int) -> int:
    """Pixels per weight when --scale is not given: 3 for 40x40 inputs, 2 for 80x80 (tiles of 120 and 160 px)."""
    return 3 if downscale == 4 else 2


def cmd_weights(args: argparse.Namespace) -> int:
    from scratchpong.commands.agent import chosen_policy

    check_output(args.output, "picture")
    if args.seed is not None and args.untrained is None:
        raise UserError("--seed picks the fresh weights of --untrained PRESET; a saved agent has its weights")
    config, W1, W2 = chosen_policy(args, args.seed)
    shown = min(args.units or config.hidden, config.hidden)
    image = weights_image(W1, W2, config.downscale, shown, args.sort, args.scale or default_scale(config.downscale))
    image.save(args.output)
    side = WIDTH // config.downscale
    print(f"wrote {args.output}: {shown} of {config.hidden} hidden units ({side}x{side} inputs), sorted by "
          f"{SORTS[args.sort]}, {image.width}x{image.height} pixels; the largest |W2_j| is "
          f"{max(abs(w) for w in W2):.2f}")
    return 0


def add_parser(sub) -> None:
    from scratchpong.commands.agent import add_policy_source

    p = sub.add_parser("weights", help="draw each hidden unit's input weights as a picture",
                       description="Draw column j of W1, the weights of the input pixels on hidden unit j, as a "
                                   "small image for each unit: red positive, blue negative.")
    add_policy_source(p)
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="with --untrained: the seed of the fresh weights (default: the preset's)")
    p.add_argument("-o", "--output", default="weights.png", help="image to write (default weights.png)")
    p.add_argument("--units", type=positive, default=None, metavar="N",
                   help="draw the first N units after sorting (default: all)")
    p.add_argument("--sort", choices=list(SORTS), default="w2",
                   help="largest first by |W2_j|, the unit's pull on the output (w2, the default), or by the "
                        "norm of its input weights ||W1[:, j]|| (norm)")
    p.add_argument("--scale", type=positive, default=None, metavar="S",
                   help="pixels per input pixel in a tile (default 3 for 40x40 inputs, 2 for 80x80)")
    p.set_defaults(func=cmd_weights)
