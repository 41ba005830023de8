"""`scratchpong weights` and `scratchpong compare`: the pictures of what the network learned and how it plays."""

from __future__ import annotations

import gzip
import json

import pytest
from PIL import Image

from scratchpong.commands import weights
from scratchpong.commands.cli import main
from scratchpong.config import TrainConfig
from scratchpong.train import TrainState


@pytest.fixture
def tiny(tmp_path):
    """A 4-unit network on 40x40 inputs whose unit 2 has the largest |W2_j| and unit 0 the largest column norm."""
    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=1))
    state.W2[:] = [0.1, -0.2, -0.9, 0.4]
    for i, row in enumerate(state.W1):
        row[:] = [3.0 if i < 40 else 0.01, 0.0, -0.02 if i % 2 else 0.02, 0.0]
    path = tmp_path / "tiny.ckpt.json"
    state.save(path)
    return str(path), state


def one_line_error(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


# ---------------------------------------------------------------------- the colour map and the order


def test_the_colour_map_is_white_at_zero_red_above_blue_below():
    white, red, blue = weights.diverging(0.0), weights.diverging(1.0), weights.diverging(-1.0)
    assert min(white) > 240
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]
    assert weights.diverging(5.0) == red and weights.diverging(-5.0) == blue  # clipped, never out of the map
    assert weights.level(0.0, 1.0) == 128 and weights.level(1.0, 1.0) == 255 and weights.level(-1.0, 1.0) == 1


def test_units_are_sorted_by_their_pull_on_the_output_or_by_their_norm(tiny):
    _, state = tiny
    assert weights.unit_order(state.W1, state.W2, "w2") == [2, 3, 1, 0]
    assert weights.unit_order(state.W1, state.W2, "norm")[0] == 0
    with pytest.raises(ValueError, match="sort must be one of"):
        weights.unit_order(state.W1, state.W2, "size")


def test_a_tile_shows_the_unit_s_column_as_the_field_it_reads(tiny):
    _, state = tiny
    image = weights.tile(weights.column(state.W1, 0), 40, 1)
    assert image.size == (40, 40)
    assert image.getpixel((0, 0))[0] > 150 and image.getpixel((0, 0))[2] < 100  # top row: the strong positive pixels
    assert min(image.getpixel((20, 20))) > 230  # elsewhere ~0 against its own max: near white
    stripes = weights.tile(weights.column(state.W1, 2), 40, 1)
    assert stripes.getpixel((0, 5))[0] > 150 and stripes.getpixel((1, 5))[2] > 150  # +, -, +, ... along a row


# ---------------------------------------------------------------------- the command


def test_weights_draws_a_grid_of_the_requested_units(tiny, tmp_path, capsys):
    path, _ = tiny
    out = tmp_path / "w.png"
    assert main(["weights", "--checkpoint", path, "-o", str(out), "--units", "3", "--scale", "2"]) == 0
    said = capsys.readouterr().out
    assert "3 of 4 hidden units" in said and "the largest |W2_j| is 0.90" in said  # unit 2's -0.9
    image = Image.open(out)
    grid = weights.Grid(3, 80)
    assert image.width == grid.size[0] and image.height > grid.size[1]  # the grid, under its caption
    # The first tile is unit 2 (largest |W2_j|): its alternating stripes, red then blue.
    x, y = grid.origin(0)
    top = image.height - grid.size[1]
    assert image.getpixel((x, top + y + 10))[0] > 150 and image.getpixel((x + 2, top + y + 10))[2] > 150


def test_weights_of_the_shipped_agent(tmp_path, capsys):
    out = tmp_path / "w.png"
    assert main(["weights", "--pretrained", "-o", str(out), "--units", "4"]) == 0
    assert "4 of 64 hidden units" in capsys.readouterr().out and Image.open(out).width > 100


def test_weights_of_a_preset_s_fresh_weights_follow_the_seed(tmp_path, capsys):
    a, b, c = (tmp_path / f"{n}.png" for n in "abc")
    for out, seed in ((a, "1"), (b, "1"), (c, "2")):
        assert main(["weights", "--untrained", "demo", "--seed", seed, "--units", "2", "-o", str(out)]) == 0
    assert "2 of 64 hidden units" in capsys.readouterr().out
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


def test_weights_seed_is_only_for_fresh_weights(tiny, tmp_path, capsys):
    path, _ = tiny
    err = one_line_error(capsys, ["weights", "--checkpoint", path, "--seed", "3", "-o", str(tmp_path / "w.png")])
    assert "--untrained" in err


def test_weights_refuses_a_file_that_is_not_ours(tmp_path, capsys):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else", "W1": [[0.0]]}))
    err = one_line_error(capsys, ["weights", "--checkpoint", str(other), "-o", str(tmp_path / "w.png")])
    assert str(other) in err


def test_weights_refuses_a_garbled_gzip(tmp_path, capsys):
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b"{not json")[:-5])
    one_line_error(capsys, ["weights", "--checkpoint", str(bad), "-o", str(tmp_path / "w.png")])


@pytest.mark.parametrize("name, problem", [("w.xyz", "no image format"), ("w.psd", "no image format"),
                                           ("missing/w.png", "folder does not exist")])
def test_weights_checks_the_output_before_loading(tmp_path, capsys, name, problem):
    # the checkpoint does not exist either: the output's problem is found first, before anything is loaded
    missing = str(tmp_path / "nope.ckpt.json")
    assert problem in one_line_error(capsys, ["weights", "--checkpoint", missing, "-o", str(tmp_path / name)])


