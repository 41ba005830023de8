"""`scratchpong play`, `eval` and `plot` end to end on a tiny checkpoint, and their one-line errors."""

from __future__ import annotations

import argparse
import importlib.machinery
import json
import statistics
import sys
import types
from pathlib import Path

import pytest
from PIL import Image

from scratchpong.commands import agent, play
from scratchpong.commands.cli import main
from scratchpong.config import TrainConfig
from scratchpong.frames import HEIGHT, WIDTH, Frames
from scratchpong.runlog import LOG_FIELDS
from scratchpong.train import TrainState

LOG = ",".join(LOG_FIELDS) + "\n1,800,-21,-21.0000,1.50\n2,950,-20,-20.9900,3.10\n3,1020,-19,-20.9701,4.80\n"


@pytest.fixture
def tiny(tmp_path):
    """A freshly initialized 4-hidden-unit network on 40x40 inputs, saved as a checkpoint."""
    path = tmp_path / "tiny.ckpt.json"
    TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=1)).save(path)
    return str(path)


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "run.csv"
    path.write_text(LOG)
    return str(path)


def one_line_error(capsys, argv: list[str]) -> str:
    """Run the CLI expecting a user error: exit 2 and one line on stderr, no traceback. Returns the line."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


# ---------------------------------------------------------------------- play


@pytest.mark.parametrize("every, frames", [(1, 31), (2, 16), (4, 9)])  # 30 steps: the reset frame + 30, last kept
def test_play_writes_a_gif_of_the_game_with_a_score_bar(tiny, tmp_path, capsys, every, frames):
    gif = tmp_path / "game.gif"
    argv = ["play", "--checkpoint", tiny, "--max-steps", "30", "--gif", str(gif), "--gif-every", str(every)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "episode 1: score" in out and "in 30 steps" in out
    with Image.open(gif) as im:
        assert im.n_frames == frames
        assert im.size == (WIDTH, play.BAR_HEIGHT + HEIGHT)


def test_the_score_bar_is_drawn_above_the_game():
    black_game = bytes(WIDTH * HEIGHT * 3)
    plain = play.frame_image(black_game, ("", "")).convert("RGB")
    captioned = play.frame_image(black_game, ("won 3  lost 21", "ep 1  step 40")).convert("RGB")
    bar = (0, 0, WIDTH, play.BAR_HEIGHT)
    assert plain.crop(bar).getbbox() is None  # all black
    assert captioned.crop(bar).getbbox() is not None  # text
    assert captioned.crop((0, play.BAR_HEIGHT, WIDTH, play.BAR_HEIGHT + HEIGHT)).getbbox() is None


def test_play_saliency_paints_the_gif(tiny, tmp_path, capsys):
    gif = tmp_path / "saliency.gif"
    assert main(["play", "--checkpoint", tiny, "--max-steps", "20", "--gif", str(gif), "--saliency"]) == 0
    with Image.open(gif) as im:
        assert im.n_frames == 11 and im.size == (WIDTH, play.BAR_HEIGHT + HEIGHT)
    assert "--gif" in one_line_error(capsys, ["play", "--checkpoint", tiny, "--saliency"])


def test_saliency_is_red_towards_up_blue_towards_down_and_leaves_the_objects_visible():
    field = bytes([144, 72, 17] * (WIDTH * HEIGHT))  # an empty brown field
    image = play.frame_image(field, ("", ""))
    s = [0.0] * 1600
    s[0], s[1] = 1.0, -1.0  # top-left pixels of the 40x40 input: pushes UP, pushes DOWN
    painted = play.paint_saliency(image, s, Frames(4, pool=False)).convert("RGB")
    up = painted.getpixel((1, play.BAR_HEIGHT + 35 + 1))
    down = painted.getpixel((5, play.BAR_HEIGHT + 35 + 1))
    zero = painted.getpixel((80, play.BAR_HEIGHT + 100))
    assert up[0] > 200 > up[2] and down[2] > 200 > down[0] and max(zero) < 60
    paddle = bytearray(field)
    paddle[(100 * WIDTH + 140) * 3 : (100 * WIDTH + 140) * 3 + 3] = bytes([92, 186, 92])
    painted = play.paint_saliency(play.frame_image(bytes(paddle), ("", "")), s, Frames(4, pool=False)).convert("RGB")
    assert painted.getpixel((140, play.BAR_HEIGHT + 100))[1] > 150  # the green paddle pixel shows through


@pytest.mark.parametrize("pool, first_row", [(False, 35), (True, 34)])
def test_saliency_starts_on_the_first_row_prepro_reads(pool, first_row):
    """Unpooled input starts at pg-pong's row 35, pooled input at the field's row 34: the paint must follow."""
    image = play.frame_image(bytes([144, 72, 17] * (WIDTH * HEIGHT)), ("", ""))
    s = [0.0] * 1600
    s[0] = 1.0
    painted = play.paint_saliency(image, s, Frames(4, pool=pool)).convert("RGB")
    assert painted.getpixel((1, play.BAR_HEIGHT + first_row))[0] > 200
    assert painted.getpixel((1, play.BAR_HEIGHT + first_row - 1))[0] < 100


def test_play_without_pygame_says_how_to_get_it(tiny, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pygame", None)
    assert "scratchpong[render]" in one_line_error(capsys, ["play", "--checkpoint", tiny, "--render"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the DISPLAY check is for Linux")
def test_play_without_a_display_says_so(tiny, capsys, monkeypatch):
    fake = types.ModuleType("pygame")
    fake.__spec__ = importlib.machinery.ModuleSpec("pygame", None)
    monkeypatch.setitem(sys.modules, "pygame", fake)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert "display" in one_line_error(capsys, ["play", "--checkpoint", tiny, "--render"])


# ---------------------------------------------------------------------- eval


def run_eval_json(capsys, tiny: str, *extra: str) -> dict:
    argv = ["eval", "--checkpoint", tiny, "--episodes", "2", "--max-steps", "50", "--json", "--no-progress", *extra]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_eval_json_reports_every_field_consistently(tiny, capsys):
    r = run_eval_json(capsys, tiny, "--seed", "3")
    assert {"episodes", "mean", "std", "points_won", "points_lost", "games_won", "scores", "greedy", "seed",
            "env"} <= set(r)
    assert (r["episodes"], r["greedy"], r["seed"], r["env"]) == (2, False, 3, "ALE/Pong-v5")
    assert len(r["scores"]) == 2
    assert r["mean"] == pytest.approx(statistics.fmean(r["scores"]))
    assert r["std"] == pytest.approx(statistics.pstdev(r["scores"]))
    assert r["points_won"] - r["points_lost"] == pytest.approx(sum(r["scores"]))
    assert r["games_won"] == sum(1 for s in r["scores"] if s > 0)


def test_eval_replays_the_same_games_for_the_same_seed(tiny, capsys):
    assert run_eval_json(capsys, tiny, "--greedy") == run_eval_json(capsys, tiny, "--greedy")


def test_eval_untrained_plays_the_weights_a_preset_s_training_starts_from(tmp_path, capsys):
    """`--untrained PRESET`, the random player's baseline, is the fresh checkpoint of `train --preset PRESET`."""
    from scratchpong.config import preset

    fresh = tmp_path / "fresh.ckpt.json"
    TrainState.new(preset("demo")).save(fresh)
    argv = ["--episodes", "2", "--max-steps", "40", "--seed", "3", "--json", "--no-progress"]
    assert main(["eval", "--untrained", "demo", *argv]) == 0
    untrained = json.loads(capsys.readouterr().out)
    assert main(["eval", "--checkpoint", str(fresh), *argv]) == 0
    assert untrained == json.loads(capsys.readouterr().out)
    assert untrained["env"] == "ALE/Pong-v5"
    chosen = agent.chosen_policy(argparse.Namespace(untrained="demo", checkpoint=None, pretrained=None))
    assert chosen[1:] == agent.load_policy(str(fresh), None)[1:]  # the same W1 and W2, not just the same scores


