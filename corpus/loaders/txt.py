"""Plain-text files: bytes -> text, detecting UTF-8, GB18030/GBK, Big5 or UTF-16.

Clause character spans refer to the text this module returns, so apart from
line endings (CRLF and CR become LF) and a leading byte-order mark the text is
kept exactly as decoded.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from corpus.errors import CorruptDocumentError, ImplausibleTextError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders.pipes import render_pipe_tables
from corpus.loaders.plausible import MIN_SHARE, Plausibility, plausibility

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# Control characters other than \t \n \v \f \r do not occur in text, bar a stray one pasted
# from a word processor; many of them mean binary data (or the wrong codec: C1 controls).
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Text may hold one control character, or one undecodable byte (a file cut mid-character),
# per this many characters; more is binary data.
_CHARS_PER_FLAW = 1000
# Legacy Chinese encodings tried after UTF-8, in order of preference when they score alike:
# GB18030 (a superset of GBK and GB2312), Windows Big5 (cp950), then UTF-16 without a BOM.
_LEGACY = ("gb18030", "cp950", "utf-16-le", "utf-16-be")


def load_txt(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Decode a plain-text file and normalise its line endings to ``"\\n"``.

    Args:
        data: the file's bytes.
        name: the file name, for error messages.

    Returns:
        The decoded text, tables typed with "|" rendered as task items; may be blank (the caller
        rejects blank text).

    Raises:
        CorruptDocumentError: the bytes are binary or in no encoding that can be read.
        ImplausibleTextError: every encoding that decodes the bytes yields garbled Chinese.
    """
    return render_pipe_tables(normalise_newlines(decode_text(data, name)))


def decode_text(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode bytes that should be text: BOM, UTF-8, then the most plausible legacy decoding.

    Strict UTF-8 comes first even when the file declares another encoding: bytes that
    decode as UTF-8 are UTF-8 in practice, while pages mislabel themselves often. Then
    ``declared``, GB18030, Big5 (cp950) and UTF-16 without a BOM are each tried strictly and
    scored by the share of common Chinese characters they yield (:mod:`.plausible`); the best
    wins, and a best that is still garbled is refused. A file with a rare undecodable byte
    (cut mid-character; one per 1000 characters at most) is read as UTF-8 or GB18030 with
    U+FFFD in its place. charset-normalizer is the last resort.

    Args:
        data: the bytes.
        name: the file name, for error messages.
        declared: an encoding the file declares for itself (an HTML ``<meta charset>``);
            ignored when Python does not know it.

    Returns:
        The decoded text, byte-order mark removed.

    Raises:
        CorruptDocumentError: NUL bytes or many control characters (binary data), a BOM
            followed by bytes invalid in its encoding, or no encoding that decodes the bytes.
        ImplausibleTextError: the bytes decode, but only to garbled Chinese.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise CorruptDocumentError(
                    f"{name} starts with a {codec} byte-order mark but is not valid {codec}: {exc.reason}"
                ) from exc
            return _refuse_binary(text, name)
    candidates: list[tuple[str, str, Plausibility]] = []
    for codec in ("utf-8", *([declared] if declared else []), *_LEGACY):
        if b"\x00" in data and not codec.startswith("utf-16"):
            continue  # NUL bytes: UTF-16 (ASCII characters have a zero byte) or binary data
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if _is_binary(text):
            continue
        if codec == "utf-8":
            return text  # multi-byte UTF-8 that decodes is UTF-8 in practice
        score = plausibility(text)
        if codec.startswith("utf-16") and not (score.known and score.share >= MIN_SHARE):
            continue  # almost any even-length bytes decode as UTF-16: only real Chinese counts
        candidates.append((codec, text, score))
    if candidates:
        return _most_plausible(candidates, name)
    if b"\x00" in data:
        raise CorruptDocumentError(f"{name} contains NUL bytes: binary data, not text")
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, errors="replace")
        if text.count("\ufffd") * _CHARS_PER_FLAW <= len(text) and not _is_binary(text):
            return text
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding.startswith(("utf_16", "utf_32")):  # UTF-16 without a BOM: a guess
        raise CorruptDocumentError(
            f"{name} is not text in UTF-8, GB18030/GBK, Big5, UTF-16 or any encoding that could be detected"
        )
    text = _refuse_binary(str(best), name)
    return _most_plausible([(best.encoding, text, plausibility(text))], name)


def _most_plausible(candidates: list[tuple[str, str, Plausibility]], name: str) -> str:
    """The decoding with the largest share of common Chinese characters; refuse if that is low.

    Too few Chinese characters to judge by: the first candidate (the declared encoding or
    GB18030) wins, as before detection existed.
    """
    judged = [c for c in candidates if c[2].known]
    if not judged:
        return candidates[0][1]
    _codec, text, score = max(judged, key=lambda c: c[2].share)  # max keeps the first of equals
    if score.share < MIN_SHARE:
        tried = ", ".join(f"{c}: {p.share:.0%}" for c, _, p in judged)
        raise ImplausibleTextError(
            f"{name} does not decode to plausible Chinese text in any encoding tried (share of common "
            f"characters {tried}; at least {MIN_SHARE:.0%} expected); save it as UTF-8 and retry"
        )
    return text


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR line endings into LF.

    Example:
        >>> normalise_newlines("一、\\r\\n二、\\r三、")
        '一、\\n二、\\n三、'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_binary(text: str) -> bool:
    return len(CONTROL.findall(text)) * _CHARS_PER_FLAW > len(text)


def _refuse_binary(text: str, name: str) -> str:
    """Return ``text`` unless its control characters show it is binary data."""
    if _is_binary(text):
        first = CONTROL.search(text)
        where = f" (U+{ord(first.group()):04X} at offset {first.start()})" if first else ""
        raise CorruptDocumentError(f"{name} holds control characters{where}: binary data, not text")
    return text