def test_weights_refuses_a_count_of_zero(tiny, tmp_path, capsys):
    path, _ = tiny
    with pytest.raises(SystemExit) as e:  # argparse's own usage error: the usage, then one line
        main(["weights", "--checkpoint", path, "--units", "0", "-o", str(tmp_path / "w.png")])
    assert e.value.code == 2 and "must be >= 1" in capsys.readouterr().err
    assert not (tmp_path / "w.png").exists()


# ---------------------------------------------------------------------- compare


def test_compare_shows_the_same_moment_for_each_agent(tiny, tmp_path, capsys):
    path, _ = tiny
    out = tmp_path / "c.png"
    assert main(["compare", "untrained:demo", path, "--step", "40", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "step 40" in said and "2 agent(s)" in said
    image = Image.open(out)
    assert image.width > 2 * 160 * 2  # two frames side by side, each zoomed twice


def test_compare_at_step_zero_shows_one_frame_for_every_agent(tiny, tmp_path):
    """Every agent plays episode 0 of the same seed, so before the first action all frames are the same."""
    path, _ = tiny
    out = tmp_path / "c.png"
    assert main(["compare", "untrained:demo", path, "--step", "0", "-o", str(out)]) == 0
    image = Image.open(out).convert("RGB")
    panel = (image.width - weights.GAP) // 2  # two panels, each a frame and a gap
    bottom = image.height - weights.GAP
    left = image.crop((weights.GAP, bottom - 300, weights.GAP + 300, bottom))
    right = image.crop((weights.GAP + panel, bottom - 300, weights.GAP + panel + 300, bottom))
    assert left.tobytes() == right.tobytes()


def test_compare_refuses_agents_of_different_games(tiny, tmp_path, capsys):
    path, _ = tiny
    err = one_line_error(capsys, ["compare", "untrained:karpathy", path, "-o", str(tmp_path / "c.png")])
    assert "different games" in err


def test_compare_names_the_presets_it_knows(tmp_path, capsys):
    err = one_line_error(capsys, ["compare", "untrained:lessons", "-o", str(tmp_path / "c.png")])
    assert "untrained:demo" in err


# ---------------------------------------------------------------------- ship


def test_ship_writes_weights_only_rounded_and_loadable(tmp_path, capsys):
    from scratchpong import checkpoint
    from scratchpong.commands.ship import round_weights

    state = TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=1))  # 17-digit floats
    path, out = tmp_path / "fresh.ckpt.json", tmp_path / "agent.json.gz"
    state.save(path)
    assert main(["ship", str(path), "-o", str(out), "--frames", "300"]) == 0
    said = capsys.readouterr().out
    assert "300 real frames" in said
    data = checkpoint.read(out, (checkpoint.WEIGHTS_FORMAT,))
    assert {"W1", "W2", "config", "episode"} <= set(data)
    assert not {"cache_W1", "cache_W2", "grad_W1", "grad_W2"} & set(data)  # nothing of the optimizer
    config, W1, W2 = checkpoint.load_weights(out)
    digits = int(said.split("significant digits")[0].split()[-1])
    assert config == state.config and digits < 17
    assert (W1, W2) == round_weights(state.W1, state.W2, digits) != (state.W1, state.W2)


def test_rounding_keeps_significant_digits_not_decimal_places():
    from scratchpong.checkpoint import rounded

    assert rounded(0.000123456, 3) == 0.000123 and rounded(-123456.0, 3) == -123000.0
    assert rounded(0.1 + 0.2, None) == 0.1 + 0.2  # no digits given: exactly


def test_the_fewest_digits_keep_every_greedy_action():
    from scratchpong.commands.ship import actions, fewest_digits, round_weights

    # Robust actions: 3 digits already keep them all.
    W1, W2, xs = [[0.123456789, -0.2], [0.3, 0.05]], [1.0, 1.0], [[(0, 1.0)], [(1, 1.0)]]
    assert fewest_digits(W1, W2, xs) == (3, {3: 0})
    assert actions(*round_weights(W1, W2, 3), xs) == actions(W1, W2, xs)
    # h = Relu(0.500001 - 0.5) = 1e-6 > 0, so y_p > 0.5 (UP); at 3 digits h is exactly 0 and y_p = 0.5 (DOWN).
    W1 = [[0.5000010], [-0.5]]
    digits, changed = fewest_digits(W1, [1.0], [[(0, 1.0), (1, 1.0)]])
    assert changed[3] == 1 and digits is not None and digits > 3


def test_ship_refuses_a_name_that_is_not_a_weights_file(tiny, tmp_path, capsys):
    path, _ = tiny
    err = one_line_error(capsys, ["ship", path, "-o", str(tmp_path / "agent.json")])
    assert ".json.gz" in err


def test_ship_never_replaces_its_checkpoint_or_a_run_but_may_replace_a_shipped_agent(tmp_path, capsys):
    run = tmp_path / "run.json.gz"
    TrainState.new(TrainConfig(env="ALE/Pong-v5", hidden=4, downscale=4, batch_size=1)).save(run)
    before = run.read_bytes()
    assert "are the same file" in one_line_error(capsys, ["ship", str(run), "-o", str(run), "--frames", "10"])
    other = tmp_path / "other.json.gz"
    other.write_bytes(before)  # another run's checkpoint: its optimizer state would be lost
    assert "is not a weights file" in one_line_error(capsys, ["ship", str(run), "-o", str(other), "--frames", "10"])
    assert run.read_bytes() == before == other.read_bytes()
    agent = tmp_path / "agent.json.gz"
    for _ in range(2):  # shipping again over a shipped agent is how an agent is updated
        assert main(["ship", str(run), "-o", str(agent), "--frames", "10"]) == 0
