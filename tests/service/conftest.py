"""Fixtures for the service tests: apps on copies of the session's bundled index (tests/conftest.py)."""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from docx import Document as DocxDocument
from fastapi.testclient import TestClient

from corpus import BUNDLED_CORPUS_DIR
from service.app import create_app
from service.settings import Settings
from tests.service.helpers import ADMIN_TOKEN, DINGTALK_SECRET


def make_settings(root: Path, built_index: Path, **overrides: object) -> Settings:
    """Settings for an app on a private copy of ``built_index`` under ``root``."""
    index_dir = root / "index"
    shutil.copytree(built_index, index_dir)
    values: dict[str, object] = {
        "environment": "development",
        "index_dir": index_dir,
        "corpus_paths": [BUNDLED_CORPUS_DIR],
        "upload_dir": root / "uploads",
        "admin_token": ADMIN_TOKEN,
        "dingtalk_app_secret": DINGTALK_SECRET,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def client(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A started app shared by read-only tests (never upload or delete through it)."""
    settings = make_settings(tmp_path_factory.mktemp("shared"), built_index)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def writable_client(built_index: Path, tmp_path: Path) -> Iterator[TestClient]:
    """A started app on its own copy of the index, for uploads and deletions (200 kB upload limit)."""
    settings = make_settings(tmp_path, built_index, max_upload_bytes=200_000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def admin() -> dict[str, str]:
    """The admin Authorization header."""
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 (in a thread, own index copy); yields its base URL."""
    settings = make_settings(tmp_path_factory.mktemp("live"), built_index)
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 300
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped while starting; see the log above")
        if time.monotonic() > deadline:
            raise TimeoutError("the test server did not start within 300 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def make_docx() -> Callable[[list[str]], bytes]:
    """Build a .docx file's bytes from paragraphs with python-docx."""

    def build(paragraphs: list[str]) -> bytes:
        doc = DocxDocument()
        for text in paragraphs:
            doc.add_paragraph(text)
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()

    return build
