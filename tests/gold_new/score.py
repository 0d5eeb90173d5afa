"""Score the parser against the second gold set (tests/gold_new/fields.jsonl).

Prints per-field exact match and coverage, overall and per layout, plus the non-task paragraphs
that came out as tasks. Run from the repository root:

    PYTHONPATH=$PWD python tests/gold_new/score.py [--wrong]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corpus.model import Clause, Document
from corpus.reader import read_corpus

HERE = Path(__file__).resolve().parent
GOLD = HERE / "fields.jsonl"
DOCS = HERE / "docs"
FIELDS = ("lead_units", "units", "deadline", "deadline_date")
LAYOUTS = {
    "a": "inline brackets, deadline inside",
    "b": "〔〕 / 【】 / other bracket labels",
    "c": "labels on own lines, other names",
    "d": "prose 牵头 / 配合 / 负责",
    "e": ".docx tables",
    "f": ".xlsx task list",
    "g": "PDF, wrapped lines, inline labels",
    "h": "HTML in site chrome",
    "i": "unit lists with 和 / 及, tails",
    "j": "deadline variety",
    "k": "section labels passed down",
    "l": "bundle of department plans",
    "m": "closing / signature / chrome (not tasks)",
}


@dataclass(frozen=True)
class Comparison:
    """One gold entry, the clause its prefix names (None when absent), and the fields that differ."""

    gold: dict[str, object]
    clause: Clause | None
    wrong: tuple[str, ...]


def load_gold(path: Path = GOLD) -> list[dict[str, object]]:
    """The gold entries, one per line of the JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def value(clause: Clause, name: str) -> object:
    """A clause's field in the gold file's shape."""
    if name == "lead_units":
        return list(clause.lead_units)
    if name == "units":
        return list(clause.units)
    if name == "deadline":
        return clause.deadline.text if clause.deadline else None
    return clause.deadline.date if clause.deadline else None


def compare(documents: Iterable[Document], gold: list[dict[str, object]]) -> list[Comparison]:
    """Match each gold entry to the first clause of its document whose text starts with its prefix."""
    by_source = {d.source: d for d in documents}
    out: list[Comparison] = []
    for entry in gold:
        doc = by_source.get(str(entry["source"]))
        prefix = str(entry["prefix"])
        named = [c for c in doc.clauses if c.text.startswith(prefix)] if doc else []
        if not entry["task"]:
            # A non-task prefix may also start a title; any task among the clauses it names is a fault.
            named = [c for c in named if c.is_task] or named
        clause = named[0] if named else None
        if clause is None:
            out.append(Comparison(entry, None, FIELDS))
            continue
        out.append(Comparison(entry, clause, tuple(f for f in FIELDS if value(clause, f) != entry[f])))
    return out


@dataclass(frozen=True)
class Run:
    """A scoring run: the comparisons, the files the reader refused, and the documents it read."""

    comparisons: list[Comparison]
    failures: list[tuple[str, str]]
    sources: frozenset[str]


def run() -> Run:
    """Read the gold documents with the product's reader and compare them with the gold."""
    result = read_corpus([DOCS])
    sources = frozenset(d.source for d in result.documents)
    return Run(compare(result.documents, load_gold()), result.failures, sources)


def tasks(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.gold["task"]]


def non_task_violations(comparisons: list[Comparison]) -> list[Comparison]:
    """Non-task entries (closing lines, chrome) that the parser made into tasks.

    A signature line such as "白鹭县人民政府办公室" also starts the title line, so every clause
    with the prefix is checked, not only the first (``Comparison.clause`` is the first task among them).
    """
    return [c for c in comparisons if not c.gold["task"] and c.clause is not None and c.clause.is_task]


def rates(comparisons: list[Comparison]) -> dict[str, float]:
    """Coverage and per-field exact match over task entries (a missing clause is wrong on every field)."""
    n = len(comparisons) or 1
    out = {"coverage": sum(c.clause is not None for c in comparisons) / n}
    for f in FIELDS:
        out[f] = sum(f not in c.wrong for c in comparisons) / n
    return out


def table(comparisons: list[Comparison]) -> str:
    """Markdown table: overall and per layout."""
    task_rows = tasks(comparisons)
    head = "| layout | n | coverage | " + " | ".join(FIELDS) + " |"
    lines = [head, "|" + "---|" * (len(FIELDS) + 3)]

    def row(label: str, rows: list[Comparison]) -> str:
        r = rates(rows)
        cells = " | ".join(f"{r[k]:.1%}" for k in ("coverage", *FIELDS))
        return f"| {label} | {len(rows)} | {cells} |"

    lines.append(row("**all**", task_rows))
    for letter, name in LAYOUTS.items():
        rows = [c for c in task_rows if letter in str(c.gold["layout"]).split(",")]
        if rows:
            lines.append(row(f"{letter} {name}", rows))
    non_task = [c for c in comparisons if not c.gold["task"]]
    lines.append(f"\nnon-task entries: {len(non_task)}, made into tasks: {len(non_task_violations(comparisons))}")
    return "\n".join(lines)


def wrong_detail(comparisons: list[Comparison]) -> str:
    """One line per disagreement, for adjudication."""
    out: list[str] = []
    for c in tasks(comparisons):
        if c.clause is None:
            out.append(f"{str(c.gold['source'])[:2]} MISSING {c.gold['prefix']}")
            continue
        for f in c.wrong:
            out.append(
                f"{str(c.gold['source'])[:2]} {f} {c.gold['prefix']}: gold={c.gold[f]!r} got={value(c.clause, f)!r}"
            )
    for c in non_task_violations(comparisons):
        assert c.clause is not None
        out.append(
            f"{str(c.gold['source'])[:2]} NOT-A-TASK {c.gold['prefix']}: lead={c.clause.lead_units} "
            f"units={c.clause.units} deadline={c.clause.deadline}"
        )
    return "\n".join(out)


def main(argv: list[str]) -> None:
    result = run()
    comparisons = result.comparisons
    for name, message in result.failures:
        print(f"unreadable: {name}: {message}")
    for path in sorted(DOCS.iterdir()):
        if path.name not in result.sources:
            print(f"not read: {path.name}")
    print(table(comparisons))
    if "--wrong" in argv:
        print(wrong_detail(comparisons))


if __name__ == "__main__":
    main(sys.argv[1:])
