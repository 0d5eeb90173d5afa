"""The task ledger (任务台账): every task clause with its units and deadline, filterable.

Example:
    >>> from corpus import BUNDLED_CORPUS_DIR
    >>> from corpus.reader import read_corpus
    >>> docs = read_corpus([BUNDLED_CORPUS_DIR]).documents
    >>> rows = filter_tasks(docs, TaskFilter(unit="市市场监管局", source="003_f31d9fd870de6b80.txt"))
    >>> rows[0].deadline.text
    '2023年8月底前'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from corpus.aliases import same_unit
from corpus.errors import InvalidQueryError
from corpus.model import Clause, DeadlineKind, Document
from corpus.records import ClauseRecord
from corpus.status import TaskStatus, is_iso_date, reference_date, task_status
from corpus.status import status_counts as status_counts  # re-exported: the ledger's chips count by status


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Filters over the ledger; every given filter must hold.

    Attributes:
        unit: a unit name, alias-aware ("市场监管局" finds "市市场监管局"); lead or other unit.
        lead_only: with ``unit``, only tasks the unit leads.
        due_before: ISO date; tasks whose normalised deadline is on or before it.
        due_after: ISO date; tasks whose normalised deadline is on or after it.
        ongoing: only ongoing tasks ("持续推进").
        source: a document file name.
        statuses: only tasks in one of these statuses on the reference date (empty: any).
        as_of: the reference date of ``statuses``, ISO ``YYYY-MM-DD``; None means today.
    """

    unit: str | None = None
    lead_only: bool = False
    due_before: str | None = None
    due_after: str | None = None
    ongoing: bool = False
    source: str | None = None
    statuses: tuple[TaskStatus, ...] = ()
    as_of: str | None = None

    def __post_init__(self) -> None:
        for name in ("due_before", "due_after", "as_of"):
            value = getattr(self, name)
            if value is not None and not is_iso_date(value):
                raise InvalidQueryError(f"{name} must be an ISO date YYYY-MM-DD, got {value!r}")
        if self.lead_only and not self.unit:
            raise InvalidQueryError("lead_only needs a unit to filter on")

    @classmethod
    def from_form(
        cls,
        unit: str | None = None,
        lead_only: bool = False,
        due_before: str | None = None,
        due_after: str | None = None,
        ongoing: bool = False,
        source: str | None = None,
        statuses: tuple[TaskStatus, ...] = (),
        as_of: str | None = None,
    ) -> TaskFilter:
        """A filter from form-like input, where an empty string means "not given".

        Raises:
            InvalidQueryError: a date is not ISO, or lead_only is set without a unit.
        """
        return cls(
            unit or None,
            lead_only,
            due_before or None,
            due_after or None,
            ongoing,
            source or None,
            tuple(statuses),
            as_of or None,
        )

    @property
    def reference(self) -> date:
        """The reference date of the status filter (``as_of``, or today)."""
        return reference_date(self.as_of)

    def matches(self, clause: Clause) -> bool:
        """True when the clause passes every filter."""
        if self.source and clause.source != self.source:
            return False
        if self.unit:
            names = clause.lead_units if self.lead_only else clause.lead_units + clause.units
            if not any(same_unit(self.unit, name) for name in names):
                return False
        deadline = clause.deadline
        if self.ongoing and (deadline is None or deadline.kind != DeadlineKind.ONGOING):
            return False
        if self.due_before or self.due_after:
            if deadline is None or deadline.date is None:
                return False
            if self.due_before and deadline.date > self.due_before:
                return False
            if self.due_after and deadline.date < self.due_after:
                return False
        return not self.statuses or task_status(deadline, self.reference) in self.statuses


def filter_tasks(documents: Iterable[Document], task_filter: TaskFilter | None = None) -> list[Clause]:
    """Task clauses of ``documents`` that pass ``task_filter``, in document order."""
    flt = task_filter or TaskFilter()
    return [c for doc in documents for c in doc.tasks if flt.matches(c)]


#: Column order of the ledger's CSV / Excel / table output.
COLUMNS = (
    "source",
    "title",
    "path",
    "text",
    "lead_units",
    "units",
    "deadline",
    "deadline_date",
    "deadline_kind",
    "status_label",
    "lead_source",
    "units_source",
    "deadline_source",
    "start",
    "end",
    "id",
)


def task_record(clause: Clause, as_of: date | None = None) -> dict[str, Any]:
    """The ledger's JSON record for one clause, as a dict (for the CSV / Excel / table writers),
    with its status on ``as_of`` (default today).

    Keys: those of :class:`corpus.records.ClauseRecord`, which defines them.
    """
    return ClauseRecord.of(clause, as_of).model_dump(mode="json")
