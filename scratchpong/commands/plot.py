"""`scratchpong plot`: learning curves from the CSV logs of `scratchpong train --log`, several runs on one figure."""

from __future__ import annotations

import argparse
from pathlib import Path

from scratchpong.commands.args import UserError, check_writable, positive
from scratchpong.runlog import EVAL_FIELDS, Log, read_log

MISSING_MATPLOTLIB = "matplotlib is not installed: pip install 'scratchpong[plot]'"


def duration(seconds: float) -> str:
    """Wall time for a person: 42 s, 12.5 min, 3.2 h."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def labels(paths: list[str]) -> list[str]:
    """The file names, or the paths as given when two runs share a file name."""
    names = [Path(p).name for p in paths]
    return names if len(set(names)) == len(names) else list(paths)


def mean_of_last(values: list[float], window: int = 100) -> list[float]:
    """Entry k: the mean of values[k-window+1 .. k] (fewer at the start): "mean100" for window 100."""
    out, total = [], 0.0
    for k, v in enumerate(values):
        total += v - (values[k - window] if k >= window else 0.0)
        out.append(total / min(k + 1, window))
    return out


def eval_log_of(path: str) -> Log | None:
    """The greedy evaluations logged beside a training log (LOG.eval.csv, from --eval-every), if there are any: the
    file gets its header when training starts, and its first row only at the first evaluation."""
    beside = Path(path).with_name(Path(path).stem + ".eval.csv")
    if not beside.is_file() or not beside.stat().st_size:
        return None
    evals = read_log(beside, EVAL_FIELDS, empty_ok=True)
    return evals if evals["episode"] else None


def check_picture(out: str) -> None:
    """Fail before reading any log if matplotlib is missing or cannot write `out`: a folder, no folder, an ending
    that names no format it writes (a .csv log, say, is never replaced by a picture)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise UserError(MISSING_MATPLOTLIB) from None
    check_writable(out, "picture")
    formats = FigureCanvasBase.get_supported_filetypes()
    if Path(out).suffix.lower().removeprefix(".") not in formats:
        raise UserError(f"cannot write the picture {out!r}: matplotlib writes no format by the ending "
                        f"{Path(out).suffix or '(none)'!r}; use .png (or one of {', '.join(sorted(formats))})")


def plot(logs: dict[str, Log], out: str, evals: dict[str, Log | None] | None = None) -> None:
    """Top: episode reward (faint), mean of the last 100 (bold) and greedy evaluations (dots) by episode.
    Bottom: the same mean and evaluations by training wall time."""
    try:
        import matplotlib
    except ImportError:
        raise UserError(MISSING_MATPLOTLIB) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_episode, by_time) = plt.subplots(2, 1, figsize=(9, 8), constrained_layout=True)
    longest = max(log["seconds"][-1] for log in logs.values())
    scale, unit = (1, "s") if longest < 120 else (60, "min") if longest < 7200 else (3600, "h")
    for i, (name, log) in enumerate(logs.items()):
        color = f"C{i % 10}"
        label = f"{name} ({len(log['episode'])} episodes, {duration(log['seconds'][-1])})"
        mean100 = mean_of_last(log["reward"])
        by_episode.plot(log["episode"], log["reward"], color=color, alpha=0.2, linewidth=0.7)
        by_episode.plot(log["episode"], mean100, color=color, linewidth=2.2, label=label)
        by_time.plot([s / scale for s in log["seconds"]], mean100, color=color, linewidth=2.2)
        ev = (evals or {}).get(name)
        if ev:
            by_episode.errorbar(ev["episode"], ev["mean"], yerr=ev["std"], color=color, fmt="o", capsize=3,
                                markeredgecolor="black", label=f"{name}: greedy evaluations (mean ± std)")
            by_time.errorbar([s / scale for s in ev["seconds"]], ev["mean"], yerr=ev["std"], color=color, fmt="o",
                             capsize=3, markeredgecolor="black")
    by_episode.set(xlabel="episode", ylabel="reward (points won - lost)",
                   title="episode reward (faint), mean of the last 100 (line), greedy evaluations (dots)")
    by_time.set(xlabel=f"training wall time ({unit})", ylabel="reward", title="the same by training wall time")
    for ax in (by_episode, by_time):
        ax.grid(alpha=0.3)
    by_episode.legend(loc="upper left", fontsize="small")
    try:
        fig.savefig(out, dpi=110)
    finally:
        plt.close(fig)


