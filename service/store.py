"""``open_store(settings)``: the one way the app, the CLI and the MCP server open the clause store.

Example:
    >>> store = open_store(Settings())        # var/index, built from the bundled corpus on first run
    >>> store.count
    1263

The backend follows the settings: PostgreSQL when ``POLICYQA_DATABASE_URL`` is set, else the
embedded index in ``POLICYQA_INDEX_DIR``. An existing index is opened with the embedder it was
built with; one that cannot be opened as asked is an error naming ``policyqa index --rebuild``,
never rebuilt behind the user's back.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpus.model import Document
from index.embed.cache import EmbeddingCache
from index.store import ClauseStore
from qa.library import build_library, built_embedder, open_library, open_pg_library, read_documents
from service.files import DatabaseFiles, DocumentFiles
from service.settings import Settings


def requested_embedder(settings: Settings) -> str | None:
    """The embedder the settings name explicitly (``POLICYQA_EMBEDDER``, ``--embedder``), else None.

    Why: the field's default only says what a first build uses; it must not contradict an index
    that was built with another embedder.
    """
    return settings.embedder if "embedder" in settings.model_fields_set else None


def open_store(settings: Settings, *, progress: bool = False) -> ClauseStore:
    """Open the clause store the settings describe, building it on first run only.

    A first build indexes ``settings.corpus_paths`` and the uploaded documents.

    Raises:
        IndexStateError: the store exists but cannot be opened as asked (another embedder than
            the one named explicitly, another format or schema version, damaged files); the
            message names ``policyqa index --rebuild``. Also: the database cannot be reached.
        PolicyQAError: a first build and a document cannot be read.
    """
    embedder = requested_embedder(settings)
    if settings.backend == "postgres":
        return open_pg_library(
            settings.database_url.get_secret_value(),
            settings.corpus_paths,
            embedder,
            read_url=settings.database_read_url.get_secret_value().strip() or None,
            progress=progress,
        )
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    return open_library(settings.index_dir, settings.source_paths, embedder, progress=progress)


def rebuild_store(
    settings: Settings,
    *,
    progress: bool = False,
    cache: EmbeddingCache | None = None,
    documents: Sequence[Document] | None = None,
) -> ClauseStore:
    """Rebuild the clause store deliberately from ``settings.corpus_paths`` and the uploaded documents.

    The embedder is the one named explicitly, else the existing index's, else the default.
    Embeddings already computed for the same texts (same embedder) are reused. ``documents``,
    when given, are the corpus files already read (the CLI reads them first to name the
    unreadable ones), so the embedded index does not read them twice.

    Raises:
        PolicyQAError: a document cannot be read (nothing is replaced then).
        IndexStateError: the database cannot be reached.
    """
    embedder = requested_embedder(settings)
    if settings.backend == "postgres":
        return open_pg_library(
            settings.database_url.get_secret_value(),
            settings.corpus_paths,
            embedder,
            progress=progress,
            cache=cache,
            rebuild=True,
        )
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    name = embedder or built_embedder(settings.index_dir) or settings.embedder
    if documents is not None:
        documents = [*documents, *read_documents([settings.upload_dir])]
    return build_library(settings.index_dir, settings.source_paths, name, progress=progress, documents=documents)


def document_files(settings: Settings, store: ClauseStore) -> DocumentFiles | DatabaseFiles:
    """Where the full texts and files of ``store``'s documents are: the database when the store
    keeps documents (PostgreSQL), else the corpus folders and the upload folder."""
    if store.keeps_documents():
        return DatabaseFiles(settings.corpus_paths, store)
    return DocumentFiles(settings.corpus_paths, settings.upload_dir)  # creates the upload folder


def store_exists(settings: Settings) -> bool:
    """True when the settings' store already holds an index (of any version or embedder).

    Raises:
        IndexStateError: the database cannot be reached.
    """
    if settings.backend == "files":
        return (settings.index_dir / "manifest.json").exists()
    from index.pgstore import PgIndex

    pool = PgIndex.connect(settings.database_url.get_secret_value(), max_size=1)
    try:
        return PgIndex.stored_embedder(pool) is not None
    finally:
        pool.close()
