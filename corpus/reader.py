"""Read files and folders into parsed documents, reporting every file that could not be read.

Example:
    >>> from corpus import BUNDLED_CORPUS_DIR
    >>> result = read_corpus([BUNDLED_CORPUS_DIR])
    >>> len(result.documents), result.failures
    (5, [])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.errors import DocumentError, UnsupportedFormatError
from corpus.limits import DEFAULT_LIMITS, ReadLimits, check_clauses
from corpus.loaders import SUPPORTED_SUFFIXES, load_bytes, load_path
from corpus.model import Document
from corpus.parser import ParseReport, parse_text


@dataclass(slots=True)
class CorpusResult:
    """Documents read, and the files that failed with the reason.

    Attributes:
        documents: parsed documents, in path order.
        failures: (file, message) for each file that could not be read.
        skipped_lines: page-chrome lines set aside per document ("当前位置: 首页 > …").
    """

    documents: list[Document] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped_lines: dict[str, int] = field(default_factory=dict)


def read_document(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Load and parse one file.

    Raises:
        DocumentError: the file's format is unsupported or its content unreadable, or it
            passes a bound of ``limits`` (:class:`~corpus.errors.DocumentTooLargeError`).
    """
    loaded = load_path(path, limits)
    return check_clauses(parse_text(loaded.text, loaded.source), limits)


def read_bytes(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Load and parse an uploaded file's bytes (the name's suffix picks the loader).

    Raises:
        DocumentError: the file's format is unsupported or its content unreadable, or it
            passes a bound of ``limits`` (:class:`~corpus.errors.DocumentTooLargeError`).
    """
    loaded = load_bytes(data, name, limits)
    return check_clauses(parse_text(loaded.text, loaded.source), limits)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (sorted).

    Raises:
        FileNotFoundError: a path does not exist.
        UnsupportedFormatError: a file named directly has an unsupported suffix.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise UnsupportedFormatError(
                    f"unsupported file type {path.suffix!r} for {path.name}; allowed: {', '.join(SUPPORTED_SUFFIXES)}"
                )
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


def read_corpus(paths: Iterable[str | Path]) -> CorpusResult:
    """Read every file under ``paths``; a file that fails is reported, never silently skipped.

    Two files with the same name would collide as document ids; the second is reported.
    """
    result = CorpusResult()
    seen: set[str] = set()
    for path in expand_paths(paths):
        if path.name in seen:
            result.failures.append((str(path), f"duplicate document name {path.name}"))
            continue
        try:
            loaded = load_path(path)
        except DocumentError as exc:
            result.failures.append((str(path), str(exc)))
            continue
        report = ParseReport()
        result.documents.append(parse_text(loaded.text, loaded.source, report))
        result.skipped_lines[loaded.source] = len(report.skipped)
        seen.add(path.name)
    return result
