"""Score the extractor against a blind gold set: per field, coverage, per layout.

Shared by every ``tests/gold_blind*/score.py`` and by tests/corpus/test_gold_blind_sets.py. A gold
entry is matched to the first clause of its document whose text starts with its prefix. Coverage
counts task entries found; ``not_task`` counts task=false entries that are not ``clause.is_task``
(an entry with no clause at all passes). Field accuracy is over every entry: a task entry with no
clause is wrong on every field.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from corpus.model import Clause, Document
from corpus.reader import read_corpus

FIELDS = ("lead_units", "units", "deadline", "deadline_date")


@dataclass(frozen=True)
class Comparison:
    """One gold entry, the clause it names (or None) and the fields that differ."""

    gold: dict[str, object]
    clause: Clause | None
    wrong: tuple[str, ...]
    task_wrong: bool


def value(clause: Clause | None, name: str) -> object:
    """The clause's value for a gold field (empty for no clause)."""
    if clause is None:
        return [] if name in ("lead_units", "units") else None
    if name == "lead_units":
        return list(clause.lead_units)
    if name == "units":
        return list(clause.units)
    if clause.deadline is None:
        return None
    if name == "deadline":
        return clause.deadline.text
    date = clause.deadline.date
    return None if date is None else str(date)


def _match(text: str, prefix: str, loose: bool) -> bool:
    return prefix in text if loose else text.startswith(prefix)


def _is_task(clause: Clause) -> bool:
    flag = clause.is_task
    return bool(flag() if callable(flag) else flag)


def load_gold(folder: Path) -> list[dict[str, object]]:
    """The gold entries of a set, one dict per line of its fields.jsonl."""
    text = (folder / "fields.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def compare(documents: Iterable[Document], gold: list[dict[str, object]], *, loose: bool = False) -> list[Comparison]:
    """Match every gold entry to its clause and list the fields that differ.

    ``loose`` (a diagnostic, never the test) matches the first clause *containing* the prefix, so
    the fields of clauses whose text kept a label or marker at its start are still compared.
    """
    by_name = {Path(str(d.source)).name: d for d in documents}
    out = []
    for g in gold:
        doc = by_name.get(str(g["source"]))
        prefix = str(g["prefix"])
        clause = next((c for c in doc.clauses if _match(c.text, prefix, loose)), None) if doc else None
        if clause is None and g["task"]:
            out.append(Comparison(g, None, FIELDS, False))
            continue
        wrong = tuple(f for f in FIELDS if value(clause, f) != g[f])
        task_wrong = (not g["task"]) and clause is not None and _is_task(clause)
        out.append(Comparison(g, clause, wrong, task_wrong))
    return out


def rates(rows: list[Comparison]) -> dict[str, float]:
    """Coverage, per-field exact rate and not-task rate of a group of comparisons (nan if empty)."""
    tasks = [c for c in rows if c.gold["task"]]
    others = [c for c in rows if not c.gold["task"]]
    nan = float("nan")
    out = {"n": float(len(rows)), "coverage": sum(c.clause is not None for c in tasks) / len(tasks) if tasks else nan}
    for f in FIELDS:
        out[f] = sum(f not in c.wrong for c in rows) / len(rows) if rows else nan
    out["not_task"] = sum(not c.task_wrong for c in others) / len(others) if others else nan
    return out


def table(comparisons: list[Comparison]) -> str:
    """A per-layout table with an overall row."""
    cols = ("coverage", *FIELDS, "not_task")
    head = f"{'layout':<8}{'n':>5}" + "".join(f"{c:>15}" for c in cols)
    lines = [head, "-" * len(head)]
    layouts = sorted({str(c.gold["layout"]) for c in comparisons})
    for name in [*layouts, "ALL"]:
        rows = comparisons if name == "ALL" else [c for c in comparisons if c.gold["layout"] == name]
        r = rates(rows)
        lines.append(f"{name:<8}{int(r['n']):>5}" + "".join(f"{r[c]:>15.3f}" for c in cols))
    return "\n".join(lines)


def disagreements(comparisons: list[Comparison]) -> list[str]:
    """One line per wrong field, missing clause or non-task read as a task."""
    out = []
    for c in comparisons:
        tag = f"{str(c.gold['source'])[:3]} {c.gold['layout']} {c.gold['prefix']}"
        if c.clause is None and c.gold["task"]:
            out.append(f"{tag}: NOT FOUND")
            continue
        if c.task_wrong:
            out.append(f"{tag}: task=false but is_task")
        for f in c.wrong:
            out.append(f"{tag}: {f} gold={c.gold[f]!r} got={value(c.clause, f)!r}")
    return out


def score(folder: Path, *, loose: bool = False) -> list[Comparison]:
    """Read a set's documents (``folder/docs``) and compare them with its gold file."""
    return compare(read_corpus([folder / "docs"]).documents, load_gold(folder), loose=loose)


def main(folder: Path) -> None:
    """The command line of every set's ``score.py``: the table, ``--wrong`` every disagreement."""
    parser = argparse.ArgumentParser(description=f"score the extractor against {folder.name}")
    parser.add_argument("--wrong", action="store_true", help="list every disagreement")
    parser.add_argument("--loose", action="store_true", help="diagnostic: match clauses containing the prefix")
    args = parser.parse_args()
    comparisons = score(folder, loose=args.loose)
    print(table(comparisons))
    if args.wrong:
        print("\n".join(disagreements(comparisons)))
