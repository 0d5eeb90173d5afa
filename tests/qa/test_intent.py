"""Reading questions: kind, units, places, time filters."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.model import Clause, ClauseKind
from qa.intent import QuestionVocabulary, read_question


def _clause(source: str, title: str, lead: tuple[str, ...] = (), units: tuple[str, ...] = ()) -> Clause:
    return Clause(
        id=source + title,
        source=source,
        title=title,
        path="一、",
        headings=(),
        text="x",
        start=0,
        end=1,
        kind=ClauseKind.ITEM,
        lead_units=lead,
        units=units,
    )


@pytest.fixture(scope="module")
def vocab() -> QuestionVocabulary:
    return QuestionVocabulary.from_clauses(
        [
            _clause("a.txt", "咸宁市复制推广改革试点经验工作方案", ("市发改委",), ("市住建委",)),
            _clause("b.txt", "中国(湖南)自由贸易试验区岳阳片区实施方案", ("市市场监管局",), ("市发展改革委",)),
            _clause("c.txt", "省税务局关于进一步提升纳税便利度的实施方案", ("省税务局",)),
        ]
    )


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("谁牵头企业开办一网通办？什么时候完成？", "who"),
        ("企业开办一网通办什么时候完成？", "when"),
        ("哪个部门负责不动产登记？", "who"),
        ("钦州港集装箱吞吐量要达到多少？", "number"),
        ("怎样推进证照分离改革？", "what"),
        ("市场监管局牵头的任务有哪些", "list"),
        ("2020年底前要完成的任务有哪些", "list"),
    ],
)
def test_kind(vocab: QuestionVocabulary, question: str, kind: str) -> None:
    assert read_question(question, vocab).kind == kind


def test_who_and_when_together(vocab: QuestionVocabulary) -> None:
    intent = read_question("谁牵头企业开办一网通办？什么时候完成？", vocab)
    assert intent.wants_units and intent.wants_deadline


def test_units_alias_aware_and_lead_only(vocab: QuestionVocabulary) -> None:
    intent = read_question("市场监管局牵头的任务有哪些", vocab)
    assert intent.units == ("市场监管局",) and intent.lead_only
    intent = read_question("发改委参与了哪些任务", vocab)
    assert intent.units and not intent.lead_only
    assert read_question("税务局有哪些任务", vocab).units == ("税务局",)


def test_a_full_name_wins_over_another_units_region_less_form() -> None:
    # 市税务局 would also answer to 「税务局」; a question that says 省税务局 means that one only.
    for vocabulary in (("市税务局", "省税务局"), ("省税务局", "市税务局")):
        clauses = [_clause("a.txt", "方案", (unit,)) for unit in vocabulary]
        vocab = QuestionVocabulary.from_clauses(clauses)
        assert read_question("省税务局牵头的任务有哪些？", vocab).units == ("省税务局",)
        assert read_question("税务局牵头的任务有哪些？", vocab).units == ("税务局",)


@pytest.mark.parametrize(
    "question",
    [
        "哪些任务是市场监管局牵头的",
        "市场监管局牵头、2021年底前要完成的任务有哪些",
        "市场监管局牵头的企业开办任务有哪些",
        "2020年底前市场监管局牵头要完成哪些事？",
    ],
)
def test_a_unit_asked_as_the_lead_in_any_word_order(vocab: QuestionVocabulary, question: str) -> None:
    intent = read_question(question, vocab, date(2026, 1, 1))
    assert intent.kind == "list" and intent.units == ("市场监管局",) and intent.lead_only


def test_who_leads_is_not_a_lead_filter(vocab: QuestionVocabulary) -> None:
    assert not read_question("市场监管局和发改委谁牵头企业开办？", vocab).lead_only


def test_place_hint_points_to_documents(vocab: QuestionVocabulary) -> None:
    assert read_question("岳阳片区企业开办怎么办", vocab).sources == frozenset({"b.txt"})
    assert read_question("咸宁的改革经验", vocab).sources == frozenset({"a.txt"})
    assert read_question("企业开办怎么办", vocab).sources == frozenset()


def test_time_filters(vocab: QuestionVocabulary) -> None:
    assert read_question("2020年底前要完成的任务有哪些", vocab).due_before == "2020-12-31"
    assert read_question("2021年8月底前要完成哪些任务", vocab).due_before == "2021-08-31"
    today = date(2021, 3, 1)
    assert read_question("今年年底前要完成的任务有哪些", vocab, today=today).due_before == "2021-12-31"
    assert read_question("持续推进的任务有哪些", vocab).ongoing
    intent = read_question("今年年底前要完成的", vocab, today=today)  # no "有哪些": still a list
    assert intent.kind == "list" and intent.due_before == "2021-12-31"


@pytest.mark.parametrize(
    ("question", "units", "statuses"),
    [
        ("市场监管局有哪些任务已经逾期？", ("市场监管局",), ("overdue",)),
        ("快到期的任务有哪些", (), ("due_soon",)),
        ("哪些任务还未到期", (), ("later",)),  # 未到期 is not 到期
        ("没有明确时限的任务有哪些", (), ("no_deadline",)),
        ("税务局逾期和即将到期的任务", ("税务局",), ("overdue", "due_soon")),
    ],
)
def test_status_questions_are_list_questions(
    vocab: QuestionVocabulary, question: str, units: tuple[str, ...], statuses: tuple[str, ...]
) -> None:
    intent = read_question(question, vocab, today=date(2020, 11, 15))
    assert intent.kind == "list" and intent.units == units
    assert tuple(str(s) for s in intent.statuses) == statuses


def test_a_status_word_about_one_task_is_no_list(vocab: QuestionVocabulary) -> None:
    intent = read_question("企业开办一网通办逾期了吗", vocab)
    assert intent.kind != "list" and intent.statuses == ()


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("这个月到期的任务有哪些？", ("2020-11-01", "2020-11-30")),
        ("本月要完成的任务有哪些", ("2020-11-01", "2020-11-30")),
        ("下个月到期的任务", ("2020-12-01", "2020-12-31")),
        ("本季度到期的任务有哪些", ("2020-10-01", "2020-12-31")),
        ("这周到期的任务有哪些", ("2020-11-09", "2020-11-15")),
    ],
)
def test_periods_relative_to_the_reference_date(
    vocab: QuestionVocabulary, question: str, period: tuple[str, str]
) -> None:
    intent = read_question(question, vocab, today=date(2020, 11, 15))
    assert intent.kind == "list" and (intent.due_after, intent.due_before) == period
