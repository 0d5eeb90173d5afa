"""ZIP-based files (docx, xlsx, ofd): members read with their unpacked bytes counted as they stream.

A ZIP's directory declares each member's size, but a hostile file may lie, and a real zip bomb
declares its true, huge size. Neither is trusted: every byte that comes out of the decompressor
is counted, and reading stops as soon as the total passes ``ReadLimits.max_unpacked_bytes``, so
memory and time stay bounded by that figure whatever the file says.

Example:
    >>> with BoundedZip(data, "plan.ofd", DEFAULT_LIMITS, "OFD") as archive:
    ...     xml = archive.read("OFD.xml")
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from types import TracebackType

from corpus.errors import CorruptDocumentError, UnpackedSizeError
from corpus.limits import ReadLimits

# Decompress in pieces this big, so no single read can allocate much more than it.
_CHUNK = 64 * 1024


class BoundedZip:
    """A ZIP archive whose members are read with a shared budget of unpacked bytes.

    Args:
        data: the file's bytes.
        name: the file name, for error messages.
        limits: ``max_unpacked_bytes`` is the budget for all reads together.
        kind: the format's name for messages ("DOCX", "XLSX", "OFD").

    Raises:
        CorruptDocumentError: the bytes are not a ZIP archive.
    """

    def __init__(self, data: bytes, name: str, limits: ReadLimits, kind: str) -> None:
        self.name, self.kind, self.limits = name, kind, limits
        self.unpacked = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except Exception as exc:  # BadZipFile, NotImplementedError ("zip file version 6.4"), OSError, ...
            raise CorruptDocumentError(f"{name} is not a {kind} file (not a ZIP archive): {exc}") from exc

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        """The member names, in directory order."""
        return self._zip.namelist()

    def read(self, member: str, keep: bool = True) -> bytes:
        """The unpacked bytes of ``member`` (``b""`` with ``keep=False``: only counted and checked).

        Raises:
            UnpackedSizeError: the reads so far unpack to more than ``max_unpacked_bytes``.
            CorruptDocumentError: the member is missing, damaged or fails its checksum.
        """
        parts = [chunk for chunk in self.stream(member) if keep]
        return b"".join(parts)

    def stream(self, member: str) -> Iterator[bytes]:
        """The unpacked bytes of ``member`` in chunks of at most 64 KiB, counted against the budget.

        Raises:
            UnpackedSizeError, CorruptDocumentError: as :meth:`read`.
        """
        try:
            with self._zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    self.unpacked += len(chunk)
                    if self.unpacked > self.limits.max_unpacked_bytes:
                        raise UnpackedSizeError(
                            f"{self.name} unpacks to more than {self.limits.describe('max_unpacked_bytes')} bytes "
                            f"(stopped in member {member!r}); a {self.kind} this large is refused",
                            "max_unpacked_bytes",
                            self.limits.max_unpacked_bytes,
                        )
                    yield chunk
        except UnpackedSizeError:
            raise
        except KeyError as exc:
            raise CorruptDocumentError(f"{self.name} is not a {self.kind} file: it has no {member!r}") from exc
        except Exception as exc:  # BadZipFile (bad CRC, lying sizes), zlib.error, EOFError, NotImplementedError
            raise CorruptDocumentError(
                f"cannot read {self.kind} {self.name}: member {member!r} is damaged: {type(exc).__name__}: {exc}"
            ) from exc

    def check_all(self) -> None:
        """Stream every member once, so a library that reads the archive later stays within bounds.

        Raises:
            UnpackedSizeError, CorruptDocumentError: as :meth:`read`.
        """
        for info in self._zip.infolist():
            if not info.is_dir():
                self.read(info.filename, keep=False)


def check_zip(data: bytes, name: str, limits: ReadLimits, kind: str) -> None:
    """Refuse a ZIP-based file that is not a ZIP, is damaged, or unpacks beyond the bound.

    Raises:
        CorruptDocumentError: not a ZIP archive, or a member fails to unpack or its checksum.
        UnpackedSizeError: the members unpack to more than ``limits.max_unpacked_bytes``.
    """
    with BoundedZip(data, name, limits, kind) as archive:
        archive.check_all()


def scan_member(archive: BoundedZip, member: str, pattern: re.Pattern[bytes], tail: int = 64) -> list[bytes]:
    """Every match of ``pattern`` in ``member``, read in counted chunks without keeping the member.

    ``tail`` bytes of each chunk are carried into the next so a match across a boundary is found.
    """
    found: list[bytes] = []
    carry = b""
    for chunk in archive.stream(member):
        data = carry + chunk
        cut = max(0, len(data) - tail)
        found.extend(m.group(1) for m in pattern.finditer(data) if m.end() <= cut)
        carry = data[cut:]
    found.extend(m.group(1) for m in pattern.finditer(carry))
    return found
