"""The docs stay true: every equation tag is in the code and the derivation, every linked function exists,
and docs/walkthrough.md is exactly what `scratchpong walkthrough` prints today."""

import importlib
import re
from pathlib import Path

import pytest

from scratchpong import policy
from scratchpong.commands import cli, walkthrough

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "scratchpong"
DERIVATION = DOCS / "derivation.md"
WALKTHROUGH = DOCS / "walkthrough.md"
TAGS = [f"eq.{n}" for n in range(1, 8)]
# [`name`](../scratchpong/module.py), optionally with a #fragment
CODE_LINK = re.compile(r"\[`([A-Za-z_][A-Za-z0-9_]*)`\]\(\.\./scratchpong/([A-Za-z0-9_/]+)\.py(?:#[^)]*)?\)")
EQ_FUNCTIONS = ["eq1_dlogp_dLop3", "eq2_dlogp_dLip3", "eq3_dW2", "eq4_dlogp_dLop2", "eq5_dlogp_dLip2",
                "eq6_dW1", "eq7_dx"]


def code_links(text: str) -> list[tuple[str, str]]:
    """Every (function name, module path) pair linked as [`name`](../scratchpong/module.py)."""
    return CODE_LINK.findall(text)


def test_the_link_pattern_reads_a_link():
    assert code_links("see [`eq2_dlogp_dLip3`](../scratchpong/policy.py) and [x](y)") == [
        ("eq2_dlogp_dLip3", "policy")]


@pytest.mark.parametrize("tag", TAGS)
def test_every_tag_is_in_the_code(tag):
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PACKAGE.glob("*.py")))
    assert tag in sources


@pytest.mark.parametrize("tag", TAGS)
def test_every_tag_is_in_the_derivation(tag):
    assert tag in DERIVATION.read_text(encoding="utf-8")


@pytest.mark.parametrize("n", range(1, 8))
def test_each_equation_function_names_its_tag_first(n):
    """eqN_… in policy.py opens its docstring with "eq.N", so the code and the docs number alike."""
    funcs = [getattr(policy, name) for name in EQ_FUNCTIONS if name.startswith(f"eq{n}_")]
    assert funcs
    for f in funcs:
        assert f.__doc__.startswith(f"eq.{n}"), f.__name__


@pytest.mark.parametrize("name", EQ_FUNCTIONS + ["policy_forward", "log_prob", "step_backward", "policy_backward",
                                                 "gradients", "log_sigm", "sigm", "init_weights", "saliency"])
