"""The `scratchpong` command: a thin argparse layer over the modules that do the work.

Every mistake a user can make (a bad flag value, a typo'd env id, a missing or
corrupt checkpoint) ends as one line on stderr and exit status 2, never a traceback
(set SCRATCHPONG_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_USAGE = 2


class UserError(Exception):
    """A problem with what the user asked for; the CLI prints it as one line and exits 2."""


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


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from scratchpong import gradcheck

    W1, W2, x, y_a = gradcheck.random_problem(args.inputs, args.hidden, args.seed)
    rows = gradcheck.check(W1, W2, x, y_a)
    ok = all(r.ok for r in rows)
    if args.json:
        print(json.dumps(gradcheck.as_json(rows, args.inputs, args.hidden, args.seed), indent=2))
    else:
        print(f"gradcheck: D={args.inputs} inputs, H={args.hidden} hidden units, seed {args.seed}, y_a={y_a:g}")
        print(gradcheck.report(rows))
        print(f"{'all equations agree' if ok else 'SOME ENTRIES DISAGREE'}: "
              f"|a - n| <= {gradcheck.ATOL:g} + {gradcheck.RTOL:g}*|n|, central difference with eps {gradcheck.EPS:g}")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scratchpong", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("gradcheck", help="verify eq.1-eq.6 against finite differences on a random small network")
    p.add_argument("--inputs", type=positive, default=6, help="D, the number of input pixels (default 6)")
    p.add_argument("--hidden", type=positive, default=4, help="H, the number of hidden units (default 4)")
    p.add_argument("--seed", type=int, default=0, help="random seed for weights, input and label (default 0)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_gradcheck)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UserError, ValueError, OSError) as e:
        if os.environ.get("SCRATCHPONG_DEBUG"):
            raise
        print(f"scratchpong {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
