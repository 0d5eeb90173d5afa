"""Building blocks for the second gold set: documents and their hand-written annotations.

Each task is written once, by hand, as the text that goes into the document plus the fields a
reader takes from that text (``G``). Nothing here parses: the label text in a document is typed
literally next to the values it states, so the gold comes from the author, not from code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class G:
    """Fields of one clause as a reader takes them from the text.

    ``lead`` and ``units`` are written "A|B" (a separator that never occurs in a unit name).
    """

    lead: str = ""
    units: str = ""
    deadline: str | None = None
    date: str | None = None
    kind: str | None = None
    note: str = ""

    def record(self, source: str, text: str, layout: str, task: bool = True) -> dict[str, object]:
        """The gold record (prefix is filled in later, once all texts of a document are known)."""
        kind = self.kind
        if kind is None and self.deadline is not None:
            kind = "by_date" if self.date else "unknown"
        rec: dict[str, object] = {
            "source": source,
            "text": text,
            "lead_units": [u for u in self.lead.split("|") if u],
            "units": [u for u in self.units.split("|") if u],
            "deadline": self.deadline,
            "deadline_date": self.date,
            "kind": kind,
            "layout": layout,
            "task": task,
        }
        if self.note:
            rec["note"] = self.note
        return rec


NONE = G()


@dataclass
class TextDoc:
    """A document as paragraphs (one per line), with its gold records."""

    name: str
    layout: str
    lines: list[str] = field(default_factory=list)
    gold: list[dict[str, object]] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        """Paragraphs that are not annotated (titles, headings, label lines, chrome)."""
        self.lines.extend(lines)

    def item(self, marker: str, text: str, tail: str, g: G, layout: str = "", after: tuple[str, ...] = ()) -> None:
        """A task clause: ``marker + text + tail`` then its own label lines ``after``."""
        self.lines.append(marker + text + tail)
        self.lines.extend(after)
        self.gold.append(g.record(self.name, text, layout or self.layout))

    def nontask(
        self, text: str, note: str = "closing / requirement / signature line, not a task", marker: str = ""
    ) -> None:
        """A paragraph that must not become a task (kind m); ``marker`` is a number before it ("2.")."""
        self.lines.append(marker + text)
        self.gold.append(G(note=note).record(self.name, text, "m", task=False))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def with_prefixes(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """Replace each record's full text by the shortest prefix (>= 16 chars) unique in its document."""
    out: list[dict[str, object]] = []
    for rec in records:
        text = str(rec["text"])
        others = [str(r["text"]) for r in records if r is not rec and r["source"] == rec["source"]]
        # A table row's prefix comes from its first text column (``first``), even when that is
        # shorter than 16 characters; only a prefix that is not unique runs on into the joined text.
        n = min(16, len(str(rec.get("first", text))))
        if any(o.startswith(text[:n]) for o in others):
            n = max(n, 16)
        while n < len(text) and any(o.startswith(text[:n]) for o in others):
            n += 1
        prefix = text[:n]
        row = {"source": rec["source"], "prefix": prefix}
        row.update({k: v for k, v in rec.items() if k not in ("source", "text", "first")})
        out.append(row)
    return out
