"""Building blocks of a gold document: items, non-task lines, tables; each carries its annotation."""

from __future__ import annotations

from dataclasses import dataclass, field

from common import Entry, none


@dataclass
class Item:
    """A clause line: marker + text + label tail; ``marker == "#"`` is Word automatic numbering."""

    marker: str
    text: str
    tail: str
    entry: Entry | None

    @property
    def line(self) -> str:
        return self.text + self.tail if self.marker == "#" else self.marker + self.text + self.tail


@dataclass
class Row:
    """A table data row (cells as written) and its annotation; the prefix is the text column."""

    cells: list[str]
    entry: Entry | None
    span: dict[int, int] = field(default_factory=dict)  # column -> rowspan (html) / vertical merge (docx)


@dataclass
class Table:
    """A task table: header, rows (a str row is a merged category row)."""

    header: list[str]
    rows: list[Row | str]


Block = str | Item | Table


def it(
    marker: str,
    text: str,
    tail: str,
    lead: list[str],
    units: list[str],
    dl: str | None = None,
    note: str = "",
    prefix_len: int = 16,
) -> Item:
    """A task item; its prefix is the first 16 characters of ``text`` (no marker, no labels)."""
    return Item(marker, text, tail, Entry(text[:prefix_len], lead, units, dl, note=note))


def nt(text: str, note: str = "", whole: bool = False) -> Item:
    """A line that must not be a task; ``whole`` makes the prefix the whole line (to keep it unique)."""
    entry = none(text, note)
    if whole:
        entry.prefix = text
    return Item("", text, "", entry)


def plain(text: str) -> Item:
    """A line with no gold entry (title, salutation, heading)."""
    return Item("", text, "", None)


def row(
    cells: list[str],
    text_col: int,
    lead: list[str],
    units: list[str],
    dl: str | None,
    note: str = "",
    span: dict[int, int] | None = None,
) -> Row:
    """A task row; prefix = the text column's first 16 characters (whole when shorter)."""
    return Row(cells, Entry(cells[text_col][:16], lead, units, dl, note=note), span or {})
