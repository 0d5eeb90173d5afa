"""Citation units at answer time: a title and its body paragraphs are cited once, title above body.

Example:
    >>> units = CitationUnits.from_clauses(clauses)
    >>> units.head("…id of 「主要做法:…」…") == "…id of 「案例1:国际贸易“单一窗口”(上海自贸试验区提供)。」…"
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus.model import Clause
from index.chunks import citation_units


@dataclass(frozen=True, slots=True)
class CitationUnits:
    """Which clauses are cited together (see :func:`index.chunks.citation_units`)."""

    by_id: dict[str, Clause]
    bodies: dict[str, tuple[str, ...]]
    heads: dict[str, str]

    @classmethod
    def from_clauses(cls, clauses: Sequence[Clause]) -> CitationUnits:
        """The units of ``clauses`` (in document order)."""
        bodies = citation_units(clauses)
        heads = {b: title for title, body in bodies.items() for b in body}
        return cls({c.id: c for c in clauses}, bodies, heads)

    def head(self, clause_id: str) -> str:
        """The id of the clause a unit is cited by: its title (a clause outside any unit is its own)."""
        return self.heads.get(clause_id, clause_id)

    def body(self, head_id: str) -> tuple[Clause, ...]:
        """The body paragraphs of the unit titled ``head_id`` (empty for a clause without body)."""
        return tuple(self.by_id[b] for b in self.bodies.get(head_id, ()))


def fields_clause(head: Clause, body: Sequence[Clause]) -> Clause:
    """The unit's fields, each from the title when it has it, else from the first body paragraph
    that does: the units (lead with the others) and the deadline are taken separately.

    「主要做法:…由上海市口岸办牵头」 under a case title gives the unit its lead; a heading that carries
    the section's deadline over a paragraph that names who builds the system gives both.
    """
    if not body:
        return head
    has_units = head.lead_units or head.units
    who = head if has_units else next((b for b in body if b.lead_units or b.units), head)
    when = head if head.deadline else next((b for b in body if b.deadline), head)
    if who is head and when is head:
        return head
    return replace(
        head,
        lead_units=who.lead_units,
        units=who.units,
        lead_source=who.lead_source,
        units_source=who.units_source,
        deadline=when.deadline,
        deadline_source=when.deadline_source,
    )
