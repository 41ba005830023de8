"""docs/tutorial.ipynb, the notebook a learner runs from top to bottom, keeps running and keeps reading.

What these tests guard:

- It runs. Executed from a clean kernel, every cell finishes without an error and within the time limit. The
  notebook calls scratchpong's public functions by name, so renaming one or changing what it takes or returns
  breaks it here, and not in the hands of a learner. The kernel is "python3" started from this venv's own Python
  (the kernelspec ipykernel installs with `pip install -e ".[test]"`), checked by a cell added to the copy.
- It reads without being run. The committed file keeps the outputs of every code cell (so GitHub shows the
  pictures and numbers), none of them an error, and it stays under 3 MB.
- It teaches with the package alone. Its imports are scratchpong, the standard library, PIL, IPython and
  matplotlib: no NumPy, which is the point of scratchpong.

The run works on a copy in a temporary folder and never rewrites docs/tutorial.ipynb. After changing the notebook,
`.venv/bin/python tests/test_tutorial.py` executes it the same way and saves it with its new outputs.
"""

import ast
import os
import pathlib
import shutil
import sys

import nbformat
from nbclient import NotebookClient

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "docs" / "tutorial.ipynb"
ALLOWED_IMPORTS = {"scratchpong", "PIL", "IPython", "matplotlib"} | set(sys.stdlib_module_names)
CELL_TIMEOUT = 120  # seconds for any one cell; the whole notebook takes well under a minute
MAX_BYTES = 3_000_000


def execute(nb: nbformat.NotebookNode, folder: pathlib.Path) -> None:
    """Run every cell in a new "python3" kernel whose working folder is `folder`; raise on the first error."""
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(folder)}}).execute()


def merge_streams(nb: nbformat.NotebookNode) -> None:
    """One stdout and one stderr block per cell, as Jupyter shows them, instead of one block per flush."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.outputs:
            last = merged[-1] if merged else None
            if last and out.output_type == last.output_type == "stream" and out.name == last.name:
                last.text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def code_cells(nb: nbformat.NotebookNode) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_the_notebook_runs_from_a_clean_kernel_in_this_venv(tmp_path, monkeypatch):
    # A "python3" kernelspec in the user's home must not shadow the one installed in this venv.
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    copy = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    nb = nbformat.read(copy, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)\nprint(sys.executable)")
    nb.cells.insert(0, probe)
    execute(nb, tmp_path)  # raises CellExecutionError, naming the cell, on the first error
    printed = "".join(out.text for out in probe.outputs if out.output_type == "stream" and out.name == "stdout")
    prefix, executable = printed.split("\n")[:2]
    assert (prefix, executable) == (sys.prefix, sys.executable), "the kernel is not this venv's Python"
    errors = [out for cell in code_cells(nb) for out in cell.outputs if out.output_type == "error"]
    assert not errors
    assert all(cell.outputs for cell in code_cells(nb)), "a code cell printed and showed nothing"


def test_the_committed_notebook_keeps_its_outputs_so_it_reads_on_github():
    assert NOTEBOOK.stat().st_size < MAX_BYTES, f"{NOTEBOOK.name} is {NOTEBOOK.stat().st_size:,} bytes"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    cells = code_cells(nb)
    assert cells
    for k, cell in enumerate(cells):
        where = f"code cell {k} ({cell.source.splitlines()[0] if cell.source else 'empty'!r})"
        assert cell.outputs and cell.execution_count is not None, f"{where} has no stored output: run the notebook"
        assert not [out for out in cell.outputs if out.output_type == "error"], f"{where} stored an error"
    pictures = [out for cell in cells for out in cell.outputs if "image/png" in out.get("data", {})]
    assert len(pictures) >= 4, "the frame, prepro/difference, the returns' plot and the GIF should be stored"


def test_the_notebook_imports_only_scratchpong_the_standard_library_pil_ipython_and_matplotlib():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    imported = set()
    for cell in code_cells(nb):
        for node in ast.walk(ast.parse(cell.source)):  # no %magics, so every cell is plain Python
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert "scratchpong" in imported
    assert not imported - ALLOWED_IMPORTS, f"imports from outside the allowed set: {sorted(imported - ALLOWED_IMPORTS)}"


if __name__ == "__main__":  # refresh the stored outputs: execute docs/tutorial.ipynb and save it
    import tempfile
    import time

    nb = nbformat.read(NOTEBOOK, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
        start = time.perf_counter()
        execute(nb, pathlib.Path(folder))
        seconds = time.perf_counter() - start
    merge_streams(nb)
    nbformat.validate(nb)
    nbformat.write(nb, NOTEBOOK)
    print(f"{NOTEBOOK}: executed in {seconds:.1f} s, {NOTEBOOK.stat().st_size / 1e6:.2f} MB")
