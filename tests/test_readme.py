"""The README's two command lines are the ones CI and newcomers run."""

import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(marker: str) -> list[str]:
    """The command lines between <!-- ci:MARKER --> and <!-- /ci:MARKER -->."""
    m = re.search(rf"<!-- ci:{marker} -->(.*?)<!-- /ci:{marker} -->", README, re.S)
    assert m, f"README.md has no ci:{marker} block"
    return [line for line in m.group(1).splitlines() if line.startswith("python3 ")]


def test_exactly_two_command_lines_main_job_then_tests():
    assert len(block("main-command")) == 1 and len(block("test-command")) == 1
    assert "scratchpong train --preset demo" in block("main-command")[0]
    assert "pytest" in block("test-command")[0]
    assert len(re.findall(r"^python3 -m venv", README, re.M)) == 2


def test_ci_runs_the_readme_test_command_word_for_word():
    script = (ROOT / ".ci" / "run").read_text()
    # .ci/run takes the line from the same markers; run its extraction and compare.
    extract = script.split("cmd=$(", 1)[1].split(")\n", 1)[0]
    got = subprocess.run(["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert got == block("test-command")[0]
    assert 'bash -c "$cmd"' in script and "ruff check" in script


def test_the_tour_names_every_module_and_only_modules_that_exist():
    tour = README.split("## Tour of the package", 1)[1].split("## Docs", 1)[0]
    named = set(re.findall(r"`(\w+(?:/\w+)?\.py)`", tour))
    package = ROOT / "scratchpong"
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py") if not p.name.startswith("__")}
    assert named == modules, f"missing from the tour: {sorted(modules - named)}; gone: {sorted(named - modules)}"
