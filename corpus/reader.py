"""Read files and folders into parsed documents, reporting every file that could not be read.

Example:
    >>> from corpus import BUNDLED_CORPUS_DIR
    >>> result = read_corpus([BUNDLED_CORPUS_DIR])
    >>> len(result.documents), result.failures
    (5, [])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.as_written import parse_as_written
from corpus.errors import DocumentError, UnsupportedFormatError
from corpus.limits import DEFAULT_LIMITS, ReadLimits, check_clauses
from corpus.loaders import SUPPORTED_SUFFIXES, LoadedText, load_bytes, load_path
from corpus.model import Document
from corpus.parser import ParseReport


@dataclass(slots=True)
class CorpusResult:
    """Documents read, and the files that failed with the reason.

    Attributes:
        documents: parsed documents, in path order.
        failures: (file, message) for each file that could not be read.
        unsupported: (file, message) for each file inside a named folder whose type the
            loaders do not read (hidden files excepted); not read, but named.
        paths: the file each document was read from, in the order of ``documents``.
        skipped_lines: page-chrome lines set aside per document ("当前位置: 首页 > …").
    """

    documents: list[Document] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    skipped_lines: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """Every file not read, with the reason: failures, then unsupported files."""
        return [*self.failures, *self.unsupported]


def read_document(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Load and parse one file.

    Raises:
        DocumentError: the file's format is unsupported or its content unreadable, or it
            passes a bound of ``limits`` (:class:`~corpus.errors.DocumentTooLargeError`).
    """
    return _parse(load_path(path, limits), limits)


def read_bytes(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Load and parse an uploaded file's bytes (the name's suffix picks the loader).

    Raises:
        DocumentError: the file's format is unsupported or its content unreadable, or it
            passes a bound of ``limits`` (:class:`~corpus.errors.DocumentTooLargeError`).
    """
    return _parse(load_bytes(data, name, limits), limits)


def _parse(loaded: LoadedText, limits: ReadLimits, report: ParseReport | None = None) -> Document:
    """Parse loaded text (traditional through simplified), keep the loader's notes, bound the clauses."""
    document = parse_as_written(loaded.text, loaded.source, report)
    if loaded.notes or loaded.ocr_pages:
        document = replace(document, notes=loaded.notes, ocr_pages=loaded.ocr_pages)
    return check_clauses(document, limits)


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


def unsupported_files(paths: Iterable[str | Path]) -> list[tuple[str, str]]:
    """Files inside the named folders that the loaders do not read, each with the reason.

    Hidden files (".DS_Store", an upload being written) are not documents and not listed.
    """
    found: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            continue
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_dir():
                found.append((str(child), "a folder inside a corpus folder is not read (only its files are)"))
            elif child.suffix.lower() not in SUPPORTED_SUFFIXES:
                shown = repr(child.suffix) if child.suffix else "no suffix"
                found.append(
                    (str(child), f"file type {shown} is not supported; use one of {', '.join(SUPPORTED_SUFFIXES)}")
                )
    return found


def read_corpus(paths: Iterable[str | Path], limits: ReadLimits = DEFAULT_LIMITS) -> CorpusResult:
    """Read every file under ``paths``; a file that fails is reported, never silently skipped.

    Two files with the same name would collide as document ids; the second is reported.
    Files of an unsupported type inside a folder are listed in ``unsupported``.
    """
    paths = list(paths)
    result = CorpusResult(unsupported=unsupported_files(paths))
    seen: set[str] = set()
    for path in expand_paths(paths):
        if path.name in seen:
            result.failures.append((str(path), f"duplicate document name {path.name}"))
            continue
        report = ParseReport()
        try:
            result.documents.append(_parse(load_path(path, limits), limits, report))
        except DocumentError as exc:
            result.failures.append((str(path), str(exc)))
            continue
        result.paths.append(path)
        result.skipped_lines[path.name] = len(report.skipped)
        seen.add(path.name)
    return result
