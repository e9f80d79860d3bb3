"""Shared fixtures: tiny data under tests/data, a tiny store, a store of the bundled corpus, the Flask app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.config import load_settings

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter that imports this checkout first; returns its stdout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                          env=env).stdout


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def tiny_vocab() -> Path:
    return DATA / "vocab"


@pytest.fixture(scope="session")
def tiny_extractor(tiny_vocab: Path):
    from kg.extract import Extractor

    # No curation: a curation.jsonl left in ./kg-store (the default store) must not change what tests see. No
    # shipped link scorer either: the linker's rules are tested on their own (tests/test_confidence.py and the dev-set
    # evaluation cover the scorer), so retraining the scorer cannot change what these tests expect.
    ex = Extractor(load_settings({"use_ner": False, "curation_file": "none"}, env={}), vocab_dir=tiny_vocab)
    ex.linker.scorer = None
    return ex


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory, tiny_extractor) -> Path:
    """A store built from tests/data/papers.jsonl with the tiny vocabulary."""
    from kg.build import build

    root = tmp_path_factory.mktemp("tiny-store")
    build([DATA / "papers.jsonl"], load_settings({"store_dir": str(root)}, env={}), extractor=tiny_extractor)
    return root


XSS_TITLE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def xss_store(tmp_path_factory: pytest.TempPathFactory, tiny_extractor) -> Path:
    """tests/data/papers.jsonl plus a paper titled like an HTML injection (``XSS_TITLE``), tiny vocabulary."""
    import json

    from kg.build import build

    root = tmp_path_factory.mktemp("xss-store")
    src = root / "papers.jsonl"
    extra = {"id": "xss", "title": XSS_TITLE, "year": 2024,
             "abstract": "We train ResNet on ImageNet-1K <script>alert(2)</script> and report top-1 accuracy."}
    src.write_text((DATA / "papers.jsonl").read_text(encoding="utf-8") + json.dumps(extra) + "\n", encoding="utf-8")
    build([src], load_settings({"store_dir": str(root / "store")}, env={}), extractor=tiny_extractor)
    return root / "store"


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the bundled corpus with the shipped pipeline (built once per session)."""
    from kg.build import build

    root = tmp_path_factory.mktemp("bundled-store")
    build(None, load_settings({"store_dir": str(root)}, env={}))
    return root


@pytest.fixture
def app(tiny_store: Path):
    from server import create_app

    return create_app({"store_dir": str(tiny_store), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
