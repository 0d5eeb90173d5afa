"""The verbs every search backend offers, declared once.

BM25 indexes token lists and is queried with tokens; the dense store indexes vectors and is
queried with a vector. Both answer ``search`` with ``[(id, score), …]`` best first and persist
to a directory of open formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, Self, TypeVar

ItemT = TypeVar("ItemT", contravariant=True)
QueryT = TypeVar("QueryT", contravariant=True)


class SearchBackend(Protocol[ItemT, QueryT]):
    """A retrieval backend: ``index`` → ``search`` → ``save`` → ``load``."""

    def index(self, items: Sequence[ItemT], ids: Sequence[str]) -> None:
        """Replace the contents with ``items``, known by ``ids`` (same length, unique)."""
        ...

    def search(self, query: QueryT, k: int) -> list[tuple[str, float]]:
        """The ``k`` best ``(id, score)`` pairs, best first."""
        ...

    def save(self, path: Path) -> None:
        """Write the backend into directory ``path`` (created if missing)."""
        ...

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a backend written by ``save``."""
        ...

    @property
    def count(self) -> int:
        """Number of indexed items."""
        ...
