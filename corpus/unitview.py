"""One unit's tasks across every document (督办 by unit): lead or participating, grouped by status.

Names are matched alias-aware (:func:`corpus.aliases.same_unit`): "市场监管局" finds the tasks of
"市市场监管局" wherever a document writes it, and "市发改委" those of "市发展改革委".

Example:
    >>> view = unit_view(clauses, "市商务局", date(2021, 1, 19))
    >>> view.counts()["overdue"], view.lead_count
    (0, 25)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from corpus.aliases import canonical_unit, same_unit
from corpus.errors import InvalidQueryError
from corpus.ledger import task_record
from corpus.model import Clause
from corpus.status import STATUS_LABELS, TaskStatus, task_status

Role = Literal["lead", "participating"]
#: Chinese names of the two roles.
ROLE_LABELS: dict[Role, str] = {"lead": "牵头", "participating": "配合"}


@dataclass(frozen=True, slots=True)
class UnitTask:
    """One task of a unit: the clause, the unit's role in it and its status on the view's date."""

    clause: Clause
    role: Role
    status: TaskStatus

    def record(self, as_of: date) -> dict[str, Any]:
        """The ledger record of the clause plus ``role`` and ``role_label``."""
        return {**task_record(self.clause, as_of), "role": self.role, "role_label": ROLE_LABELS[self.role]}


@dataclass(frozen=True, slots=True)
class UnitView:
    """Every task of one unit on a reference date.

    Attributes:
        unit: the unit as asked.
        names: the names the documents write it with (alias-aware matches), most frequent first.
        as_of: the reference date of the statuses.
        tasks: the unit's tasks, by status (table order), then deadline date, then document order.
    """

    unit: str
    names: tuple[str, ...]
    as_of: date
    tasks: tuple[UnitTask, ...]

    @property
    def lead_count(self) -> int:
        """How many of the tasks the unit leads."""
        return sum(1 for t in self.tasks if t.role == "lead")

    def counts(self) -> dict[str, int]:
        """Tasks per status code, every status in table order."""
        counts = {str(s): 0 for s in STATUS_LABELS}
        for task in self.tasks:
            counts[str(task.status)] += 1
        return counts

    def counts_by_status(self) -> dict[TaskStatus, int]:
        """Tasks per status, every status in table order."""
        return {s: self.counts()[str(s)] for s in STATUS_LABELS}

    def groups(self) -> list[tuple[TaskStatus, list[UnitTask]]]:
        """The tasks grouped by status, in table order; empty groups left out."""
        grouped: dict[TaskStatus, list[UnitTask]] = {s: [] for s in STATUS_LABELS}
        for task in self.tasks:
            grouped[task.status].append(task)
        return [(status, tasks) for status, tasks in grouped.items() if tasks]

    def to_dict(self) -> dict[str, Any]:
        """JSON: unit, names, as_of, count, lead, participating, counts, groups of task records."""
        return {
            "unit": self.unit,
            "names": list(self.names),
            "as_of": self.as_of.isoformat(),
            "count": len(self.tasks),
            "lead": self.lead_count,
            "participating": len(self.tasks) - self.lead_count,
            "counts": self.counts(),
            "groups": [
                {
                    "status": str(status),
                    "label": STATUS_LABELS[status],
                    "count": len(tasks),
                    "tasks": [t.record(self.as_of) for t in tasks],
                }
                for status, tasks in self.groups()
            ],
        }


@lru_cache(maxsize=65536)
def _same(unit: str, name: str) -> bool:
    # Every unit's view compares ~190 units with ~400 written names across ~750 tasks: cache the pairs.
    return same_unit(unit, name)


def unit_role(clause: Clause, unit: str) -> Role | None:
    """The role of ``unit`` in ``clause`` (alias-aware): lead, participating, or None."""
    if any(_same(unit, name) for name in clause.lead_units):
        return "lead"
    if any(_same(unit, name) for name in clause.units):
        return "participating"
    return None


def unit_view(clauses: Iterable[Clause], unit: str, as_of: date) -> UnitView:
    """Every task clause naming ``unit`` (lead or other unit), with its role and status on ``as_of``.

    Raises:
        InvalidQueryError: ``unit`` is empty.
    """
    if not unit or not unit.strip():
        raise InvalidQueryError("unit must not be empty")
    unit = unit.strip()
    order = {s: i for i, s in enumerate(STATUS_LABELS)}
    found: list[tuple[int, UnitTask]] = []
    names: dict[str, int] = {}
    for position, clause in enumerate(c for c in clauses if c.is_task):
        role = unit_role(clause, unit)
        if role is None:
            continue
        for name in clause.lead_units + clause.units:
            if _same(unit, name):
                names[name] = names.get(name, 0) + 1
        found.append((position, UnitTask(clause, role, task_status(clause.deadline, as_of))))

    def key(item: tuple[int, UnitTask]) -> tuple[int, str, int]:
        position, task = item
        due = task.clause.deadline.date if task.clause.deadline and task.clause.deadline.date else "9999"
        return order[task.status], due, position

    tasks = tuple(task for _, task in sorted(found, key=key))
    return UnitView(unit, tuple(sorted(names, key=lambda n: -names[n])), as_of, tasks)


def unit_names(clauses: Iterable[Clause]) -> list[str]:
    """One name per unit named in the task clauses (aliases merged), most tasks first.

    The name kept for a group is the one written most often; a bare name such as "市场监管局"
    joins the first group it matches, so "省市场监管局" and "市市场监管局" stay apart.
    """
    return [name for name, _ in unit_counts(clauses)]


def unit_counts(clauses: Iterable[Clause]) -> list[tuple[str, int]]:
    """(name, mentions) per unit, most first: see :func:`unit_names`.

    ``mentions`` adds up the tasks naming each alias of the unit (an upper bound of its task count).
    """
    frequency: dict[str, int] = {}
    for clause in clauses:
        if clause.is_task:
            for name in dict.fromkeys(clause.lead_units + clause.units):
                frequency[name] = frequency.get(name, 0) + 1
    groups: list[tuple[str, int]] = []  # (representative, tasks naming any member)
    for name in sorted(frequency, key=lambda n: (-frequency[n], n)):
        if not canonical_unit(name):
            continue
        for i, (rep, count) in enumerate(groups):
            if same_unit(rep, name):
                groups[i] = (rep, count + frequency[name])
                break
        else:
            groups.append((name, frequency[name]))
    return sorted(groups, key=lambda g: -g[1])


def unit_views(clauses: Sequence[Clause], as_of: date, units: Sequence[str] | None = None) -> list[UnitView]:
    """The views of ``units`` (default: every unit of :func:`unit_names`), in that order."""
    return [unit_view(clauses, unit, as_of) for unit in (units if units is not None else unit_names(clauses))]
