"""Citation units at answer time: a title and its body paragraphs are cited once, title above body.

Example:
    >>> units = CitationUnits.from_clauses(clauses)
    >>> units.head("…id of 「主要做法:…」…") == "…id of 「案例1:国际贸易“单一窗口”(上海自贸试验区提供)。」…"
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    """The member whose fields the unit answers with: the title when it names a unit or a deadline,
    else the first body paragraph that does (「主要做法:…由上海市口岸办牵头」 under a case title)."""
    if head.lead_units or head.units or head.deadline:
        return head
    return next((b for b in body if b.lead_units or b.units or b.deadline), head)
