from __future__ import annotations

import os

import pytest

from corpus.model import Clause
from index.tokenize import Tokenizer, units_from_clauses
from tests.index.helpers import HashEmbedder, toy_clauses

# Nothing in these tests may fetch weights from a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def clauses() -> list[Clause]:
    return toy_clauses()


@pytest.fixture(scope="session")
def tokenizer(clauses: list[Clause]) -> Tokenizer:
    return Tokenizer(mode="search", units=units_from_clauses(clauses))


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()
