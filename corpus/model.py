"""Typed records that flow from the corpus stage to every later stage.

A policy document becomes a :class:`Document` holding a flat, ordered list of
:class:`Clause` records. Each clause knows where it sits (number path, heading
path, character span in the source text) and carries the three fields staff
rely on: lead units, other units and the deadline, each with its provenance.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class DeadlineKind(StrEnum):
    """How a deadline reads once normalised."""

    BY_DATE = "by_date"  # "2023年8月底前" -> finish by 2023-08-31
    ONGOING = "ongoing"  # "持续推进", "持续实施"
    RECURRING = "recurring"  # "每年", "每季度"
    FROM_DATE = "from_date"  # "自2020年8月1日开始"
    UNKNOWN = "unknown"  # written, but no date could be read from it


class FieldSource(StrEnum):
    """Where a clause's field value came from."""

    OWN = "own"  # a label on the clause itself: "(牵头单位:…)", "完成时限:…"
    PROSE = "prose"  # the clause's prose: "此项措施由武汉海关实施"
    INHERITED = "inherited"  # an enclosing section's labels
    PLAN = "plan"  # the (sub-)document as a whole: its issuer or "三、完成时限"


class ClauseKind(StrEnum):
    """What role a clause plays in the document's structure."""

    HEADING = "heading"  # a numbered or theme heading that has sub-clauses
    ITEM = "item"  # a numbered item with no sub-clauses
    TEXT = "text"  # an unnumbered paragraph placed in its section


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as written plus its normalised reading.

    Attributes:
        text: the deadline as written, without its label, e.g. "2023年8月底前".
        date: ISO date ``YYYY-MM-DD`` (the last day the text allows), or None.
        kind: how the deadline reads, see :class:`DeadlineKind`.
    """

    text: str
    date: str | None
    kind: DeadlineKind


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a policy document: the unit of citation and retrieval.

    Attributes:
        id: content hash of (source, path, text); stable across rebuilds.
        source: file name of the document, e.g. "003_f31d9fd870de6b80.txt".
        title: title of the (sub-)document the clause belongs to.
        path: number path as written, e.g. "四、(一) 1.(3)"; "" for preamble text.
        headings: heading texts from the top of the (sub-)document down to the parent.
        text: the clause's own text, without its number and its unit/deadline labels.
        start: offset of ``text`` in the source text.
        end: end offset (exclusive) of the clause, labels included.
        kind: heading, item or text.
        lead_units: lead units (牵头单位) as written.
        units: other responsible units (责任/参加/配合单位) as written, leads excluded.
        deadline: the deadline, or None.
        lead_source, units_source, deadline_source: provenance of each field.
    """

    id: str
    source: str
    title: str
    path: str
    headings: tuple[str, ...]
    text: str
    start: int
    end: int
    kind: ClauseKind
    lead_units: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    deadline: Deadline | None = None
    lead_source: FieldSource | None = None
    units_source: FieldSource | None = None
    deadline_source: FieldSource | None = None

    @property
    def is_task(self) -> bool:
        """True when the clause names a unit or a deadline (own or inherited).

        Structural headings such as "1.落实举措。" or "2.评估目标。" only group their
        sub-clauses; they carry inherited fields but are not tasks of their own.
        """
        if self.kind == ClauseKind.HEADING and len(self.text.strip().rstrip("。:：")) <= 8:
            return False
        return bool(self.lead_units or self.units or self.deadline)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; ``from_dict`` reads it back unchanged."""
        d = asdict(self)
        d["headings"] = list(self.headings)
        d["lead_units"] = list(self.lead_units)
        d["units"] = list(self.units)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Clause:
        """Inverse of :meth:`to_dict`."""
        dl = d.get("deadline")
        return cls(
            id=d["id"],
            source=d["source"],
            title=d["title"],
            path=d["path"],
            headings=tuple(d["headings"]),
            text=d["text"],
            start=int(d["start"]),
            end=int(d["end"]),
            kind=ClauseKind(d["kind"]),
            lead_units=tuple(d.get("lead_units", ())),
            units=tuple(d.get("units", ())),
            deadline=Deadline(dl["text"], dl["date"], DeadlineKind(dl["kind"])) if dl else None,
            lead_source=_source(d.get("lead_source")),
            units_source=_source(d.get("units_source")),
            deadline_source=_source(d.get("deadline_source")),
        )


def _source(value: str | None) -> FieldSource | None:
    return FieldSource(value) if value else None


def clause_id(source: str, path: str, text: str) -> str:
    """Content hash used as the clause id (16 hex chars of SHA-256)."""
    digest = hashlib.sha256(f"{source}\x1f{path}\x1f{text}".encode()).hexdigest()
    return digest[:16]


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded and parsed policy document.

    Attributes:
        source: file name, the document's id across the product.
        text: the full text the clause spans refer to.
        title: the document's title (first title line block).
        issuer: issuing body where the text names one, else None.
        doc_number: 文号 such as "鄂政发〔2018〕50号" cited in the text, else None.
        date: ISO date of the document where the text gives one, else None.
        clauses: clauses in reading order.
        notes: remarks of the loader for the extraction report (e.g. which pages were OCR'd).
        ocr_pages: 1-based numbers of the pages whose text was recognised by OCR.
    """

    source: str
    text: str
    title: str
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    clauses: tuple[Clause, ...] = field(default=())
    notes: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()

    @property
    def tasks(self) -> tuple[Clause, ...]:
        """Clauses that carry a unit or a deadline."""
        return tuple(c for c in self.clauses if c.is_task)
