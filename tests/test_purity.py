"""The promise of the project: scratchpong/ is pure Python, and the math core knows nothing of the game."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "scratchpong"
ARRAY_LIBRARIES = {"numpy", "torch", "jax", "scipy", "cupy", "tensorflow", "array"}
MATH_CORE = ["matrix.py", "policy.py", "returns.py", "rmsprop.py", "gradcheck.py"]


def imported_modules(path: pathlib.Path) -> set[str]:
    """The top-level names of every module a file imports, anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_package_has_modules_to_check():
    assert len(list(PACKAGE.rglob("*.py"))) >= 3


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_imports_an_array_library(path):
    bad = {m for m in imported_modules(path) if m.split(".")[0] in ARRAY_LIBRARIES}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("name", MATH_CORE)
def test_math_core_imports_neither_the_env_nor_the_trainer(name):
    path = PACKAGE / name
    if not path.exists():
        pytest.skip(f"{name} does not exist yet")
    bad = {m for m in imported_modules(path) if m.split(".")[0] in {"gymnasium", "ale_py"} or "train" in m}
    assert not bad, f"{name} imports {sorted(bad)}"
