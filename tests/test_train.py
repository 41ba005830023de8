"""`scratchpong train` on real Pong with a tiny network: checkpoints, exact resume, and every bad input."""

import csv
import gzip
import json
import re
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scratchpong import checkpoint
from scratchpong.commands.cli import main
from scratchpong.config import PRESETS, TrainConfig
from scratchpong.train import TrainState

TINY = ["--env", "ALE/Pong-v5", "--hidden", "4", "--downscale", "4", "--batch-size", "3", "--seed", "5",
        "--no-progress"]


def train(tmp_path, name, *extra):
    return main(["train", *TINY, "--checkpoint", str(tmp_path / name), *extra])


def weights(path):
    s = TrainState.load(path)
    return s.W1, s.W2, s.cache_W1, s.cache_W2, s.grad_W1, s.grad_W2, s.episode, s.running_reward


@pytest.mark.parametrize("first, then", [("1", "1"), ("2", "1"), ("1", "2")])
def test_n_then_resume_m_equals_n_plus_m_bit_for_bit_with_any_workers(tmp_path, first, then):
    assert train(tmp_path, "once.json", "--episodes", "5", "--workers", "1") == 0
    assert train(tmp_path, "split.json", "--episodes", "2", "--workers", first) == 0  # stops mid-batch...
    assert TrainState.load(tmp_path / "split.json").grad_W1  # ...so a part-summed gradient is saved
    assert train(tmp_path, "split.json", "--episodes", "5", "--resume", "--workers", then) == 0
    assert weights(tmp_path / "once.json") == weights(tmp_path / "split.json")


def test_ctrl_c_saves_the_episodes_played_and_returns(tmp_path):
    from scratchpong import runner
    from scratchpong import train as training

    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4, batch_size=3, episodes=10))

    def collect(st, episodes):
        for n in episodes:
            if n == 2:
                raise KeyboardInterrupt  # as if Ctrl-C came while episode 2 was playing
            yield training.EpisodeResult(n, -21.0, 100, {0: [1.0, 2.0]}, [0.5, 0.5])

    path = tmp_path / "c.json"
    assert runner.run_training(state, collect, path, progress=False) is False
    saved = TrainState.load(path)
    assert saved.episode == 2 and saved.batch_episodes == 2 and saved.grad_W1 == {0: [2.0, 4.0]}


def test_the_running_reward_is_pg_pongs_exponential_mean():
    from scratchpong import train as training

    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4, batch_size=5))
    for n, reward in enumerate((-21.0, -19.0)):
        state.add_episode(training.EpisodeResult(n, reward, 100, {}, [0.0, 0.0]))
    assert state.running_reward == -21.0 * 0.99 + -19.0 * 0.01  # the first episode starts it


def test_a_run_saves_every_save_every_episodes_on_the_way(tmp_path):
    from scratchpong import runner

    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4, batch_size=2, episodes=6))
    path, on_disk = tmp_path / "s.json", []

    def collect(st, episodes):
        for result in fake_results(st, episodes):
            on_disk.append(TrainState.load(path).episode if path.exists() else None)  # as a crash would leave it
            yield result

    assert runner.run_training(state, collect, path, save_every=3, progress=False)
    assert on_disk == [None, None, None, 3, 3, 3] and TrainState.load(path).episode == 6  # and at the end