def test_eval_untrained_is_one_source_among_three(tiny, capsys):
    with pytest.raises(SystemExit) as e:
        main(["eval", "--untrained", "demo", "--checkpoint", tiny])
    assert e.value.code == 2 and "not allowed with" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["eval", "--untrained", "demos"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--episodes", "--max-steps"])
def test_eval_rejects_negative_counts(tiny, capsys, flag):
    with pytest.raises(SystemExit) as e:
        main(["eval", "--checkpoint", tiny, flag, "-3"])
    assert e.value.code == 2
    assert "must be >= 1" in capsys.readouterr().err


# ---------------------------------------------------------------------- the policy's checkpoint


@pytest.mark.parametrize("command", ["play", "eval"])
def test_a_missing_checkpoint_says_how_to_get_one(tmp_path, capsys, monkeypatch, command):
    err = one_line_error(capsys, [command, "--checkpoint", str(tmp_path / "nope.json")])
    assert "does not exist" in err and "scratchpong train --preset demo" in err and "--pretrained" in err
    monkeypatch.chdir(tmp_path)  # no scratchpong.ckpt.json here
    assert "scratchpong train --preset demo" in one_line_error(capsys, [command])


@pytest.mark.parametrize("command", ["play", "eval"])
def test_a_truncated_checkpoint_is_a_one_line_error(tiny, tmp_path, capsys, command):
    bad = tmp_path / "bad.ckpt.json"
    bad.write_bytes(Path(tiny).read_bytes()[:300])
    assert "not valid JSON" in one_line_error(capsys, [command, "--checkpoint", str(bad)])


def test_a_missing_pretrained_agent_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(agent, "PRETRAINED_DIR", tmp_path)
    assert "no shipped agent 'pong'" in one_line_error(capsys, ["eval", "--pretrained"])
    assert "no shipped agent 'nope'" in one_line_error(capsys, ["eval", "--pretrained", "nope"])


def test_a_pretrained_agent_loads_from_the_shipped_folder(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(agent, "PRETRAINED_DIR", tmp_path)
    (tmp_path / "pong.json.gz").write_bytes(Path(tiny).read_bytes())
    config, W1, W2 = agent.load_policy(None, pretrained="pong")
    assert (config.hidden, len(W1), len(W2)) == (4, 1600, 4)


# ---------------------------------------------------------------------- plot


def test_plot_writes_a_png_of_several_runs(log, tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="plot needs the optional extra scratchpong[plot]")
    other = tmp_path / "other.csv"
    other.write_text(LOG)
    png = tmp_path / "curve.png"
    assert main(["plot", log, str(other), "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "run.csv" in capsys.readouterr().out


def test_summarize_counts_points_and_games_and_takes_the_population_std():
    from scratchpong.episode import Trajectory
    from scratchpong.evaluation import summarize

    ev = summarize([Trajectory(rewards=[1.0, 0.0, 1.0]), Trajectory(rewards=[-1.0, 0.0]), Trajectory(rewards=[0.0])])
    assert (ev.episodes, ev.points_won, ev.points_lost, ev.games_won, ev.scores) == (3, 2, 1, 1, [2.0, -1.0, 0.0])
    assert ev.mean == pytest.approx(1 / 3) and ev.std == pytest.approx((14 / 9) ** 0.5)  # over 3, not 2


def test_a_weights_file_of_the_wrong_shape_is_refused_in_one_line(tmp_path, capsys):
    from scratchpong.checkpoint import CheckpointError, load_weights, save_weights

    config = TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4)
    W1, W2 = [[0.0, 0.0] for _ in range(config.frames.size)], [0.0, 0.0]
    save_weights(tmp_path / "ok.json", config, 0, W1, W2)
    assert load_weights(tmp_path / "ok.json")[1:] == (W1, W2)
    save_weights(tmp_path / "short.json", config, 0, W1[:-1], W2)
    with pytest.raises(CheckpointError, match=r"W1 should have shape \(1600, 2\), got"):
        load_weights(tmp_path / "short.json")
    assert main(["eval", "--checkpoint", str(tmp_path / "short.json"), "--episodes", "1"]) == 2
    assert "W1 should have shape" in capsys.readouterr().err


def test_mean100_is_the_mean_of_the_last_episodes():
    from scratchpong.commands.plot import mean_of_last

    assert mean_of_last([1.0, 2.0, 3.0, 4.0], window=2) == [1.0, 1.5, 2.5, 3.5]
    assert mean_of_last([-21.0] * 150)[-1] == -21.0


def test_plot_draws_the_greedy_evaluations_logged_beside_the_run(log, tmp_path, capsys):
    from scratchpong.commands.plot import eval_log_of
    from scratchpong.runlog import EVAL_FIELDS

    (tmp_path / "run.eval.csv").write_text(",".join(EVAL_FIELDS) + "\n3,20,-20.5000,0.5000,0,10,420,4.80,30.00\n")
    assert eval_log_of(log)["mean"] == [-20.5]
    assert main(["plot", log, "-o", str(tmp_path / "curve.png")]) == 0
    assert (tmp_path / "curve.png").stat().st_size > 10_000


def test_plot_draws_a_run_whose_first_evaluation_has_not_come_yet(log, tmp_path):
    from scratchpong.commands.plot import eval_log_of
    from scratchpong.runlog import EVAL_FIELDS

    (tmp_path / "run.eval.csv").write_text(",".join(EVAL_FIELDS) + "\n")  # what training writes before it
    assert eval_log_of(log) is None
    assert main(["plot", log, "-o", str(tmp_path / "curve.png")]) == 0


def test_plot_table_needs_no_matplotlib_and_averages_the_last_episodes(log, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["plot", log, "--table", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "run.csv"
    assert lines[2].split() == ["2", "-20.50", "-20.99", "875", "3", "s"]  # mean of episodes 1-2; 3.1 s
    assert lines[3].split() == ["3", "-20.00", "-20.97", "923", "5", "s"]  # the last, partial stretch
    assert lines[4] == "mean100 first >= -15 not yet; >= -10 not yet; >= -5 not yet; >= 0 not yet"


def test_crossings_name_the_first_episode_at_each_level():
    from scratchpong.commands.plot import crossings_line

    rewards = [-21.0] * 100 + [-5.0] * 100 + [3.0] * 100  # mean100: -21, then rising through -15, -10, -5 to 3
    log = {"episode": [float(k + 1) for k in range(300)], "reward": rewards, "seconds": [60.0 * k for k in range(300)]}
    assert crossings_line(log) == ("mean100 first >= -15 at episode 138 (2.3 h); >= -10 at episode 169 (2.8 h); "
                                   ">= -5 at episode 200 (3.3 h); >= 0 at episode 263 (4.4 h)")


def test_plot_without_matplotlib_says_how_to_get_it(log, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    err = one_line_error(capsys, ["plot", log, "-o", str(tmp_path / "c.png")])
    assert "matplotlib is not installed: pip install 'scratchpong[plot]'" in err


@pytest.mark.parametrize("text, problem", [
    (None, "does not exist"),
    ("episode,steps,reward\n1,800,-21\n", "no column running_reward, seconds"),
    (",".join(LOG_FIELDS) + "\n1,800,lots,-21.0,1.5\n", "line 2: reward is 'lots', not a number"),
    (",".join(LOG_FIELDS) + "\n1,800,-21\n", "line 2: the running_reward cell is missing"),
    (",".join(LOG_FIELDS) + "\n", "no episodes"),
])
def test_a_bad_log_is_a_one_line_error_naming_the_file(tmp_path, capsys, text, problem):
    path = tmp_path / "run.csv"
    if text is not None:
        path.write_text(text)
    err = one_line_error(capsys, ["plot", str(path), "-o", str(tmp_path / "c.png")])
    assert str(path) in err and problem in err


def test_play_refuses_a_gif_path_that_is_a_folder_before_playing(tiny, tmp_path, capsys):
    folder = tmp_path / "games.gif"
    folder.mkdir()
    err = one_line_error(capsys, ["play", "--checkpoint", tiny, "--gif", str(folder)])
    assert "is a folder" in err


def test_play_never_writes_its_gif_over_a_file_that_is_not_a_gif(tiny, tmp_path, capsys):
    before = Path(tiny).read_bytes()
    assert "must end in .gif" in one_line_error(capsys, ["play", "--checkpoint", tiny, "--gif", tiny])
    assert Path(tiny).read_bytes() == before


@pytest.mark.parametrize("out, problem", [("c.xyz", "writes no format by the ending '.xyz'"),
                                          ("run.csv", "writes no format by the ending '.csv'"),
                                          ("noext", "writes no format by the ending '(none)'"),
                                          (".", "it is a folder"), ("no/dir/c.png", "its folder does not exist")])
def test_plot_refuses_an_output_it_cannot_write_before_reading_the_logs(log, tmp_path, monkeypatch, capsys, out,
                                                                         problem):
    pytest.importorskip("matplotlib", reason="plot needs the optional extra scratchpong[plot]")
    monkeypatch.chdir(tmp_path)
    before = Path(log).read_text()
    assert problem in one_line_error(capsys, ["plot", log, "-o", out])
    assert Path(log).read_text() == before and sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]


def test_plot_refuses_a_log_given_twice(log, tmp_path, capsys):
    assert "given twice" in one_line_error(capsys, ["plot", log, log, "-o", str(tmp_path / "c.png")])


def test_walkthrough_never_overwrites_a_file_that_is_not_a_walkthrough(tmp_path, capsys):
    other = tmp_path / "notes.md"
    other.write_text("my notes")
    err = one_line_error(capsys, ["walkthrough", "--write", str(other)])
    assert "is not a walkthrough" in err and other.read_text() == "my notes"


# ---------------------------------------------------------------------- a pooled agent is seen as it was trained

@pytest.mark.parametrize("argv", [
    ["eval", "--episodes", "1", "--max-steps", "20", "--no-progress"],
    ["play", "--max-steps", "20", "--gif", "GIF"],
    ["play", "--max-steps", "20", "--gif", "GIF", "--saliency"],
    ["compare", "--step", "5", "-o", "PNG"],
    ["ship", "-o", "OUT", "--frames", "20"],
])
def test_every_command_feeds_a_pooled_agent_pooled_frames(tmp_path, monkeypatch, argv):
    from scratchpong import frames

    path = tmp_path / "pooled.ckpt.json"
    TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=1, pool=True)).save(path)
    seen = []

    prepro = frames.prepro

    def spy(obs, downscale=2, pool=False):
        seen.append(pool)
        return prepro(obs, downscale, pool)

    monkeypatch.setattr(frames, "prepro", spy)  # every agent's frames go through `Frames.prepro`, which calls it
    where = {"GIF": str(tmp_path / "p.gif"), "PNG": str(tmp_path / "c.png"), "OUT": str(tmp_path / "w.json.gz")}
    argv = [where.get(a, a) for a in argv]
    argv[1:1] = [str(path)] if argv[0] in ("compare", "ship") else ["--checkpoint", str(path)]
    assert main(argv) == 0
    assert seen and all(seen)
