"""Building blocks of the fourth blind gold set: a document is lines (or tables) with their gold.

Every task line is written with ``T`` (or a table row with ``Row``): the text as the clause text, the
label blocks exactly as they appear in the document, and the gold fields written by hand next to it.
The prefix is the first 16 characters of the clause text (the first text column for table rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Gold:
    """One hand-written gold entry."""

    prefix: str
    lead_units: list[str]
    units: list[str]
    deadline: str | None
    deadline_date: str | None
    kind: str | None
    layout: str
    task: bool
    note: str = ""


@dataclass
class Doc:
    """A document being written: its lines (paragraphs), tables and gold entries."""

    name: str
    layout: str
    lines: list[object] = field(default_factory=list)
    gold: list[Gold] = field(default_factory=list)

    def add(self, *items: object) -> None:
        """Append plain lines (headings, prose, chrome) or tables."""
        self.lines.extend(items)

    def task(
        self,
        marker: str,
        text: str,
        tail: str = "",
        *,
        lead: tuple[str, ...] = (),
        units: tuple[str, ...] = (),
        dl: str | None = None,
        date: str | None = None,
        kind: str | None = None,
        after: tuple[str, ...] = (),
        before: str = "",
        note: str = "",
        prefix_len: int = 16,
    ) -> None:
        """A task line ``marker + before + text + tail`` then label lines ``after``, with its gold."""
        self.lines.append(f"{marker}{before}{text}{tail}")
        self.lines.extend(after)
        if dl is not None and kind is None:
            kind = "by_date"
        self.gold.append(Gold(text[:prefix_len], list(lead), list(units), dl, date, kind, self.layout, True, note))

    def not_task(self, line: str, note: str = "") -> None:
        """A line that must never be a task (closing, issuer, attachment, 抄送, chrome)."""
        self.lines.append(line)
        self.gold.append(Gold(line[:16], [], [], None, None, None, self.layout, False, note))


@dataclass
class Table:
    """A table: header row, then rows (lists of cells); a row may be a merged category row."""

    header: list[str]
    rows: list[list[str] | str] = field(default_factory=list)
    title: str = ""


def row(
    doc: Doc,
    table: Table,
    cells: list[str],
    *,
    lead: tuple[str, ...] = (),
    units: tuple[str, ...] = (),
    dl: str | None = None,
    date: str | None = None,
    kind: str | None = None,
    text_col: int = 1,
    note: str = "",
) -> None:
    """A data row of ``table`` with its gold; the prefix is the first text column (cut to 16)."""
    table.rows.append(cells)
    if dl is not None and kind is None:
        kind = "by_date"
    doc.gold.append(Gold(cells[text_col][:16], list(lead), list(units), dl, date, kind, doc.layout, True, note))
