"""Extraction against the hand-checked gold file: >= 98% exact on each field.

The gold file (tests/gold/fields.jsonl) was written by reading the documents, independently
of the parser; tests/gold/README.md says how, and which readings were judgement calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus import BUNDLED_CORPUS_DIR
from corpus.model import Clause, Document
from corpus.reader import read_corpus

GOLD = Path(__file__).parents[1] / "gold" / "fields.jsonl"
FIELDS = ("lead_units", "units", "deadline", "deadline_date")
THRESHOLD = 0.98


@dataclass(frozen=True)
class Comparison:
    """One gold entry, the clause it names, and the fields that differ."""

    gold: dict[str, object]
    clause: Clause | None
    wrong: tuple[str, ...]


def _value(clause: Clause, name: str) -> object:
    if name == "lead_units":
        return list(clause.lead_units)
    if name == "units":
        return list(clause.units)
    if name == "deadline":
        return clause.deadline.text if clause.deadline else None
    return clause.deadline.date if clause.deadline else None


def compare(documents: list[Document]) -> Iterator[Comparison]:
    """Match each gold entry to the first clause of its document starting with its prefix."""
    by_source = {d.source: d for d in documents}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        doc = by_source[gold["source"]]
        clause = next((c for c in doc.clauses if c.text.startswith(gold["prefix"])), None)
        if clause is None:
            yield Comparison(gold, None, FIELDS)
            continue
        wrong = tuple(f for f in FIELDS if _value(clause, f) != gold[f])
        yield Comparison(gold, clause, wrong)


@pytest.fixture(scope="module")
def comparisons() -> list[Comparison]:
    return list(compare(read_corpus([BUNDLED_CORPUS_DIR]).documents))


def test_gold_covers_all_documents(comparisons: list[Comparison]) -> None:
    assert len(comparisons) >= 150
    assert {c.gold["source"] for c in comparisons} == {p.name for p in BUNDLED_CORPUS_DIR.glob("*.txt")}


def test_every_gold_clause_is_found(comparisons: list[Comparison]) -> None:
    missing = [c.gold["prefix"] for c in comparisons if c.clause is None]
    assert not missing, f"gold clauses the parser does not produce: {missing}"


@pytest.mark.parametrize("field", FIELDS)
def test_field_accuracy(comparisons: list[Comparison], field: str) -> None:
    wrong = [c for c in comparisons if field in c.wrong]
    accuracy = 1 - len(wrong) / len(comparisons)
    detail = "\n".join(
        f"{c.gold['source'][:3]} {c.gold['prefix']}: gold={c.gold[field]!r} got="
        f"{_value(c.clause, field) if c.clause else None!r}"
        for c in wrong[:20]
    )
    assert accuracy >= THRESHOLD, f"{field}: {accuracy:.1%} exact ({len(wrong)} wrong)\n{detail}"
