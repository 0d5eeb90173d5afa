"""Small data model shared by the blind gold documents and their generator.

A document is a list of lines. A plain ``str`` is rendered but not annotated (titles, headings);
an ``Item`` is rendered as ``marker + pre + body + suf`` and annotated with the fields a careful
reader takes from the text; ``nt(...)`` is a paragraph that must not be a task.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Due:
    """A deadline as written, its normalised last day (or None) and its kind."""

    text: str
    date: str | None
    kind: str = "by_date"


@dataclass(frozen=True)
class Item:
    """One annotated paragraph (or table row when ``cells`` is set)."""

    body: str
    marker: str = ""
    pre: str = ""
    suf: str = ""
    lead: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    due: Due | None = None
    task: bool = True
    cells: tuple[str, ...] = ()
    note: str = ""
    layout: str = ""

    def rendered(self) -> str:
        """The paragraph as it appears in the document."""
        return f"{self.marker}{self.pre}{self.body}{self.suf}"

    def prefix(self) -> str:
        """First 16 characters of the clause text (whole text when shorter)."""
        return self.body[:16]


def it(
    marker: str,
    body: str,
    suf: str = "",
    *,
    pre: str = "",
    lead: tuple[str, ...] | list[str] = (),
    units: tuple[str, ...] | list[str] = (),
    due: Due | None = None,
    note: str = "",
    layout: str = "",
) -> Item:
    """A task paragraph."""
    return Item(body, marker, pre, suf, tuple(lead), tuple(units), due, True, (), note, layout)


def nt(text: str, note: str = "", *, marker: str = "") -> Item:
    """A paragraph that must not be a task (closing, signature, date, attachment list, preamble)."""
    return Item(text, marker, task=False, note=note)


def row(
    cells: list[str],
    *,
    lead: list[str] | None = None,
    units: list[str] | None = None,
    due: Due | None = None,
    note: str = "",
) -> Item:
    """A table row; ``body`` is its first text column (set by the caller's column map)."""
    return Item("", cells=tuple(cells), lead=tuple(lead or ()), units=tuple(units or ()), due=due, note=note)


@dataclass
class Doc:
    """One document of the blind set."""

    name: str
    layout: str
    lines: list[str | Item] = field(default_factory=list)
