"""A user's mistake is one line and exit 2; a bug in scratchpong is a traceback, never dressed up as a user's
mistake; SCRATCHPONG_DEBUG=1 shows the traceback of either; printed next commands work where the user is."""

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from scratchpong import policy, runner
from scratchpong.commands import args, cli
from scratchpong.commands.cli import main
from scratchpong.config import TrainConfig
from scratchpong.parallel import EpisodeWorkerError
from scratchpong.train import TrainState


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.ckpt.json"
    TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=1)).save(path)
    return str(path)


def test_a_bug_is_a_traceback_not_a_usage_error(tiny, monkeypatch, capsys):
    def broken(*a, **k):
        raise ValueError("a bug deep inside")  # a ValueError, like many user errors: still not the user's

    monkeypatch.setattr(policy, "x_times_W1", broken)
    with pytest.raises(ValueError, match="a bug deep inside"):
        main(["eval", "--checkpoint", tiny, "--episodes", "1", "--max-steps", "3", "--no-progress"])
    assert "error:" not in capsys.readouterr().err


def training_that_raises(monkeypatch, tmp_path, error: Exception) -> list[str]:
    """Make `train` fail with `error` where a worker pool would report it; return the argv that runs it."""
    def run_training(*a, **k):
        raise error

    monkeypatch.setattr(runner, "run_training", run_training)
    return ["train", "--preset", "demo", "--episodes", "1", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]


def test_a_bug_in_a_worker_is_a_traceback_with_the_workers_own_as_its_cause(monkeypatch, tmp_path):
    error = EpisodeWorkerError("episode worker 0 raised ZeroDivisionError: boom while playing episode 3",
                               "Traceback (most recent call last): ...", is_bug=True)
    with pytest.raises(EpisodeWorkerError, match="boom"):
        main(training_that_raises(monkeypatch, tmp_path, error))


def test_a_worker_that_died_is_one_line(monkeypatch, tmp_path, capsys):
    error = EpisodeWorkerError("episode worker 1 (pid 42) died (exit code -9, SIGKILL) while playing episode 3")
    assert main(training_that_raises(monkeypatch, tmp_path, error)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SIGKILL" in err and "Traceback" not in err


def test_an_os_error_that_names_no_file_is_a_bug_not_the_users(monkeypatch, tmp_path, capsys):
    with pytest.raises(BrokenPipeError):  # a pipe to a worker broke: nothing the user named, nothing to fix
        main(training_that_raises(monkeypatch, tmp_path, BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert "error:" not in capsys.readouterr().err


@pytest.mark.parametrize("error", [
    PermissionError(errno.EACCES, "Permission denied", "/somewhere/run.csv"),  # a file the user named
    OSError(errno.ENOSPC, "No space left on device"),  # the user's disk is full: no file named, still theirs
])
def test_an_os_error_on_the_users_file_or_disk_is_one_line(monkeypatch, tmp_path, capsys, error):
    assert main(training_that_raises(monkeypatch, tmp_path, error)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and error.strerror in err and "Traceback" not in err


def test_debug_shows_the_traceback_of_a_users_mistake(tmp_path):
    missing = str(tmp_path / "nope.json")
    plain = subprocess.run([sys.executable, "-m", "scratchpong", "eval", "--checkpoint", missing],
                           capture_output=True, text=True, timeout=60)
    assert plain.returncode == 2 and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-m", "scratchpong", "eval", "--checkpoint", missing],
                           capture_output=True, text=True, timeout=60, env={"SCRATCHPONG_DEBUG": "1", "PATH": ""})
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "does not exist" in debug.stderr


@pytest.mark.parametrize("argv0, expected", [
    (".venv/bin/scratchpong", ".venv/bin/scratchpong"),  # the README's flow: not on PATH, typed as a path
    ("/nowhere/on/path/scratchpong", "/nowhere/on/path/scratchpong"),
])
def test_next_commands_are_spelled_the_way_scratchpong_was_started(monkeypatch, argv0, expected):
    monkeypatch.setattr(sys, "argv", [argv0])
    monkeypatch.setenv("PATH", "")
    assert args.program() == expected
    hint = cli.next_steps(Path("demo.ckpt.json"), "demo.csv", TrainConfig(episodes=800), 800, finished=True)
    assert hint.splitlines()[0].endswith(f"{expected} train --resume --checkpoint demo.ckpt.json --episodes 1800 "
                                         "--log demo.csv")


def test_python_dash_m_is_spelled_as_such(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/somewhere/scratchpong/__main__.py"])
    assert args.program().endswith(" -m scratchpong")


def test_a_program_found_on_path_is_spelled_by_its_name(monkeypatch, tmp_path):
    exe = tmp_path / "scratchpong"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "argv", [str(exe)])
    assert args.program() == "scratchpong"


def test_the_resume_hint_repeats_the_evaluation_flags():
    import argparse

    ns = argparse.Namespace(eval_every=500, eval_games=10, eval_log=None, keep_evaluated=False)
    hint = cli.next_steps(Path("k.ckpt.json.gz"), "k.csv", TrainConfig(), 799, finished=False, evals=cli.eval_flags(ns))
    assert hint.endswith("train --resume --checkpoint k.ckpt.json.gz --log k.csv --eval-every 500 --eval-games 10")
    assert cli.eval_flags(argparse.Namespace(eval_every=0, eval_games=20, eval_log=None, keep_evaluated=False)) == ""


def test_the_resume_hint_of_a_timed_run_repeats_its_budget_and_the_next_one_counts_from_the_time_spent():
    hint = cli.next_steps(Path("l.json"), None, TrainConfig(minutes=20.0), 900, finished=False)
    assert hint.endswith("train --resume --checkpoint l.json --minutes 20.0")
    hint = cli.next_steps(Path("l.json"), None, TrainConfig(minutes=60.0, episodes=800), 800, True, seconds=660.0)
    assert "--minutes 21.0 --episodes 1800" in hint.splitlines()[0]  # 11 minutes spent, 10 more
