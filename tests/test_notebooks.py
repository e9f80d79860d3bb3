"""The notebooks in notebooks/ run top to bottom on the bundled corpus, and are committed without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
TIMEOUT = 240  # seconds per cell; the whole set runs in well under two minutes


def test_notebooks_exist():
    assert [p.stem[:2] for p in ALL] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebooks_are_committed_without_outputs(path: Path):
    import nbformat

    book = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(book.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


def _execute(path: Path) -> object:
    import nbformat
    from nbclient import NotebookClient

    book = nbformat.read(path, as_version=4)
    # kernel "python3" runs this interpreter (jupyter_client maps the kernelspec's "python" to sys.executable)
    NotebookClient(book, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return book


def _outputs(book, kind: str) -> list[str]:
    return [str(o.get("data", {}).get(kind, "")) for c in book.cells if c.cell_type == "code"
            for o in c.outputs if kind in o.get("data", {})]


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebooks_run(path: Path, bundled_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KG_STORE_DIR", str(bundled_store))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebooks' tempfile.mkdtemp() stores land here
    monkeypatch.delenv("KG_TRENDS_STORE", raising=False)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    book = _execute(path)  # raises CellExecutionError, naming the cell, when a cell fails
    if path.stem.startswith("03"):
        assert len(_outputs(book, "image/png")) >= 3  # bar charts, community drawing, trend lines
    if path.stem.startswith("04"):
        frames = _outputs(book, "text/html")
        assert any(f.startswith("<iframe srcdoc=") for f in frames)