def test_an_evaluation_row_holds_what_its_games_scored_and_the_training_time(tmp_path, monkeypatch):
    from scratchpong import env, runner
    from scratchpong.episode import Trajectory

    games = [Trajectory(rewards=[1.0, -1.0, 1.0]), Trajectory(rewards=[-1.0, 0.0, -1.0])]  # +1 and -2
    monkeypatch.setattr(env, "make_env", lambda env_id: None)
    monkeypatch.setattr(runner, "play_episodes", lambda *args, **kwargs: iter(games))
    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4, batch_size=2, episodes=2))
    state.seconds = 1000.0  # trained for 1,000 s before this
    evals = runner.Evals(2, tmp_path / "e.csv", games=2)
    assert runner.run_training(state, fake_results, tmp_path / "s.json", progress=False, evals=evals)
    with open(tmp_path / "e.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert {k: float(row[k]) for k in ("episode", "games", "mean", "std", "games_won", "points_won", "points_lost")} \
        == {"episode": 2, "games": 2, "mean": -0.5, "std": 1.5, "games_won": 1, "points_won": 2, "points_lost": 3}
    assert float(row["seconds"]) >= 1000.0 > float(row["eval_seconds"])


def fake_results(st, episodes):
    """A collector that plays nothing: each episode loses 21-0 with a small, fixed gradient."""
    from scratchpong import train as training

    for n in episodes:
        yield training.EpisodeResult(n, -21.0, 100, {0: [1.0, 1.0]}, [0.5, 0.5])


def tick(st, result):
    st.seconds += 25.0  # each episode takes 25 s of training


def test_a_time_budget_stops_at_the_first_whole_batch_after_it_is_spent():
    from scratchpong import train as training

    # episodes=20 only so that a budget that is ignored fails here instead of running forever
    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4, batch_size=2, minutes=1.0,
                                       episodes=20))
    training.train(state, fake_results, tick)  # the minute is spent during episode 3, in the second batch
    assert state.episode == 4 and state.batch_episodes == 0  # the second batch is finished, not cut
    assert state.budget_spent()


def test_a_run_resumed_mid_batch_after_its_time_is_spent_finishes_that_batch_only():
    from scratchpong import train as training

    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=2, downscale=4, batch_size=2, minutes=1.0,
                                       episodes=20))
    state.episode, state.batch_episodes, state.seconds = 1, 1, 120.0  # saved by Ctrl-C in a batch's middle
    assert not state.budget_spent()
    training.train(state, fake_results, tick)
    assert state.episode == 2 and state.batch_episodes == 0 and state.budget_spent()


def test_the_time_budget_is_minutes_of_training_and_a_resume_can_raise_it(tmp_path, capsys):
    assert train(tmp_path, "t.json", "--minutes", "0.0001", "--log", str(tmp_path / "t.csv")) == 0
    out = capsys.readouterr().out
    assert "to 0.0001 minutes of training" in out and re.search(r"--minutes 10\.\d ", out)  # 10 past the time spent
    assert TrainState.load(tmp_path / "t.json").episode == 3  # one whole batch: the budget is checked between them
    assert train(tmp_path, "t.json", "--resume") == 0
    assert "minutes of training are spent already" in capsys.readouterr().out
    assert train(tmp_path, "t.json", "--resume", "--minutes", "10", "--episodes", "4") == 0
    assert TrainState.load(tmp_path / "t.json").episode == 4


