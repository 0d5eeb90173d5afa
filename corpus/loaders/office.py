"""Legacy office files (.doc, .wps, .rtf): converted to .docx by LibreOffice, then read as .docx.

LibreOffice runs headless in a temporary directory with a profile of its own (two conversions
at once must not share one), under a time limit; its whole process group is killed when the
limit passes. Without LibreOffice the error names the Debian package to install.

Example:
    >>> load_legacy_word(open("通知.doc", "rb").read(), "通知.doc").splitlines()[0]
    '一、总体要求'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from corpus.errors import ConversionTimeoutError, ConverterUnavailableError, CorruptDocumentError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders.docx import load_docx
from corpus.loaders.process import run_bounded

# Debian packages that provide the converter, per target format.
PACKAGES = {"docx": "libreoffice-writer-nogui", "xlsx": "libreoffice-calc-nogui"}
# Magic numbers: an OLE2 compound file (.doc, .wps, .xls, .et), a ZIP (.docx saved as .doc), RTF.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_RTF_MAGIC = b"{\\rtf"


def load_legacy_word(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Read a .doc, .wps or .rtf file (or a .docx misnamed as one) through LibreOffice.

    Args:
        data: the file's bytes.
        name: the file name; its suffix tells LibreOffice the format.
        limits: ``convert_seconds`` bounds the conversion, the .docx bounds apply after it.

    Returns:
        The text, as :func:`corpus.loaders.docx.load_docx` reads the converted file.

    Raises:
        CorruptDocumentError: the bytes are not a Word/WPS/RTF file, or LibreOffice cannot convert them.
        ConverterUnavailableError: LibreOffice is not installed (the message names the package).
        ConversionTimeoutError: it did not finish within ``limits.convert_seconds``.
    """
    if data.startswith(ZIP_MAGIC):
        return load_docx(data, name, limits)  # a .docx saved under an old name
    if not (data.startswith(OLE_MAGIC) or data.lstrip()[:5] == _RTF_MAGIC):
        raise CorruptDocumentError(f"{name} is not a Word, WPS or RTF file (no OLE2 or RTF header)")
    return load_docx(convert(data, name, "docx", limits), name, limits)


def convert(data: bytes, name: str, target: str, limits: ReadLimits = DEFAULT_LIMITS) -> bytes:
    """Convert a file to ``target`` ("docx" or "xlsx") with LibreOffice headless.

    Raises:
        ConverterUnavailableError: no ``soffice`` on PATH.
        ConversionTimeoutError: it ran past ``limits.convert_seconds``.
        CorruptDocumentError: LibreOffice wrote no output (it could not read the file).
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ConverterUnavailableError(
            f"reading {name} needs LibreOffice, which is not installed: "
            f"apt-get install {PACKAGES.get(target, PACKAGES['docx'])}"
        )
    suffix = Path(name).suffix.lower() or ".bin"
    with tempfile.TemporaryDirectory(prefix="policyqa-convert-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"  # a fixed name: the upload's name never reaches the command line
        source.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        log = _run(command, limits, name, home=work)
        output = work / "out" / f"input.{target}"
        if not output.is_file():
            detail = log.strip().splitlines()[-1] if log.strip() else "no output"
            raise CorruptDocumentError(f"LibreOffice could not convert {name} to {target}: {detail}")
        return output.read_bytes()


def _run(command: list[str], limits: ReadLimits, name: str, home: Path) -> str:
    """Run LibreOffice in its own process group; kill the group when ``convert_seconds`` pass."""
    # soffice starts soffice.bin as a child: killing only the direct child would leave it running.
    env = {**os.environ, "HOME": str(home)}  # nothing written to the service user's home
    try:
        _, out, _ = run_bounded(command, timeout=limits.convert_seconds, env=env, merge_stderr=True)
    except subprocess.TimeoutExpired:
        raise ConversionTimeoutError(
            f"LibreOffice did not convert {name} within {limits.describe('convert_seconds')} seconds",
            "convert_seconds",
            limits.convert_seconds,
        ) from None
    return out.decode("utf-8", "replace")
