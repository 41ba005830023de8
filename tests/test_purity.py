"""The promises of the layout: scratchpong/ is pure Python, imports run one way with no cycle (imports inside
functions included), the math core knows nothing of the game, and the commands sit above everything else."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "scratchpong"
ARRAY_LIBRARIES = {"numpy", "torch", "jax", "scipy", "cupy", "tensorflow", "array"}
LEARNING_PATH = ["matrix", "policy", "returns", "rmsprop", "frames", "episode", "train"]
MATH_CORE = ["matrix", "policy", "returns", "rmsprop"]


def module_name(path: pathlib.Path) -> str:
    """scratchpong/commands/cli.py -> scratchpong.commands.cli; scratchpong/__init__.py -> scratchpong."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: pathlib.Path) -> set[str]:
    """Every module a file imports, anywhere in it (functions included); `from pkg import mod` counts as pkg.mod."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
    return names


def ours(path: pathlib.Path) -> set[str]:
    """The scratchpong modules a file imports (the package itself only when nothing under it is named)."""
    found = {m for m in imported_modules(path) if m in MODULES}
    return {m for m in found if not any(other.startswith(m + ".") for other in found)}


GRAPH = {name: ours(path) - {name} for name, path in MODULES.items()}


def test_the_package_and_the_learning_path_are_there():
    """A renamed or missing module fails here, instead of silently dropping out of the checks below."""
    for name in LEARNING_PATH + ["env", "config", "checkpoint", "runner", "parallel", "commands.cli"]:
        assert f"scratchpong.{name}" in MODULES, f"scratchpong/{name.replace('.', '/')}.py is missing"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_an_array_library(name):
    bad = {m for m in imported_modules(MODULES[name]) if m.split(".")[0] in ARRAY_LIBRARIES}
    assert not bad, f"{name} imports {sorted(bad)}"


def test_the_import_graph_has_no_cycle():
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


def test_the_graph_sees_imports_inside_functions():
    assert "scratchpong.runner" in GRAPH["scratchpong.commands.cli"]  # imported inside cmd_train


@pytest.mark.parametrize("name", [n for n in sorted(MODULES)
                                  if not n.startswith("scratchpong.commands") and n != "scratchpong.__main__"])
def test_nothing_below_the_commands_imports_them(name):
    bad = {m for m in GRAPH[name] if m.startswith("scratchpong.commands")}
    assert not bad, f"{name} imports {sorted(bad)}: the learning path and its plumbing never use the commands"


@pytest.mark.parametrize("k", range(len(LEARNING_PATH)))
def test_the_learning_path_imports_only_what_comes_before(k):
    later = {f"scratchpong.{n}" for n in LEARNING_PATH[k + 1:]}
    name = f"scratchpong.{LEARNING_PATH[k]}"
    assert not GRAPH[name] & later, f"{name} imports {sorted(GRAPH[name] & later)}, which come after it"


@pytest.mark.parametrize("name", MATH_CORE)
def test_the_math_core_imports_only_the_math_core_and_no_game(name):
    path = MODULES[f"scratchpong.{name}"]
    allowed = {f"scratchpong.{n}" for n in MATH_CORE}
    assert ours(path) <= allowed, f"{name} imports {sorted(ours(path) - allowed)}"
    assert not {m for m in imported_modules(path) if m.split(".")[0] in {"gymnasium", "ale_py"}}
