"""The training log, one CSV row per episode: its columns, how a run writes it, and how tools read it back.

The columns are defined here once; `scratchpong plot`, `scratchpong bench` and the
trainer all go through this module.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import TextIO

LOG_FIELDS = ("episode", "steps", "reward", "running_reward", "seconds")

Log = dict[str, list[float]]  # column name -> one number per episode


class LogError(ValueError):
    """A log file that cannot be used; the message names the file and the problem."""


def open_log(path: str | os.PathLike, keep_through: int | None) -> TextIO:
    """Open the log for appending. On resume (`keep_through` = the checkpoint's episode), rows after it go first:

    those episodes will be played again, exactly as before, and logged again.
    """
    path = Path(path)
    if keep_through is not None and path.exists() and path.stat().st_size:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != LOG_FIELDS:  # not ours: leave it alone
                raise LogError(f"log {str(path)!r} is not a scratchpong training log (its header is not "
                               f"{','.join(LOG_FIELDS)}); name another file with --log")
            rows = [r for r in reader if r["episode"].isdecimal() and int(r["episode"]) <= keep_through]
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, LOG_FIELDS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    new = not path.exists() or path.stat().st_size == 0
    f = open(path, "a", newline="")
    if new:
        f.write(",".join(LOG_FIELDS) + "\n")
    return f


def write_row(f: TextIO, episode: int, steps: int, reward: float, running_reward: float, seconds: float) -> None:
    """Append one episode's row and flush it, so a crash loses at most the episode being played."""
    f.write(f"{episode},{steps},{reward:g},{running_reward:.4f},{seconds:.2f}\n")
    f.flush()


def read_log(path: str | os.PathLike) -> Log:
    """The log's columns as numbers; a one-line LogError naming the file for anything else."""
    where = f"log {str(path)!r}"
    if not Path(path).is_file():
        raise LogError(f"{where} does not exist" if not Path(path).exists() else f"{where} is not a file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in LOG_FIELDS if c not in (reader.fieldnames or [])]
            if missing:
                raise LogError(f"{where} has no column {', '.join(missing)}; a training log has the columns "
                               f"{','.join(LOG_FIELDS)} (scratchpong train --log FILE)")
            log: Log = {c: [] for c in LOG_FIELDS}
            for row in reader:
                for c in LOG_FIELDS:
                    log[c].append(number(row[c], where, reader.line_num, c))
    except (UnicodeDecodeError, csv.Error) as e:
        raise LogError(f"{where} is not a readable CSV file ({e})") from None
    if not log["episode"]:
        raise LogError(f"{where} has no episodes yet")
    return log


def number(cell: str | None, where: str, line: int, column: str) -> float:
    """One CSV cell as a float, or a LogError naming the line and column."""
    if cell is None or cell == "":
        raise LogError(f"{where} line {line}: the {column} cell is missing")
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise LogError(f"{where} line {line}: {column} is {cell!r}, not a number")
    return value
