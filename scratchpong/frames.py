"""Frames to network input: `prepro` a 210×160×3 Atari frame to a small binary image, then diff two of them.

No NumPy: the observation is read through the buffer protocol (``memoryview(obs)``)
as plain bytes, and bytes slicing and ``bytes.translate`` do the per-pixel work in C.
"""

from __future__ import annotations

from scratchpong.matrix import SparseVector

HEIGHT, WIDTH, CHANNELS = 210, 160, 3
CROP_TOP, CROP_BOTTOM = 35, 195  # rows 35..194: the playing field, without the score and the bottom border
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


def prepro(obs: object, downscale: int = 2) -> bytes:
    """210×160×3 uint8 frame -> (160/downscale)² bytes, 1 where a paddle or the ball is, 0 elsewhere.

    Crops rows 35..194, keeps every `downscale`-th row and column of the red channel,
    erases the background (144, 109) and sets the rest to 1.
    """
    check_downscale(downscale)
    view = memoryview(obs)  # type: ignore[arg-type]
    if view.shape != (HEIGHT, WIDTH, CHANNELS) or view.format != "B":
        raise ValueError(
            f"prepro expects a {HEIGHT}x{WIDTH}x{CHANNELS} uint8 frame, got shape {view.shape} format {view.format!r}"
        )
    raw = view.tobytes()  # C order: row r, column c, channel k is byte (r*160 + c)*3 + k
    step = CHANNELS * downscale  # red byte of every downscale-th column
    rows = (raw[r * ROW_BYTES : (r + 1) * ROW_BYTES : step] for r in range(CROP_TOP, CROP_BOTTOM, downscale))
    return b"".join(rows).translate(_BINARIZE)


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
