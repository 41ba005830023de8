"""`scratchpong bench` end to end with a tiny budget: it prints figures, it asserts none (no timing checks here).

The bench runs the NumPy yardstick (../shared/reference/karpathy_numpy.py) as a separate child process to
measure it; this test imports no NumPy itself.
"""

import json

import pytest

from scratchpong.commands.bench import REFERENCE
from scratchpong.commands.cli import main


@pytest.mark.skipif(not REFERENCE.exists(), reason="no NumPy yardstick in ../shared/reference")
def test_bench_reports_every_figure_as_json(capsys):
    assert main(["bench", "--episodes", "1", "--env-steps", "50", "--workers", "2", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    for run in ("scratchpong", "scratchpong_2_workers", "numpy_reference"):
        assert r[run]["steps"] > 100 and r[run]["steps_per_s"] > 0 and r[run]["peak_rss_mib"] > 10
    assert r["scratchpong"]["steps"] == r["scratchpong_2_workers"]["steps"]  # the same episode, either way
    assert r["env_only_steps_per_s"] > 0 and r["rmsprop_update_seconds"] > 0
    assert r["forward"]["nonzero_pixels"] > 0 and r["forward"]["dense_over_sparse"] > 0
    parts = ("seeded_reset_us", "env_step_us", "prepro_us", "difference_us", "forward_us", "backward_us")
    assert r["per_step"]["steps"] > 100 and all(r["per_step"][p] > 0 for p in parts)
    assert r["speed_ratio"] == pytest.approx(r["scratchpong"]["steps_per_s"] / r["numpy_reference"]["steps_per_s"])


def test_bench_without_the_yardstick_is_a_one_line_error(tmp_path, capsys):
    assert main(["bench", "--reference", str(tmp_path / "nope.py")]) == 2
    err = capsys.readouterr().err
    assert "is not there" in err and err.count("\n") == 1