def test_smoke_the_real_command_writes_log_and_checkpoint_then_resumes(tmp_path):
    ckpt, log = tmp_path / "run.json.gz", tmp_path / "run.csv"
    cmd = [sys.executable, "-m", "scratchpong", "train", *TINY, "--checkpoint", str(ckpt), "--log", str(log)]
    first = subprocess.run([*cmd, "--episodes", "1"], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "--resume" in first.stdout  # it says what to run next
    assert gzip.decompress(ckpt.read_bytes())[:1] == b"{"
    again = subprocess.run([*cmd, "--episodes", "2", "--resume"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    with open(log, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["episode"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {"episode", "steps", "reward", "running_reward", "seconds"}
    assert int(rows[0]["steps"]) > 100 and -21 <= float(rows[0]["reward"]) <= 21
    assert TrainState.load(ckpt).episode == 2


def test_resume_drops_log_rows_after_the_checkpoint_and_says_so(tmp_path, capsys):
    log = tmp_path / "run.csv"
    assert train(tmp_path, "run.json", "--episodes", "1", "--log", str(log)) == 0
    with open(log, "a") as f:
        f.write("2,999,-21,-21.0,1.0\n")  # an episode logged after the last save, then a crash
    capsys.readouterr()
    assert train(tmp_path, "run.json", "--episodes", "2", "--resume", "--log", str(log)) == 0
    assert "1 row(s) after episode 1, the checkpoint's, dropped" in capsys.readouterr().out
    with open(log, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["episode"] for r in rows] == ["1", "2"] and rows[1]["steps"] != "999"
    assert b"\r" not in log.read_bytes()  # the rewritten rows end as the appended ones do, in one style


def test_checkpoint_round_trip_is_exact(tmp_path):
    state = TrainState.new(TrainConfig(hidden=3, downscale=4, seed=2))
    state.grad_W1 = {7: [0.1, -0.2, 1e-300]}
    state.grad_W2 = [1 / 3, 2 / 3, -1e-17]
    state.running_reward, state.episode, state.batch_episodes = -20.123456789, 4, 4
    state.cache_W1[5][1], state.cache_W2, state.seconds = 0.25, [1e-9, 0.0, 3.5], 1234.5  # RMSProp's memory, time
    for name in ("a.json", "a.json.gz"):
        state.save(tmp_path / name)
        assert TrainState.load(tmp_path / name) == state


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30)


@given(JSON)
def test_a_checkpoint_written_row_by_row_is_the_text_json_dumps_gives(obj):
    assert "".join(checkpoint.json_chunks(obj)) == json.dumps(obj, allow_nan=False, separators=(",", ":"))


def test_the_row_by_row_writer_refuses_what_json_would_refuse(tmp_path):
    with pytest.raises(ValueError):
        "".join(checkpoint.json_chunks({"W1": [[0.0, float("nan")]]}))
    with pytest.raises(TypeError):
        "".join(checkpoint.json_chunks({7: [0.0]}))  # json.dumps would quietly make the key "7"
    with pytest.raises(ValueError):
        checkpoint.save(tmp_path / "c.json", {"W2": [float("inf")]})
    assert list(tmp_path.iterdir()) == []  # nothing half-written is left behind


def test_a_gzip_checkpoint_holds_the_same_text_as_a_plain_one(tmp_path):
    state = TrainState.new(TrainConfig(hidden=3, downscale=4, seed=2))
    state.grad_W1 = {7: [0.1, -0.2, 1e-300]}
    state.save(tmp_path / "a.json")
    state.save(tmp_path / "a.json.gz")
    text = (tmp_path / "a.json").read_bytes()
    assert gzip.decompress((tmp_path / "a.json.gz").read_bytes()) == text
    assert json.dumps(json.loads(text), separators=(",", ":")).encode() == text


def test_an_existing_log_is_never_overwritten_without_resume(tmp_path, capsys):
    log = tmp_path / "old.csv"
    log.write_text("precious")
    assert train(tmp_path, "new.json", "--episodes", "1", "--log", str(log)) == 2
    assert log.read_text() == "precious" and "already exists" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--log", "--eval-log"])
@pytest.mark.parametrize("content", [b"my notes,about,pong\n1,2,3\n", bytes(range(256)), b'a,"b\x00\n'])
def test_resume_refuses_a_log_that_is_not_a_training_log(tmp_path, capsys, flag, content):
    assert train(tmp_path, "run.json", "--episodes", "1") == 0
    notes = tmp_path / "notes.txt"
    notes.write_bytes(content)
    assert train(tmp_path, "run.json", "--episodes", "2", "--resume", flag, str(notes), "--eval-every", "3") == 2
    assert notes.read_bytes() == content
    err = capsys.readouterr().err
    assert "is not the scratchpong log expected here" in err and err.count("\n") == 1


@pytest.mark.parametrize("same", [["--log", "run.json"], ["--log", "run.csv", "--eval-log", "run.csv"],
                                  ["--eval-log", "./run.json"]])
def test_the_checkpoint_and_the_logs_must_be_three_files(tmp_path, monkeypatch, capsys, same):
    monkeypatch.chdir(tmp_path)
    assert main(["train", *TINY, "--episodes", "1", "--checkpoint", "run.json", "--eval-every", "3", *same]) == 2
    assert "are the same file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where, problem", [("no/such/dir/c.json", "its folder does not exist"), (".", "is a folder")])
def test_a_checkpoint_that_cannot_be_written_is_refused_before_training(tmp_path, monkeypatch, capsys, where, problem):
    monkeypatch.chdir(tmp_path)
    assert main(["train", *TINY, "--episodes", "1", "--checkpoint", where]) == 2
    assert problem in capsys.readouterr().err


def test_an_existing_checkpoint_is_never_overwritten_without_resume(tmp_path, capsys):
    path = tmp_path / "keep.json"
    path.write_text("precious")
    assert train(tmp_path, "keep.json", "--episodes", "1") == 2
    assert path.read_text() == "precious"
    err = capsys.readouterr().err
    assert "already exists" in err and "--resume" in err


def valid_checkpoint_dict():
    state = TrainState.new(TrainConfig(hidden=2, downscale=4))
    return json.loads(json.dumps({
        "format": checkpoint.FORMAT, "version": checkpoint.VERSION, "config": checkpoint.config_to_json(state.config),
        "episode": 0, "batch_episodes": 0, "running_reward": None, "seconds": 0.0, "W1": state.W1, "W2": state.W2,
        "cache_W1": state.cache_W1, "cache_W2": state.cache_W2, "grad_W1": {}, "grad_W2": state.grad_W2,
    }))


def corrupt(kind):
    d = valid_checkpoint_dict()
    text = json.dumps(d)
    return {
        "empty": b"",
        "truncated": text[: len(text) // 2].encode(),
        "not ours": b'{"hello": "world"}',
        "a list": b"[1, 2, 3]",
        "newer version": json.dumps({**d, "version": 99}).encode(),
        "wrong shape": json.dumps({**d, "W1": d["W1"][:-1]}).encode(),
        "short row": json.dumps({**d, "W2": [0.5]}).encode(),
        "nan": text.replace(str(d["W2"][0]), "NaN", 1).encode(),
        "infinity": text.replace(str(d["W2"][0]), "Infinity", 1).encode(),
        "string weight": json.dumps({**d, "W2": ["x", 1.0]}).encode(),
        "negative cache": json.dumps({**d, "cache_W2": [-1.0, 0.0]}).encode(),
        "bad config": json.dumps({**d, "config": {**d["config"], "hidden": "many"}}).encode(),
        "bad grad row": json.dumps({**d, "grad_W1": {"99999": [0.0, 0.0]}}).encode(),
        "negative episode": json.dumps({**d, "episode": -3}).encode(),
        "damaged gzip": gzip.compress(text.encode())[:40],
        "corrupt gzip": gzip.compress(text.encode())[:20] + bytes(range(200)),
        "odd grad key": json.dumps({**d, "grad_W1": {"\u00b2": [0.0, 0.0]}}).encode(),
        "pool as a number": json.dumps({**d, "config": {**d["config"], "pool": 1}}).encode(),
        "hidden as a bool": json.dumps({**d, "config": {**d["config"], "hidden": True}}).encode(),
        "binary junk": bytes(range(256)),
        "nested too deep": b"[" * 200_000,
        "config without hidden": json.dumps({**d, "config": {k: v for k, v in d["config"].items() if k != "hidden"}})
        .encode(),
        "a 5,000-digit number": text.replace('"episode": 0', '"episode": ' + "9" * 5000, 1).encode(),
    }[kind]


@pytest.mark.parametrize("kind", ["empty", "truncated", "not ours", "a list", "newer version", "wrong shape",
                                  "short row", "nan", "infinity", "string weight", "negative cache", "bad config",
                                  "bad grad row", "negative episode", "damaged gzip", "corrupt gzip",
                                  "odd grad key", "binary junk", "pool as a number", "hidden as a bool",
                                  "nested too deep", "a 5,000-digit number", "config without hidden"])
def test_a_corrupt_checkpoint_gives_one_line_and_exit_2_and_stays_untouched(tmp_path, capsys, kind):
    path = tmp_path / "bad.json"
    path.write_bytes(corrupt(kind))
    before = path.read_bytes()
    assert main(["train", "--resume", "--checkpoint", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "bad.json" in err, err
    assert path.read_bytes() == before


def test_the_valid_dict_used_above_does_load(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(valid_checkpoint_dict()))
    assert TrainState.load(path).config.hidden == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--env", "Pong-v9", "--episodes", "1"], "unknown env id 'Pong-v9'"),
        (["train", "--resume", "--checkpoint", "no/such/file.json"], "does not exist"),
        (["train", "--resume", "--hidden", "8"], "trained with hidden=4"),
        (["train", "--lr", "-1"], "--lr must be > 0"),
        (["train", "--gamma", "2"], "--gamma must be in [0, 1]"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4)).save("scratchpong.ckpt.json")
    if "--resume" not in argv:
        (tmp_path / "scratchpong.ckpt.json").unlink()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err


@pytest.mark.parametrize("argv", [["train", "--episodes", "-5"], ["train", "--lr", "nan"], ["train", "--seed", "x"],
                                  ["train", "--minutes", "inf"]])
def test_values_that_do_not_parse_are_refused_by_argparse(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "--hidden", "0"], "--hidden must be in [1, 4096]"),
    (["train", "--hidden", "200000"], "--hidden must be in [1, 4096]"),  # 1.28 billion weights: no fit
    (["train", "--downscale", "3"], "downscale must be 2 (80x80) or 4 (40x40)"),
    (["train", "--batch-size", "0"], "--batch-size must be >= 1"),
    (["train", "--gamma", "1.5"], "--gamma must be in [0, 1]"),
    (["train", "--minutes", "0"], "--minutes must be > 0"),
    (["train", "--minutes", "-3"], "--minutes must be > 0"),
    (["train", "--env", "Pong-v9"], "unknown env id"),
])
def test_values_train_config_refuses_are_one_line_errors(tmp_path, argv, message, capsys):
    assert main([*argv, "--checkpoint", str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "c.json").exists()


def test_a_checkpoint_from_before_pooling_loads_as_unpooled(tmp_path):
    d = valid_checkpoint_dict()
    del d["config"]["pool"]
    (tmp_path / "old.json").write_text(json.dumps(d))
    assert TrainState.load(tmp_path / "old.json").config.pool is False


def test_pool_is_saved_and_a_resume_keeps_it(tmp_path, capsys):
    assert train(tmp_path, "p.json", "--episodes", "1", "--pool") == 0
    assert "40x40 pooled inputs" in capsys.readouterr().out
    assert TrainState.load(tmp_path / "p.json").config.pool is True
    assert train(tmp_path, "p.json", "--episodes", "2", "--resume", "--no-pool") == 2
    assert "trained with pool=True, not False" in capsys.readouterr().err
    assert train(tmp_path, "p.json", "--episodes", "2", "--resume") == 0
    assert TrainState.load(tmp_path / "p.json").config.pool is True


def test_already_done_says_so(tmp_path, capsys):
    assert train(tmp_path, "done.json", "--episodes", "1") == 0
    assert train(tmp_path, "done.json", "--episodes", "1", "--resume") == 0
    assert "nothing to do" in capsys.readouterr().out


def test_resume_with_a_preset_keeps_the_checkpoints_seed_and_refuses_another_network(tmp_path, capsys):
    path = tmp_path / "demo.json"
    TrainState.new(replace(PRESETS["demo"], seed=7)).save(path)
    assert main(["train", "--preset", "demo", "--resume", "--checkpoint", str(path), "--episodes", "0"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["train", "--preset", "karpathy", "--resume", "--checkpoint", str(path)]) == 2
    assert "trained with hidden=64, not 200; drop --preset" in capsys.readouterr().err
    TrainState.new(PRESETS["demo"]).save(path)  # a lesson-sized run from before pooling: the preset's --pool clashes
    assert main(["train", "--preset", "lesson", "--resume", "--checkpoint", str(path)]) == 2
    assert "trained with pool=False, not True; drop --preset" in capsys.readouterr().err


def test_sigterm_stops_a_run_like_ctrl_c_and_saves(tmp_path):
    import signal
    import time

    ckpt = tmp_path / "term.json"
    cmd = [sys.executable, "-m", "scratchpong", "train", *TINY, "--batch-size", "1", "--workers", "1",
           "--episodes", "500", "--checkpoint", str(ckpt)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # wait until a batch has been played
        if line.startswith("episode 1:"):
            break
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "interrupted at episode" in out and "--resume" in out
    assert 1 <= TrainState.load(ckpt).episode < 500


def test_greedy_evaluations_during_training_change_no_weight_and_resume_cleanly(tmp_path, capsys):
    log, evals = tmp_path / "run.csv", tmp_path / "run.eval.csv"
    assert train(tmp_path, "plain.json", "--episodes", "6") == 0
    assert train(tmp_path, "run.json", "--episodes", "3", "--log", str(log), "--eval-every", "3",
                 "--eval-games", "1") == 0
    assert "greedy evaluation at episode 3" in capsys.readouterr().out
    with open(evals, "a") as f:
        f.write("6,1,-5.0,0.0,0,16,21,9.9,1.0\n")  # written after the last save, then a crash
    assert train(tmp_path, "run.json", "--episodes", "6", "--resume", "--log", str(log), "--eval-every", "3",
                 "--eval-games", "1") == 0
    assert weights(tmp_path / "run.json") == weights(tmp_path / "plain.json")
    with open(evals, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["episode"] for r in rows] == ["3", "6"] and rows[1]["mean"] != "-5.0"
    assert all(r["games"] == "1" and -21 <= float(r["mean"]) <= 21 for r in rows)


def test_keep_evaluated_saves_the_weights_each_evaluation_scored(tmp_path, capsys):
    from scratchpong.checkpoint import load_weights

    log = tmp_path / "run.csv"
    assert train(tmp_path, "run.json", "--episodes", "3", "--log", str(log), "--eval-every", "3",
                 "--eval-games", "1") == 0
    assert train(tmp_path, "run.json", "--episodes", "6", "--resume", "--log", str(log), "--eval-every", "3",
                 "--eval-games", "1", "--keep-evaluated") == 0
    out = capsys.readouterr().out
    assert "--keep-evaluated" in out  # the resume hint repeats it
    assert not (tmp_path / "run.ep3.json.gz").exists()  # evaluated before --keep-evaluated was asked for
    config, W1, W2 = load_weights(tmp_path / "run.ep6.json.gz")
    state = TrainState.load(tmp_path / "run.json")  # the run ended at 6: the kept weights are its weights
    assert (W1, W2) == (state.W1, state.W2) and config == state.config


def test_keep_evaluated_needs_evaluations(tmp_path, capsys):
    assert train(tmp_path, "run.json", "--episodes", "3", "--keep-evaluated") == 2
    assert "give --eval-every" in capsys.readouterr().err


def test_evaluations_come_between_batches_so_their_interval_is_a_multiple_of_the_batch(tmp_path, capsys):
    assert train(tmp_path, "run.json", "--episodes", "3", "--log", str(tmp_path / "run.csv"), "--eval-every", "2") == 2
    err = capsys.readouterr().err
    assert "--eval-every 2 is not a multiple of the batch size (3)" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_evaluations_need_somewhere_to_go(tmp_path, capsys):
    assert train(tmp_path, "run.json", "--episodes", "3", "--eval-every", "3") == 2
    assert "--eval-every needs a file" in capsys.readouterr().err
    assert not (tmp_path / "run.json").exists()
