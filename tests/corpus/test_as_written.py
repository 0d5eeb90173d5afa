"""Traditional Chinese documents: parsed through their simplified form, every field cited as written."""

from __future__ import annotations

import opencc

from corpus import BUNDLED_CORPUS_DIR
from corpus.as_written import parse_as_written
from corpus.model import Clause
from corpus.parser import parse_text
from corpus.reader import read_bytes

PLAN = "\n".join(
    [
        "一、主要任務",
        "（一）推行企業開辦全程網辦。",
        "牽頭單位：市場監管局",
        "責任單位：稅務局、人社局",
        "完成時限：2021年6月底前",
    ]
)


def test_traditional_labels_are_read_and_fields_keep_their_characters() -> None:
    clause = parse_as_written(PLAN, "tw.txt").clauses[-1]
    assert clause.text == "推行企業開辦全程網辦。"
    assert clause.lead_units == ("市場監管局",) and clause.units == ("稅務局", "人社局")
    assert clause.deadline is not None and (clause.deadline.text, clause.deadline.date) == (
        "2021年6月底前",
        "2021-06-30",
    )
    assert clause.headings == ("主要任務",)
    assert PLAN[clause.start : clause.start + len(clause.text)] == clause.text  # spans point into the original


def test_a_bundled_document_in_traditional_gives_the_same_clauses_in_its_own_characters() -> None:
    path = BUNDLED_CORPUS_DIR / "003_f31d9fd870de6b80.txt"
    simplified = parse_text(path.read_text(encoding="utf-8"), path.name)
    traditional_text = opencc.OpenCC("s2t").convert(simplified.text)
    traditional = read_bytes(traditional_text.encode(), path.name)
    assert len(traditional.clauses) == len(simplified.clauses)
    for t, s in zip(traditional.clauses, simplified.clauses, strict=True):
        assert (t.path, t.start, t.end, len(t.lead_units), t.deadline is None) == (
            s.path, s.start, s.end, len(s.lead_units), s.deadline is None,
        )  # fmt: skip
    assert traditional.text == traditional_text
    assert traditional.title == opencc.OpenCC("s2t").convert(simplified.title)

    def in_place(doc_text: str, clauses: tuple[Clause, ...]) -> list[bool]:
        return [c.text == doc_text[c.start : c.start + len(c.text)] for c in clauses]

    # every clause the parser cites at its span is cited there in the original characters
    assert in_place(traditional_text, traditional.clauses) == in_place(simplified.text, simplified.clauses)


def test_simplified_text_is_parsed_exactly_as_before() -> None:
    text = "一、主要任务\n（一）推行全程网办。\n牵头单位：市市场监管局"
    assert parse_as_written(text, "s.txt") == parse_text(text, "s.txt")
