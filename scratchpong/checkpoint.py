"""Checkpoints as JSON (never pickle: loading a pickle can run code), written atomically, validated on load.

A file ending in `.gz` is gzip-compressed JSON; the loader reads either. Python's
json writes floats with repr, which round-trips every float64 exactly, so a
resumed run continues bit for bit.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, fields
from pathlib import Path

from scratchpong.config import TrainConfig
from scratchpong.frames import input_size

FORMAT = "scratchpong-checkpoint"  # a whole run: weights, RMSProp caches, gradient buffer, counters
WEIGHTS_FORMAT = "scratchpong-weights"  # a shipped agent: the settings, W1 and W2, nothing to resume with
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file and the problem."""


def json_chunks(obj: object) -> Iterator[str]:
    """The text json.dumps(obj, allow_nan=False, separators=(",", ":")) gives, in pieces: one per row of a matrix.

    A checkpoint of Karpathy's network is ~31 MB of text. Made in one piece, the text and its
    bytes would be held beside the weights at once; made row by row, only one row's text is.
    """
    if isinstance(obj, dict):
        yield "{"
        for n, (key, value) in enumerate(obj.items()):
            if not isinstance(key, str):
                raise TypeError(f"a checkpoint's keys are strings, not {type(key).__name__}")
            yield ("," if n else "") + json.dumps(key) + ":"
            yield from json_chunks(value)
        yield "}"
    elif isinstance(obj, list) and obj and all(isinstance(row, (list, dict)) for row in obj):
        yield "["
        for n, row in enumerate(obj):
            if n:
                yield ","
            yield from json_chunks(row)
        yield "]"
    else:
        yield json.dumps(obj, allow_nan=False, separators=(",", ":"))


def save(path: str | os.PathLike, data: dict, format: str = FORMAT) -> None:
    """Write `data` as JSON to a temp file in the same folder, fsync it, then os.replace it over `path`.

    A crash at any moment leaves either the old file or the new one, never half of one.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)  # mkstemp makes it private; a checkpoint is meant to be shared
            document = {"format": format, "version": VERSION, **data}
            if path.suffix == ".gz":
                with gzip.GzipFile(filename="", fileobj=f, mode="wb", mtime=0) as z:
                    z.writelines(chunk.encode() for chunk in json_chunks(document))
            else:
                f.writelines(chunk.encode() for chunk in json_chunks(document))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _Constant(ValueError):
    """NaN or ±Infinity in a checkpoint's JSON, which Python's parser would otherwise accept."""


def _no_constants(name: str):
    raise _Constant(f"contains {name}")


def read(path: str | os.PathLike, formats: tuple[str, ...] = (FORMAT,)) -> dict:
    """Parse a checkpoint file (plain or gzip JSON) and check its format tag (one of `formats`) and version."""
    path = Path(path)
    where = f"checkpoint {str(path)!r}"
    if not path.exists():
        raise CheckpointError(f"{where} does not exist")
    raw = path.read_bytes()
    if not raw:
        raise CheckpointError(f"{where} is empty")
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise CheckpointError(f"{where} is a damaged gzip file ({e})") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except _Constant as e:
        raise CheckpointError(f"{where} {e}, which no trained weight can be") from None
    except (ValueError, RecursionError) as e:  # bad UTF-8 or JSON, a 5,000-digit number, nesting too deep
        raise CheckpointError(f"{where} is not valid JSON, perhaps truncated ({e})") from None
    if not isinstance(data, dict) or data.get("format") not in formats:
        if isinstance(data, dict) and data.get("format") == WEIGHTS_FORMAT:
            raise CheckpointError(f"{where} holds weights only (a shipped agent), not a run that can be resumed")
        raise CheckpointError(f"{where} is not a scratchpong checkpoint")
    if data.get("version") != VERSION:
        raise CheckpointError(f"{where} has version {data.get('version')!r}; this scratchpong reads version {VERSION}")
    return data


def config_to_json(config: TrainConfig) -> dict:
    return asdict(config)


ADDED_LATER = {"pool", "minutes"}  # config fields that older checkpoints lack: their defaults are what those runs did


def config_from_json(obj: object, where: str) -> TrainConfig:
    """Rebuild a TrainConfig, checking every field's type and value."""
    if not isinstance(obj, dict):
        raise CheckpointError(f"{where}: 'config' is not an object")
    known = {f.name: f for f in fields(TrainConfig)}
    unknown = set(obj) - set(known)
    if unknown:
        raise CheckpointError(f"{where}: unknown config fields {sorted(unknown)}")
    missing = set(known) - set(obj) - ADDED_LATER  # every checkpoint ever written has these
    if missing:
        raise CheckpointError(f"{where}: the config lacks the fields {sorted(missing)}")
    kinds = {"env": (str,), "hidden": (int,), "downscale": (int,), "pool": (bool,), "batch_size": (int,),
             "seed": (int,), "lr": (int, float), "gamma": (int, float), "decay": (int, float),
             "episodes": (int, type(None)), "minutes": (int, float, type(None))}
    for name, value in obj.items():
        if isinstance(value, bool) != (kinds[name] == (bool,)) or not isinstance(value, kinds[name]):
            raise CheckpointError(f"{where}: config field {name!r} has the wrong type ({type(value).__name__})")
    try:
        return TrainConfig(**obj).check()
    except ValueError as e:
        raise CheckpointError(f"{where}: {e}") from None


