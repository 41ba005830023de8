"""`scratchpong gradcheck`: the derivation verified for several seeds and shapes, as a learner runs it."""

import json
import subprocess
import sys

import pytest

from scratchpong.commands.cli import main


@pytest.mark.parametrize("D, H, seed", [(1, 1, 0), (6, 4, 0), (6, 4, 1), (12, 12, 2), (3, 9, 3), (10, 2, 4)])
def test_gradcheck_passes_with_tiny_relative_error(capsys, D, H, seed):
    assert main(["gradcheck", "--inputs", str(D), "--hidden", str(H), "--seed", str(seed), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and [r["name"] for r in report["rows"]] == [
        "eq.1 dlogP/dL_op3", "eq.2 dlogP/dL_ip3", "eq.3 dlogP/dW2", "eq.4 dlogP/dL_op2", "eq.5 dlogP/dL_ip2",
        "eq.6 dlogP/dW1", "eq.7 dlogP/dx", "saliency dL_ip3/dx", "network dW1", "network dW2",
        "episode_gradient dW1", "episode_gradient dW2"]
    for row in report["rows"]:
        assert row["max_rel"] < 1e-6, row["name"]
        assert len(row["analytic"]) == len(row["numeric"])
    assert len(report["rows"][5]["analytic"]) == D * H  # eq.6 is the whole D×H matrix


def test_gradcheck_table_as_a_learner_sees_it():
    out = subprocess.run([sys.executable, "-m", "scratchpong", "gradcheck"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "all equations agree" in out.stdout
    for tag in ("eq.1", "eq.2", "eq.3", "eq.4", "eq.5", "eq.6", "network dW1", "network dW2", "episode_gradient dW1"):
        assert tag in out.stdout


def test_gradcheck_refuses_an_empty_network(capsys):
    with pytest.raises(SystemExit):
        main(["gradcheck", "--inputs", "0"])
    assert "must be >= 1" in capsys.readouterr().err
