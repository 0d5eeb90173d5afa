"""Shared annotation helpers for the third blind gold set: entries, deadline table, gold rows.

Every field below is written by hand from the document text; nothing is derived by parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Deadline phrase as written -> (normalised date, kind), for documents whose year is 2025.
# Hand-made table (README "Conventions"); the first due date wins in a two-step phrase.
DL25: dict[str, tuple[str | None, str]] = {
    "2025.6": ("2025-06-30", "by_date"),
    "2025.9": ("2025-09-30", "by_date"),
    "2025.12": ("2025-12-31", "by_date"),
    "2025.06.30": ("2025-06-30", "by_date"),
    "2025.10.31": ("2025-10-31", "by_date"),
    "2025-06-30": ("2025-06-30", "by_date"),
    "2025-09-30": ("2025-09-30", "by_date"),
    "2025-12-31": ("2025-12-31", "by_date"),
    "2025年Q2": ("2025-06-30", "by_date"),
    "2025年Q3": ("2025-09-30", "by_date"),
    "2025年Q4": ("2025-12-31", "by_date"),
    "6.30前": ("2025-06-30", "by_date"),
    "12.31前": ("2025-12-31", "by_date"),
    "年中": ("2025-06-30", "by_date"),
    "2025年6月中旬前": ("2025-06-20", "by_date"),
    "9月30日之前": ("2025-09-30", "by_date"),
    "2025年内": ("2025-12-31", "by_date"),
    "2025—2026年度": ("2026-12-31", "by_date"),
    "2025-2026年": ("2026-12-31", "by_date"),
    "长期": (None, "ongoing"),
    "长期坚持": (None, "ongoing"),
    "持续推进": (None, "ongoing"),
    "按时序推进": (None, "ongoing"),
    "每年12月": (None, "recurring"),
    "每季度": (None, "recurring"),
    "每月": (None, "recurring"),
    "2025年底前完成试点、2026年全面推广": ("2025-12-31", "by_date"),
    "2025年6月底前": ("2025-06-30", "by_date"),
    "2025年8月31日前": ("2025-08-31", "by_date"),
    "2025年9月底前": ("2025-09-30", "by_date"),
    "2025年11月底前": ("2025-11-30", "by_date"),
    "2025年底前": ("2025-12-31", "by_date"),
    "年底前": ("2025-12-31", "by_date"),
    "10月底前": ("2025-10-31", "by_date"),
    "7月底前": ("2025-07-31", "by_date"),
    "第三季度": ("2025-09-30", "by_date"),
    "上半年": ("2025-06-30", "by_date"),
    "下半年": ("2025-12-31", "by_date"),
    "年底": ("2025-12-31", "by_date"),
    "2025年6月底前完成": ("2025-06-30", "by_date"),
    "9月30日之前完成": ("2025-09-30", "by_date"),
    "2025年11月底前完成": ("2025-11-30", "by_date"),
}


@dataclass
class Entry:
    """One gold row: the clause's prefix and its hand-written fields."""

    prefix: str
    lead: list[str]
    units: list[str]
    dl: str | None = None
    task: bool = True
    note: str = ""
    date: str | None = None
    kind: str | None = None
    table: dict[str, str] = field(default_factory=dict)

    def row(self, source: str, layout: str, dl_table: dict[str, tuple[str | None, str]]) -> dict[str, object]:
        """The fields.jsonl object (date and kind from the hand table unless given)."""
        date, kind = self.date, self.kind
        if self.dl is not None and kind is None:
            date, kind = dl_table[self.dl]
        return {
            "source": source,
            "prefix": self.prefix,
            "lead_units": self.lead,
            "units": self.units,
            "deadline": self.dl,
            "deadline_date": date,
            "kind": kind,
            "layout": layout,
            "task": self.task,
            "note": self.note,
        }


def none(prefix_text: str, note: str = "") -> Entry:
    """A paragraph that must not be a task (and inherits nothing)."""
    return Entry(prefix_text[:16], [], [], None, task=False, note=note)
