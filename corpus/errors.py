"""The project's one small exception tree.

Every error a user can cause derives from :class:`PolicyQAError`, so the CLI
and the service can turn it into a clear message (HTTP status codes live in
``service/`` only).
"""

from __future__ import annotations


class PolicyQAError(Exception):
    """Base class of every domain error."""


class DocumentError(PolicyQAError):
    """A document could not be read into text."""


class UnsupportedFormatError(DocumentError):
    """The file type is not one the loaders read."""


class CorruptDocumentError(DocumentError):
    """The file claims a known type but its bytes cannot be read as that type."""


class EmptyDocumentError(DocumentError):
    """The file was read but holds no text (e.g. a scanned PDF without a text layer)."""


class IndexStateError(PolicyQAError):
    """An index on disk is missing, corrupt or incompatible with this build."""


class InvalidQueryError(PolicyQAError):
    """A question or a search parameter is out of range."""


class EvalSetError(PolicyQAError):
    """A judged question set is malformed; the message names the line."""


class DocumentTooLargeError(DocumentError):
    """A document exceeds one of the read bounds (:class:`corpus.limits.ReadLimits`).

    Raised while reading, as soon as the bound is passed, never from what the file declares.

    Attributes:
        bound: the name of the :class:`~corpus.limits.ReadLimits` field that was exceeded.
        limit: its value.
    """

    def __init__(self, message: str, bound: str, limit: float) -> None:
        super().__init__(message)
        self.bound = bound
        self.limit = limit

    def __reduce__(self) -> tuple[type, tuple[str, str, float]]:
        # Raised in the ingestion worker process and raised again in the server: pickled.
        return type(self), (str(self), self.bound, self.limit)


class UnpackedSizeError(DocumentTooLargeError):
    """A ZIP-based file (docx, xlsx, ofd) unpacks to more bytes than allowed (a zip bomb)."""


class PageCountError(DocumentTooLargeError):
    """A document has more pages (PDF pages, spreadsheet sheets) than allowed."""


class PageTextError(DocumentTooLargeError):
    """One page, or the whole document, holds more characters than allowed."""


class ClauseCountError(DocumentTooLargeError):
    """A document parses into more clauses than allowed."""


class OcrTimeoutError(DocumentTooLargeError):
    """Recognising the text of one scanned page took longer than allowed."""


class ConversionTimeoutError(DocumentTooLargeError):
    """Converting a legacy office file with LibreOffice took longer than allowed."""


class ConverterUnavailableError(DocumentError):
    """A program needed to read this format (LibreOffice, Tesseract) is not installed or failed."""


class ImplausibleTextError(CorruptDocumentError):
    """A text file decodes, but not to plausible text in any known encoding (garbled characters)."""
