"""`scratchpong bench` end to end with a tiny budget: it prints figures, it asserts none (no timing checks here).

The bench runs the NumPy yardstick (tests/reference/pg_pong_numpy.py, which ships with the source checkout) as a
separate child process to measure it; this test imports no NumPy itself.
"""

import json

import pytest

from scratchpong.commands.bench import REFERENCE, ratios, span
from scratchpong.commands.cli import main


def test_the_yardstick_ships_with_the_checkout():
    assert REFERENCE.is_file(), REFERENCE  # no skip: a renamed or moved yardstick must turn this red


def test_bench_reports_every_figure_of_each_round_as_json(capsys):
    assert main(["bench", "--episodes", "1", "--env-steps", "50", "--workers", "2", "--rounds", "1",
                 "--anatomy-batches", "1", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert len(r["rounds"]) == 1
    one = r["rounds"][0]
    for run in ("scratchpong", "scratchpong_workers", "numpy_reference"):
        assert one[run]["steps"] > 100 and one[run]["steps_per_s"] > 0 and one[run]["peak_rss_mib"] > 10
    assert one["scratchpong"]["steps"] == one["scratchpong_workers"]["steps"]  # the same episode, either way
    assert {"speed_ratio", "rss_ratio", "workers_speed_ratio", "workers_speedup"} <= set(one)
    a = r["batch_anatomy"]
    assert a["batch_size"] == 1 and a["play"] > 0 and a["wall"] > a["update"] > 0 and a["work_speedup"] > 0
    assert a["pickling"] > 0  # the first batch sends all of W1
    assert r["env_only_steps_per_s"] > 0 and r["rmsprop_update_seconds"] > 0
    assert r["forward"]["nonzero_pixels"] > 0 and r["forward"]["dense_over_sparse"] > 0
    parts = ("seeded_reset_us", "env_step_us", "prepro_us", "difference_us", "forward_us", "backward_us")
    assert r["per_step"]["steps"] > 100 and all(r["per_step"][p] > 0 for p in parts)


def test_the_ratios_of_a_round_divide_the_right_way_round():
    one = {"scratchpong": {"steps_per_s": 300.0, "peak_rss_mib": 70.0},
           "scratchpong_workers": {"steps_per_s": 540.0, "peak_rss_mib": 80.0},
           "numpy_reference": {"steps_per_s": 200.0, "peak_rss_mib": 100.0}}
    assert ratios(one) == pytest.approx({"speed_ratio": 1.5, "rss_ratio": 0.7, "workers_speed_ratio": 2.7,
                                         "workers_speedup": 1.8})
    assert "workers_speedup" not in ratios({k: v for k, v in one.items() if k != "scratchpong_workers"})


def test_a_span_of_ratios_reads_low_to_high():
    assert span([1.52, 1.31, 1.4]) == "1.31-1.52x" and span([1.5, 1.501]) == "1.50x"


def test_bench_without_the_yardstick_is_a_one_line_error(tmp_path, capsys):
    assert main(["bench", "--reference", str(tmp_path / "nope.py")]) == 2
    err = capsys.readouterr().err
    assert "is not there" in err and err.count("\n") == 1


def test_bench_checks_that_the_yardstick_runs_before_measuring(tmp_path, capsys):
    other = tmp_path / "other.py"
    other.write_text("raise SystemExit('not the yardstick')\n")
    assert main(["bench", "--reference", str(other), "--episodes", "1", "--rounds", "1"]) == 2
    err = capsys.readouterr().err
    assert "does not run" in err and "not the yardstick" in err and err.count("\n") == 1
