"""Frames to network input: `prepro` a 210×160×3 Atari frame to a small binary image, then diff two of them.

No NumPy: the observation is read through the buffer protocol (``memoryview(obs)``)
as plain bytes, and bytes slicing and ``bytes.translate`` do the per-pixel work in C.
"""

from __future__ import annotations

from dataclasses import dataclass

from scratchpong.matrix import SparseVector

HEIGHT, WIDTH, CHANNELS = 210, 160, 3
CROP_TOP, CROP_BOTTOM = 35, 195  # pg-pong's crop, rows 35..194: below the score; row 194 is border, never kept
FIELD_TOP, FIELD_BOTTOM = 34, 194  # rows 34..193: exactly the field between the white borders (for pooling)
BACKGROUND = (144, 109)  # the two red values of Pong's brown background
ROW_BYTES = WIDTH * CHANNELS

# byte value -> 0 for the background (and 0 itself), 1 for everything else (paddles, ball)
_BINARIZE = bytes(0 if v in (0, *BACKGROUND) else 1 for v in range(256))


def input_size(downscale: int) -> int:
    """D, the number of input pixels: (160 / downscale)², e.g. 6400 for downscale 2 (80×80)."""
    check_downscale(downscale)
    return (WIDTH // downscale) ** 2


def check_downscale(downscale: int) -> None:
    """The two supported sizes: 2 (80×80, Karpathy's) and 4 (40×40)."""
    if downscale not in (2, 4):
        raise ValueError(f"downscale must be 2 (80x80) or 4 (40x40), got {downscale}")


def prepro(obs: object, downscale: int = 2, pool: bool = False) -> bytes:
    """210×160×3 uint8 frame -> (160/downscale)² bytes, 1 where a paddle or the ball is, 0 elsewhere.

    Crops rows 35..194, keeps every `downscale`-th row and column of the red channel,
    erases the background (144, 109) and sets the rest to 1. With `pool`, an output
    pixel is 1 if any pixel of its downscale×downscale block is (`prepro_pooled`).
    """
    check_downscale(downscale)
    view = memoryview(obs)  # type: ignore[arg-type]
    if view.shape != (HEIGHT, WIDTH, CHANNELS) or view.format != "B":
        raise ValueError(
            f"prepro expects a {HEIGHT}x{WIDTH}x{CHANNELS} uint8 frame, got shape {view.shape} format {view.format!r}"
        )
    raw = view.tobytes()  # C order: row r, column c, channel k is byte (r*160 + c)*3 + k
    if pool:
        return prepro_pooled(raw, downscale)
    step = CHANNELS * downscale  # red byte of every downscale-th column
    rows = (raw[r * ROW_BYTES : (r + 1) * ROW_BYTES : step] for r in range(CROP_TOP, CROP_BOTTOM, downscale))
    return b"".join(rows).translate(_BINARIZE)


def prepro_pooled(raw: bytes, downscale: int) -> bytes:
    """Max-pooling: output pixel (R, C) = 1 if any field pixel (r, c) with r // downscale = R, c // downscale = C is.

    Why: the ball is 2 pixels wide, and on ALE/Pong-v5 it tends to keep its place inside a
    4-column block from step to step, so every 4th column (downscale 4) can miss it for a
    whole rally (tests/test_frames.py: 46 frames with the ball, 0 shown). A block misses nothing.
    The rows are the field's own, 34..193, so that no block holds a row of the border.
    """
    field = raw[FIELD_TOP * ROW_BYTES : FIELD_BOTTOM * ROW_BYTES : CHANNELS].translate(_BINARIZE)  # 160×160, 0/1
    side = WIDTH // downscale
    out = bytearray(side * side)
    i = field.find(1)
    while i >= 0:  # ~40 jumps a frame: the paddles' rows and the ball's
        r, c = divmod(i, WIDTH)
        out[r // downscale * side + c // downscale] = 1
        i = field.find(1, i - c % downscale + downscale)  # the rest of this block's row is already counted
    return bytes(out)


@dataclass(frozen=True)
class Frames:
    """How an agent sees a screen: `prepro` with its downscale and its pooling, held together (`config.frames`).

    An agent trained on pooled 40×40 frames plays blind on unpooled ones, and vice versa, so whatever plays
    or draws an agent takes this one value, never a downscale and a pool that could come from two places.
    """

    downscale: int
    pool: bool

    def __post_init__(self) -> None:
        check_downscale(self.downscale)

    @property
    def size(self) -> int:
        """D, the number of input pixels."""
        return input_size(self.downscale)

    def prepro(self, obs: object) -> bytes:
        """`prepro(obs, downscale, pool)` with this agent's two settings."""
        return prepro(obs, self.downscale, self.pool)


def difference(cur: bytes, prev: bytes | None) -> SparseVector:
    """x = cur − prev as sparse (index, ±1.0) pairs; the first frame of an episode (prev None) gives [].

    >>> difference(bytes([0, 1, 1, 0]), bytes([0, 0, 1, 1]))
    [(1, 1.0), (3, -1.0)]
    """
    if prev is None:
        return []
    if len(cur) != len(prev):
        raise ValueError(f"difference: frames of {len(cur)} and {len(prev)} pixels")
    # XOR the two 0/1 frames as big integers: the result has a 1 byte exactly where a pixel changed,
    # and bytes.find jumps from one such byte to the next at C speed.
    changed = (int.from_bytes(cur, "big") ^ int.from_bytes(prev, "big")).to_bytes(len(cur), "big")
    x = []
    i = changed.find(1)
    while i >= 0:
        x.append((i, 1.0 if cur[i] else -1.0))  # switched on: +1, switched off: −1
        i = changed.find(1, i + 1)
    return x