def check_vector(v: object, n: int, name: str, where: str, non_negative: bool = False) -> list[float]:
    """v must be a list of n finite numbers (>= 0 if asked); ints are turned into floats."""
    if not isinstance(v, list) or len(v) != n:
        got = f"length {len(v)}" if isinstance(v, list) else type(v).__name__
        raise CheckpointError(f"{where}: {name} should be a list of {n} numbers, got {got}")
    for a in v:
        if isinstance(a, bool) or not isinstance(a, (int, float)) or not math.isfinite(a) or (non_negative and a < 0):
            raise CheckpointError(f"{where}: {name} holds {a!r}, not a finite{' non-negative' if non_negative else ''} "
                                  "number")
    return [float(a) for a in v]


def check_matrix(A: object, rows: int, cols: int, name: str, where: str, non_negative: bool = False) -> list:
    """A must be a rows×cols list of lists of finite numbers."""
    if not isinstance(A, list) or len(A) != rows:
        got = f"{len(A)} rows" if isinstance(A, list) else type(A).__name__
        raise CheckpointError(f"{where}: {name} should have shape ({rows}, {cols}), got {got}")
    return [check_vector(row, cols, f"{name} row {i}", where, non_negative) for i, row in enumerate(A)]


def validate(data: dict, where: str) -> dict:
    """Check every field of a parsed checkpoint against its config; return the fields ready to use."""
    config = config_from_json(data.get("config"), where)
    D, H = input_size(config.downscale), config.hidden
    out: dict = {"config": config}
    out["W1"] = check_matrix(data.get("W1"), D, H, "W1", where)
    out["W2"] = check_vector(data.get("W2"), H, "W2", where)
    out["cache_W1"] = check_matrix(data.get("cache_W1"), D, H, "cache_W1", where, non_negative=True)
    out["cache_W2"] = check_vector(data.get("cache_W2"), H, "cache_W2", where, non_negative=True)
    grad_rows = data.get("grad_W1")
    if not isinstance(grad_rows, dict):
        raise CheckpointError(f"{where}: grad_W1 should be an object of rows")
    out["grad_W1"] = {}
    for key, row in grad_rows.items():
        if not re.fullmatch(r"[0-9]+", key) or not int(key) < D:
            raise CheckpointError(f"{where}: grad_W1 has a row {key!r} outside 0..{D - 1}")
        out["grad_W1"][int(key)] = check_vector(row, H, f"grad_W1 row {key}", where)
    out["grad_W2"] = check_vector(data.get("grad_W2"), H, "grad_W2", where)
    for name in ("episode", "batch_episodes"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CheckpointError(f"{where}: {name} should be a whole number >= 0, got {value!r}")
        out[name] = value
    for name, allow_none in (("running_reward", True), ("seconds", False)):
        value = data.get(name)
        if value is None and allow_none:
            out[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise CheckpointError(f"{where}: {name} should be a finite number, got {value!r}")
        out[name] = float(value)
    return out


def load(path: str | os.PathLike) -> dict:
    """read + validate: the checkpoint's fields, or a CheckpointError naming the first problem."""
    return validate(read(path), f"checkpoint {str(path)!r}")


def rounded(v: float, digits: int | None) -> float:
    """v to `digits` significant digits, as a weights file stores it (None: exactly)."""
    return float(f"{v:.{digits}g}") if digits else v


def save_weights(path: str | os.PathLike, config: TrainConfig, episode: int, W1: list, W2: list,
                 digits: int | None = None) -> None:
    """Write a weights-only file: the settings, the episode count, W1 and W2 (rounded to `digits`
    significant digits if given), and nothing of the optimizer."""
    save(path, {"config": config_to_json(config), "episode": episode,
                "W1": [[rounded(w, digits) for w in row] for row in W1], "W2": [rounded(w, digits) for w in W2]},
         WEIGHTS_FORMAT)


def load_weights(path: str | os.PathLike) -> tuple[TrainConfig, list, list]:
    """(config, W1, W2) from a checkpoint or a weights-only file, each field checked."""
    where = f"checkpoint {str(path)!r}"
    data = read(path, (FORMAT, WEIGHTS_FORMAT))
    config = config_from_json(data.get("config"), where)
    D, H = input_size(config.downscale), config.hidden
    return config, check_matrix(data.get("W1"), D, H, "W1", where), check_vector(data.get("W2"), H, "W2", where)
