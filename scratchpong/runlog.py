"""The training logs: one CSV row per episode, and one per greedy evaluation during training (`--eval-every`).

Their columns are defined here once; `scratchpong plot`, `scratchpong bench` and the
trainer all go through this module.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

LOG_FIELDS = ("episode", "steps", "reward", "running_reward", "seconds")
# After `episode` episodes of training: `games` greedy games with fixed weights, their mean score and spread.
EVAL_FIELDS = ("episode", "games", "mean", "std", "games_won", "points_won", "points_lost", "seconds", "eval_seconds")

Log = dict[str, list[float]]  # column name -> one number per episode


class LogError(ValueError):
    """A log file that cannot be used; the message names the file and the problem."""


def open_log(path: str | os.PathLike, keep_through: int | None, columns: tuple[str, ...] = LOG_FIELDS,
             say: Callable[[str], None] = print) -> TextIO:
    """Open a log for appending. On resume (`keep_through` = the checkpoint's episode), rows after it go first,

    and `say` tells how many: those episodes will be played again, exactly as before, and logged again.
    """
    path = Path(path)
    if keep_through is not None and path.exists() and path.stat().st_size:
        old = read_rows(path, columns)
        rows = [r for r in old if int(r["episode"]) <= keep_through]
        if len(rows) < len(old):
            say(f"log {str(path)!r}: {len(old) - len(rows)} row(s) after episode {keep_through}, the checkpoint's, "
                f"dropped; those episodes are played again")
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    new = not path.exists() or path.stat().st_size == 0
    f = open(path, "a", newline="")
    if new:
        f.write(",".join(columns) + "\n")
    return f


def read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one of our logs as text, or a LogError if its header is not `columns` (it is not ours)."""
    not_ours = LogError(f"log {str(path)!r} is not the scratchpong log expected here (its header is not "
                        f"{','.join(columns)}); name another file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != columns:  # not ours: leave it alone
                raise not_ours
            return [r for r in reader if (r["episode"] or "").isdecimal()]
    except (UnicodeDecodeError, csv.Error):  # not text, or not CSV
        raise not_ours from None


def write_row(f: TextIO, episode: int, steps: int, reward: float, running_reward: float, seconds: float) -> None:
    """Append one episode's row and flush it, so a crash loses at most the episode being played."""
    f.write(f"{episode},{steps},{reward:g},{running_reward:.4f},{seconds:.2f}\n")
    f.flush()


def write_eval_row(f: TextIO, episode: int, ev, seconds: float, eval_seconds: float) -> None:
    """Append one evaluation (an `evaluation.Evaluation`) made after `episode` episodes, and flush it."""
    f.write(f"{episode},{ev.episodes},{ev.mean:.4f},{ev.std:.4f},{ev.games_won},{ev.points_won},{ev.points_lost},"
            f"{seconds:.2f},{eval_seconds:.2f}\n")
    f.flush()


def read_log(path: str | os.PathLike, columns: tuple[str, ...] = LOG_FIELDS, empty_ok: bool = False) -> Log:
    """A log's columns as numbers; a one-line LogError naming the file for anything else (with `empty_ok`, a
    header and no rows is a log with no rows)."""
    where = f"log {str(path)!r}"
    if not Path(path).is_file():
        raise LogError(f"{where} does not exist" if not Path(path).exists() else f"{where} is not a file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise LogError(f"{where} has no column {', '.join(missing)}; this log should have the columns "
                               f"{','.join(columns)} (scratchpong train --log FILE, --eval-log FILE)")
            log: Log = {c: [] for c in columns}
            for row in reader:
                for c in columns:
                    log[c].append(number(row[c], where, reader.line_num, c))
    except (UnicodeDecodeError, csv.Error) as e:
        raise LogError(f"{where} is not a readable CSV file ({e})") from None
    if not log["episode"] and not empty_ok:
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
