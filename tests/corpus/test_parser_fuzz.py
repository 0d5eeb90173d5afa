"""Arbitrary text never crashes the parser: every result is a valid clause tree over the input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.parser import parse_text

# Text made of the characters the parser reacts to, so the fuzzer reaches its branches.
_ALPHABET = st.sampled_from(
    list("一二三四十（）()〔〕、.,，;；:：。 \n\t\xa01234567890①②")
    + list("牵头单位责任参加完成时限落实时间年月日底前持续推进由实施")
    + list("各市州县人民政府省市局厅委办关于实施方案主要措施排第一的为下同")
)


def _check(text: str) -> None:
    doc = parse_text(text, "fuzz.txt")
    ids = [c.id for c in doc.clauses]
    assert len(ids) == len(set(ids))
    for clause in doc.clauses:
        assert 0 <= clause.start <= clause.end <= len(text)
        assert clause.text.strip()
        assert text[clause.start : clause.start + len(clause.text)] == clause.text or " " in clause.text
        assert set(clause.units).isdisjoint(clause.lead_units)
        if clause.deadline and clause.deadline.date:
            assert len(clause.deadline.date) == 10


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=400))
def test_policy_like_text(text: str) -> None:
    _check(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text(text: str) -> None:
    _check(text)
