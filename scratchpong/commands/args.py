"""What every command shares: `UserError`, the argparse types, `check_writable` and `check_distinct`; imports nothing
of scratchpong."""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys


class UserError(Exception):
    """A problem with what the user asked for; the CLI prints it as one line and exits 2."""


def check_writable(path: str | os.PathLike | None, what: str) -> None:
    """Fail now, not after the work, if the file `path` cannot be written: it is a folder, or its folder is missing."""
    if path is None:
        return
    if os.path.isdir(path) or not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        problem = "it is a folder" if os.path.isdir(path) else "its folder does not exist"
        raise UserError(f"cannot write the {what} {str(path)!r}: {problem}")


def check_distinct(files: dict[str, str | os.PathLike | None]) -> None:
    """Fail if two of the files a command writes or reads (named by what they are) are one file: one would
    overwrite the other."""
    seen: dict[str, str] = {}
    for what, path in files.items():
        if path is None:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise UserError(f"the {seen[key]} and the {what} are the same file, {str(path)!r}: name two files")
        seen[key] = what


def whole_number(text: str, least: int) -> int:
    """`text` as an int that is at least `least`, or an argparse error saying what was wrong."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < least:
        raise argparse.ArgumentTypeError(f"must be >= {least}, got {n}")
    return n


def count(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    return whole_number(text, 0)


def positive(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    return whole_number(text, 1)


def real(text: str) -> float:
    """An argparse type: a finite float."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return v


def program() -> str:
    """How the user started scratchpong, so that a printed next command works where they are.

    `scratchpong` when that name finds this program on PATH; else the path as typed
    (`.venv/bin/scratchpong`); `python -m scratchpong` as the interpreter's path and `-m scratchpong`.
    """
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "scratchpong"
    if os.path.basename(argv0) == "__main__.py":
        return f"{_short(sys.executable)} -m scratchpong"
    name = os.path.basename(argv0)
    found = shutil.which(name)
    if found and os.path.realpath(found) == os.path.realpath(argv0):
        return name
    return _short(argv0)


def _short(path: str) -> str:
    """`path` relative to the working folder when it lies inside it, else as it is."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return rel if not rel.startswith("..") else path
