"""Where each indexed document's file lives: the base corpus folders and the upload folder.

The index keeps clauses, not whole documents; the "打开原文" view needs the full text the clause
spans refer to, so it is read again from the document's file (and cached while the file is unchanged).

Example:
    >>> files = DocumentFiles([BUNDLED_CORPUS_DIR], Path("var/uploads"))
    >>> files.text("003_f31d9fd870de6b80.txt")[:8]
    '当前位置: 首页'
"""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from corpus.errors import UnsupportedFormatError
from corpus.loaders import SUPPORTED_SUFFIXES, load_path
from corpus.reader import expand_paths
from index.store import ClauseStore

# Characters never allowed in a stored file name: path separators, control characters, and
# characters that are awkward in URLs and shells. "政策 (2024).docx" is fine; "../x" is not.
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_name(filename: str) -> str:
    """The last part of an uploaded file's name, checked to be a plain file name.

    Args:
        filename: the name the client sent, possibly with a Windows or POSIX directory.

    Returns:
        The bare file name, e.g. ``"方案.docx"`` for ``"C:\\\\docs\\\\方案.docx"``.

    Raises:
        ValueError: the name is empty, hidden (starts with "."), too long, or holds characters
            that are not allowed (the message names them).
    """
    name = re.split(r"[/\\]", filename.strip())[-1].strip()
    if not name or name.startswith("."):
        raise ValueError(f"file name {filename!r} is empty or hidden")
    if len(name.encode("utf-8")) > 200:
        raise ValueError(f"file name is too long ({len(name.encode('utf-8'))} bytes, limit 200)")
    bad = sorted(set(_BAD_NAME.findall(name)))
    if bad:
        raise ValueError(f"file name {name!r} contains characters that are not allowed: {bad!r}")
    return name


def corpus_file(corpus_paths: list[Path], source: str) -> Path | None:
    """The base-corpus file named ``source``, or None (corpus paths that vanished are skipped)."""
    for root in corpus_paths:
        try:
            files = expand_paths([root])
        except (FileNotFoundError, UnsupportedFormatError):
            continue
        for path in files:
            if path.name == source:
                return path
    return None


class DocumentFiles:
    """The files behind the indexed documents, by document name (``Clause.source``).

    Args:
        corpus_paths: files or folders of the base corpus (never written to).
        upload_dir: the folder uploaded files are saved in; created if missing.
    """

    def __init__(self, corpus_paths: list[Path], upload_dir: Path) -> None:
        self.corpus_paths = list(corpus_paths)
        self.upload_dir = Path(upload_dir)
        self.upload_dir.mkdir(parents=True, exist_ok=True)

    def corpus_file(self, source: str) -> Path | None:
        """The base-corpus file named ``source``, or None."""
        return corpus_file(self.corpus_paths, source)

    def is_upload(self, source: str) -> bool:
        """True when document ``source`` was uploaded (not part of the base corpus)."""
        return self.upload_file(source) is not None

    def upload_file(self, source: str) -> Path | None:
        """The uploaded file named ``source``, or None."""
        path = self.upload_dir / source
        return path if source and path.parent == self.upload_dir and path.is_file() else None

    def path(self, source: str) -> Path | None:
        """The file of document ``source`` (an upload wins over a corpus file), or None."""
        return self.upload_file(source) or self.corpus_file(source)

    def text(self, source: str) -> str | None:
        """The full text of document ``source`` as the loaders read it, or None without a file.

        Raises:
            DocumentError: the file can no longer be read.
        """
        path = self.path(source)
        if path is None:
            return None
        stat = path.stat()
        return _read_text(str(path), stat.st_mtime_ns, stat.st_size)

    def save_upload(self, source: str, data: bytes) -> Path:
        """Write ``data`` as upload ``source`` atomically (temporary file, then rename).

        Raises:
            ValueError: ``source`` is not a bare file name with a supported suffix.
        """
        if safe_name(source) != source or Path(source).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ValueError(f"cannot store {source!r}: not a plain file name with a supported suffix")
        target = self.upload_dir / source
        tmp = self.upload_dir / f".{source}.{secrets.token_hex(4)}.part"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return target

    def delete_upload(self, source: str) -> bool:
        """Delete upload ``source``; False when there was none."""
        path = self.upload_file(source)
        if path is None:
            return False
        path.unlink()
        return True


class DatabaseFiles:
    """The documents' texts and uploaded files as the database keeps them (PostgreSQL backend).

    Replicas share no disk: each document's full text and uploaded bytes are stored with its
    clauses by a store that keeps documents (``ClauseStore.keeps_documents()``), in the same transaction.

    Args:
        corpus_paths: files or folders of the base corpus; their names stay reserved.
        index: the database the documents are stored in.
    """

    def __init__(self, corpus_paths: list[Path], index: ClauseStore) -> None:
        self.corpus_paths = list(corpus_paths)
        self.index = index

    def corpus_file(self, source: str) -> Path | None:
        """The base-corpus file named ``source``, or None."""
        return corpus_file(self.corpus_paths, source)

    def is_upload(self, source: str) -> bool:
        """True when document ``source`` was uploaded (its file bytes are stored)."""
        found = self.index.document(source)
        return found is not None and found[1]

    def text(self, source: str) -> str | None:
        """The stored full text of document ``source``, or None when it is not stored."""
        found = self.index.document(source)
        return found[0].text if found is not None else None


@lru_cache(maxsize=32)
def _read_text(path: str, mtime_ns: int, size: int) -> str:
    """The loaders' text of ``path``; the mtime and size make an edited file a cache miss."""
    return load_path(path).text