def table(name: str, log: Log, every: int, window: int = 100) -> str:
    """Every `every` episodes: the mean reward of the last `window` episodes, the running reward and the wall time."""
    lines = [f"{name}", f"{'episode':>8} {'mean' + str(window):>8} {'running':>8} {'steps/ep':>9} {'wall time':>10}"]
    n = len(log["episode"])
    for end in [*range(every, n + 1, every), *([n] if n % every else [])]:
        last = slice(max(0, end - window), end)
        rewards, steps = log["reward"][last], log["steps"][last]
        lines.append(f"{log['episode'][end - 1]:8.0f} {sum(rewards) / len(rewards):8.2f} "
                     f"{log['running_reward'][end - 1]:8.2f} {sum(steps) / len(steps):9.0f} "
                     f"{duration(log['seconds'][end - 1]):>10}")
    lines.append(crossings_line(log))
    return "\n".join(lines)


LEVELS = (-15.0, -10.0, -5.0, 0.0)  # the mean100 levels whose first crossing --table reports


def crossings(log: Log, levels: tuple[float, ...] = LEVELS, window: int = 100) -> dict[float, int | None]:
    """For each level, the first row (0-based) where the mean of the last `window` rewards is >= it; None if never.

    Only full windows count, so a lucky first game cannot cross a level alone.

    >>> crossings({"reward": [-21.0] * 99 + [-1.0, 21.0]}, (-21.0, -20.5, 0.0), window=100)
    {-21.0: 99, -20.5: 100, 0.0: None}
    """
    means = mean_of_last(log["reward"], window)
    first: dict[float, int | None] = dict.fromkeys(levels)
    for k in range(window - 1, len(means)):
        for level in levels:
            if first[level] is None and means[k] >= level:
                first[level] = k
    return first


def crossings_line(log: Log) -> str:
    """The crossings in one line: "mean100 first >= -15 at episode 812 (14.5 min); >= -10 not yet; ..."."""
    parts = []
    for level, k in crossings(log).items():
        where = "not yet" if k is None else f"at episode {log['episode'][k]:.0f} ({duration(log['seconds'][k])})"
        parts.append(f">= {level:g} {where}")
    return "mean100 first " + "; ".join(parts)


def cmd_plot(args: argparse.Namespace) -> int:
    twice = sorted({p for p in args.logs if args.logs.count(p) > 1})
    if twice:
        raise UserError(f"log {twice[0]!r} is given twice; name each run once")
    if not args.table:
        check_picture(args.output)
    logs = {name: read_log(path) for name, path in zip(labels(args.logs), args.logs)}
    if args.table:
        print("\n\n".join(table(name, log, args.table) for name, log in logs.items()))
        return 0
    plot(logs, args.output, {name: eval_log_of(path) for name, path in zip(labels(args.logs), args.logs)})
    print(f"wrote {args.output}: {len(logs)} run(s), " + ", ".join(
        f"{name} ({len(log['episode'])} episodes, running reward {log['running_reward'][-1]:+.2f})"
        for name, log in logs.items()))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("plot", help="plot learning curves from training logs (needs 'scratchpong[plot]')",
                       description="Plot the CSV logs of `scratchpong train --log`; several logs compare runs.")
    p.add_argument("logs", nargs="+", metavar="LOG.csv", help="training log(s): episode,steps,reward,running_reward,"
                   "seconds")
    p.add_argument("-o", "--output", default="curve.png", help="image to write (default curve.png)")
    p.add_argument("--table", type=positive, default=None, metavar="N",
                   help="print a table every N episodes (mean of the last 100, running reward, wall time) and "
                        "where the mean of the last 100 first reaches -15, -10, -5 and 0, instead of drawing; "
                        "needs no matplotlib")
    p.set_defaults(func=cmd_plot)