def test_the_derivation_links_every_policy_function(name):
    assert (name, "policy") in code_links(DERIVATION.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", ["derivation.md", "walkthrough.md"])
def test_every_linked_function_exists(doc):
    links = code_links((DOCS / doc).read_text(encoding="utf-8"))
    assert links, f"{doc} links no functions"
    for name, module in links:
        assert (PACKAGE / f"{module}.py").exists(), f"{doc} links {module}.py, which does not exist"
        mod = importlib.import_module("scratchpong." + module.replace("/", "."))
        assert hasattr(mod, name), f"{doc} links `{name}` in {module}.py, which does not define it"


def test_the_walkthrough_regenerates_identically():
    assert walkthrough.render() == WALKTHROUGH.read_text(encoding="utf-8"), (
        "docs/walkthrough.md is stale: run `scratchpong walkthrough --write docs/walkthrough.md`")


def test_the_walkthrough_seed_shows_the_relu_mask():
    """The chosen seed must keep what the text promises: action UP, one dead and one live hidden unit."""
    t = walkthrough.trace()
    assert t.y_a == 1.0
    assert any(z <= 0.0 for z in t.fwd.L_ip2)
    assert any(z > 0.0 for z in t.fwd.L_ip2)


def test_the_walkthrough_quotes_real_lines_of_code():
    source = (PACKAGE / "policy.py").read_text(encoding="utf-8") + (PACKAGE / "commands" / "gradcheck.py").read_text(
        encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)\n```", WALKTHROUGH.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 10
    for line in (ln for b in blocks for ln in b.splitlines()):
        assert line in source, f"the walkthrough quotes {line!r}, which is not in policy.py or gradcheck.py"


def test_the_walkthrough_command_is_registered(capsys):
    with pytest.raises(SystemExit):
        cli.main(["walkthrough", "--help"])
    assert "--write" in capsys.readouterr().out


def test_the_walkthrough_command_prints_the_doc(capsys):
    assert cli.main(["walkthrough"]) == 0
    assert capsys.readouterr().out == walkthrough.render()


def test_the_walkthrough_command_writes_the_doc(tmp_path):
    out = tmp_path / "walkthrough.md"
    assert cli.main(["walkthrough", "--write", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == walkthrough.render()


def shipped_weights(name: str) -> dict:
    """The file of the shipped agent `name`, checked to hold weights only, as `scratchpong ship` writes them."""
    from scratchpong.checkpoint import FORMAT, WEIGHTS_FORMAT, read
    from scratchpong.commands.agent import pretrained_path

    assert pretrained_path(name).exists(), f"scratchpong/pretrained/{name}.json.gz is not shipped"
    shipped = read(pretrained_path(name), (FORMAT, WEIGHTS_FORMAT))
    assert shipped["format"] == WEIGHTS_FORMAT and "cache_W1" not in shipped, "ship weights only (scratchpong ship)"
    return shipped


def test_the_shipped_pretrained_agent_loads_and_the_docs_name_its_episode_count():
    from scratchpong.commands.agent import STRONGEST, load_policy

    config, W1, W2 = load_policy(None, pretrained=STRONGEST)
    assert len(W1) == 1600 and len(W2) == config.hidden
    episodes = shipped_weights(STRONGEST)["episode"]
    rows = [line for line in (DOCS / "training.md").read_text(encoding="utf-8").splitlines()
            if re.match(r"\| \d{4}-\d{2}-\d{2}", line)]
    assert rows and f"| {episodes:,} |" in rows[-1], f"docs/training.md's last pretrained row should name {episodes:,}"


def test_the_shipped_karpathy_agent_has_karpathys_settings_and_only_weights():
    """`--pretrained karpathy` is the default preset's own run: pg-pong.py's settings, 80x80 inputs, H = 200."""
    from scratchpong.commands.agent import load_policy
    from scratchpong.config import PRESETS

    config, W1, W2 = load_policy(None, pretrained="karpathy")
    assert config == PRESETS["karpathy"], "trained with the karpathy preset and no setting changed"
    assert (len(W1), len(W1[0]), len(W2)) == (6400, 200, 200)
    episode = shipped_weights("karpathy")["episode"]
    section = (DOCS / "training.md").read_text(encoding="utf-8").split("## The pretrained agent", 1)[1]
    assert f"episode {episode:,}" in section.split("\n## ", 1)[0], "the docs name the episode shipped"


def test_nothing_in_the_repository_points_outside_it():
    """The repository stands alone: no file of it names the developers' working folder beside the checkout."""
    outside = "../" + "shared"  # spelled in two parts so that this file does not match itself
    files = [ROOT / "README.md", ROOT / "pyproject.toml", *(ROOT / ".ci").iterdir()]
    for folder in ("scratchpong", "tests", "docs"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".md", ".ipynb", ".toml", ".txt"}]
    assert len(files) > 40
    assert [str(p.relative_to(ROOT)) for p in files if outside in p.read_text(encoding="utf-8")] == []


def test_the_presets_table_of_training_md_says_what_config_py_holds():
    from scratchpong.config import PRESETS

    text = (DOCS / "training.md").read_text(encoding="utf-8")
    table = text.split("## The three presets", 1)[1].split("\n\n", 2)[1]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in table.splitlines()}
    assert [re.search(r"--preset (\w+)", c).group(1) for c in rows[""]] == list(PRESETS)
    for label, field in (("hidden units H", "hidden"), ("batch (episodes per update)", "batch_size"),
                         ("learning rate", "lr")):
        assert [float(c) for c in rows[label]] == [getattr(p, field) for p in PRESETS.values()], label
    for cell, p in zip(rows["stops"], PRESETS.values()):
        if p.episodes is not None:
            assert f"after {p.episodes} episodes" in cell
        elif p.minutes is not None:
            assert f"after {p.minutes:g} minutes" in cell
        else:
            assert "Ctrl-C" in cell
    for cell, p in zip(rows["input"], PRESETS.values()):
        assert ("max-pooled" in cell) == p.pool, cell
