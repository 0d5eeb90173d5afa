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
