"""Every research notebook runs, cell by cell, against the corpus built from the bundled sample."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from corpus.build import build_corpus
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def sample_corpus(full_crawl, tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("notebook-data")
    shutil.copytree(full_crawl.data_dir / "raw", data / "raw")
    shutil.copy2(full_crawl.data_dir / "ledger.sqlite", data / "ledger.sqlite")
    shutil.copytree(full_crawl.data_dir / "listing-cache", data / "listing-cache")
    build_corpus(data, progress=None)
    return data


def test_there_are_four_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_letters_and_reviews.ipynb", "02_review_length_and_release_lag.ipynb",
                                           "03_company_thread.ipynb", "04_what_the_sec_asks_about.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, sample_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGAR_CORPUS_DATA", str(sample_corpus))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    notebook = nbformat.read(path, as_version=4)
    plots = path.stem != "03_company_thread"  # the thread view prints, the others plot
    notebook.cells.append(nbformat.v4.new_code_cell(EVERY_AXIS_LABELED + f"assert bool(plt.get_fignums()) == {plots}"))
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
                   ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert outputs  # the notebook showed something
    if path.stem == "03_company_thread":  # each comment in full, with its letter and date
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        assert "--- comment 1 of the staff letter of " in text and "[...]" not in text


# run after a notebook's own cells: every plot it drew has both axes labeled
EVERY_AXIS_LABELED = """import matplotlib.pyplot as plt
unlabeled = [(n, i) for n in plt.get_fignums() for i, ax in enumerate(plt.figure(n).axes)
             if not ax.get_xlabel() or not ax.get_ylabel()]
assert not unlabeled, f"plots without axis labels (figure, axes): {unlabeled}"
"""
