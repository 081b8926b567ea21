"""The research notebooks run top to bottom in a fresh Jupyter kernel, so they can never silently rot.

Each notebook in ``notebooks/`` is executed by a real kernel (nbclient, kernel ``python3``)
in a temporary working directory, with a per-cell timeout; a cell that raises fails the
test. Notebooks are stored without outputs (clean diffs); to clear them before committing::

    python tests/test_notebooks.py --strip
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds; the slowest cell takes well under a minute
KERNEL = "python3"
IGNORED = {".git", "__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints"}


def strip(path: Path) -> bool:
    """Clear outputs, execution counts and cell metadata; keep notebook metadata minimal. True if changed."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata = {}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": KERNEL},
                   "language_info": {"name": "python"}}
    text = nbformat.writes(nb)
    text = text if text.endswith("\n") else text + "\n"
    if text == path.read_text():
        return False
    path.write_text(text)
    return True


def _written_outputs() -> set[str]:
    """Files where a notebook's outputs would land in the repository: next to the notebooks
    (their working directory under Jupyter) and in results/. Only these are watched, since
    other work may add files elsewhere in the checkout while a notebook runs."""
    files = set()
    for top in (ROOT / "notebooks", ROOT / "results"):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d not in IGNORED]
            files.update(os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames)
    return files


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5, f"expected the five research notebooks, found {[p.name for p in NOTEBOOKS]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    """No outputs or execution counts in the repository, and the python3 kernel."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs; run `python tests/test_notebooks.py --strip`"
    assert nb.cells and nb.cells[0].cell_type == "markdown", "a notebook opens with prose saying what it shows"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_readme_lists_notebook(path):
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Notebooks\s*$(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    assert section, "README.md has no '## Notebooks' section"
    assert path.name in section.group(1), f"README's Notebooks section does not list {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    """Execute every cell in a fresh kernel, in a temporary working directory."""
    # notebooks that simulate many studies run a few when this is set (the kernel inherits it)
    monkeypatch.setenv("LMXSIM_NOTEBOOK_QUICK", "1")
    # kernel "python3" is ipykernel's native kernel: jupyter_client finds it whenever ipykernel
    # is importable, with or without an installed kernelspec
    nb = nbformat.read(path, as_version=4)
    before = _written_outputs()
    client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT,
                                     resources={"metadata": {"path": str(tmp_path)}})
    start = time.monotonic()
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    elapsed = time.monotonic() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    new = _written_outputs() - before
    assert not new, f"{path.name} wrote into the repository: {sorted(new)}"
    print(f"{path.name}: {elapsed:.1f} s")


if __name__ == "__main__":
    if sys.argv[1:] == ["--strip"]:
        for p in NOTEBOOKS:
            print(("stripped " if strip(p) else "clean    ") + str(p.relative_to(ROOT)))
    else:
        print(__doc__)
