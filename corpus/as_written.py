"""Parse a Traditional Chinese document through its simplified form, keep every field as written.

The clause grammar reads simplified labels (牵头单位, 完成时限, 责任单位); a Taiwanese or Hong
Kong document writes 牽頭單位, 完成時限, 責任單位. So the text is converted with OpenCC (t2s),
parsed, and every extracted string is mapped back to the characters at the same place in the
original: OpenCC's t2s keeps the length of the text, so a span in one is the same span in the
other. Clause text, units, deadlines and titles are cited as the document wrote them; clause
ids are computed from that original text.

Example:
    >>> doc = parse_as_written("一、主要任務\\n（一）推行網辦。\\n牽頭單位：市場監管局", "tw.txt")
    >>> doc.clauses[-1].text, doc.clauses[-1].lead_units
    ('推行網辦。', ('市場監管局',))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from corpus.model import Clause, Document, clause_id
from corpus.parser import ParseReport, parse_text
from corpus.simplify import to_simplified


def parse_as_written(text: str, source: str, report: ParseReport | None = None) -> Document:
    """Parse ``text``; a traditional one through its simplified form, fields mapped back.

    Already simplified text (the usual case) is parsed directly: the conversion is the only
    extra cost. A conversion that changed the text's length (not seen with t2s) is parsed as
    it is, so nothing is cited in characters the document does not have.
    """
    simplified = to_simplified(text)
    if simplified == text or len(simplified) != len(text):
        return parse_text(text, source, report)
    document = parse_text(simplified, source, report)
    back = _Mapper(text, simplified)
    clauses = tuple(_clause_as_written(c, back) for c in document.clauses)
    return replace(
        document,
        text=text,
        title=back(document.title),
        issuer=back(document.issuer) if document.issuer else None,
        doc_number=back(document.doc_number) if document.doc_number else None,
        clauses=clauses,
    )


class _Mapper:
    """Maps a string found in the simplified text to the original characters at that place."""

    def __init__(self, original: str, simplified: str) -> None:
        self.original, self.simplified = original, simplified
        # For strings the parser composed (a title joined from two lines): per character, the
        # original character it most often stands for in this document.
        counts: dict[str, Counter[str]] = {}
        for s, o in zip(simplified, original, strict=True):
            if s != o:
                counts.setdefault(s, Counter())[o] += 1
        self.chars = {s: c.most_common(1)[0][0] for s, c in counts.items()}

    def __call__(self, found: str, start: int = 0, end: int | None = None) -> str:
        """``found`` as written: looked up within ``start:end`` first, then anywhere."""
        if not found:
            return found
        at = self.simplified.find(found, start, end)
        if at < 0:
            at = self.simplified.find(found)
        if at >= 0:
            return self.original[at : at + len(found)]
        return "".join(self.chars.get(ch, ch) for ch in found)


def _clause_as_written(clause: Clause, back: _Mapper) -> Clause:
    span = (clause.start, clause.end)
    text = back(clause.text, *span)
    deadline = clause.deadline
    if deadline is not None:
        deadline = replace(deadline, text=back(deadline.text, *span))
    return replace(
        clause,
        id=clause_id(clause.source, clause.path, text),
        title=back(clause.title),
        headings=tuple(back(h) for h in clause.headings),
        text=text,
        lead_units=tuple(back(u, *span) for u in clause.lead_units),
        units=tuple(back(u, *span) for u in clause.units),
        deadline=deadline,
    )
