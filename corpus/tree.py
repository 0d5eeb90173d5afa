"""The clause tree under construction: plans (sub-documents) and nodes (clauses with raw fields).

:mod:`corpus.parser` builds it line by line; :mod:`corpus.resolve` turns it into clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import Deadline
from corpus.structure import Marker
from corpus.units import UnitFields


@dataclass(slots=True)
class Plan:
    title: str
    issuers: list[str]
    deadline: Deadline | None = None


@dataclass(slots=True)
class Node:
    """A clause under construction."""

    plan: Plan
    marker: Marker | None
    rank: float
    text: str
    start: int
    end: int
    parent: Node | None
    theme: bool = False
    children: list[Node] = field(default_factory=list)
    own: UnitFields = field(default_factory=UnitFields)  # labels and unit parentheticals
    prose: UnitFields = field(default_factory=UnitFields)  # "由X牵头" in the running text
    prose_deadline: Deadline | None = None
    own_deadline: Deadline | None = None
    labelled_deadline: bool = False  # own_deadline came from a label, which a bare bracket never overrides
    rule: bool = False  # the document's first-listed-is-lead rule is in force here
    closing: bool = False  # a closing/requirement paragraph, issuer or date line: no fields at all
    colon_header: bool = False  # 「名称:(X负责…)」 heading what follows it

    def path(self) -> str:
        labels = [n.marker.label for n in self.lineage() if n.marker]
        return join_path(labels)

    def lineage(self) -> list[Node]:
        chain: list[Node] = []
        node: Node | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def heading(self) -> str:
        first = re.split(r"(?<=[。;；])", self.text, maxsplit=1)[0]
        return first if len(first) <= 40 else first[:40] + "…"


def join_path(labels: list[str]) -> str:
    """ "四、", "(一)", "1.", "(3)" -> "四、(一) 1.(3)": a space before arabic-numbered levels."""
    out = ""
    for label in labels:
        out += (" " if out and label[:1].isdigit() else "") + label
    return out
