"""Reading a chat turn against the previous one: new, clause, reference, subset, swap, topic."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.followup import is_marked, ordinal, parts, read_turn, swap, topic_label
from qa.intent import QuestionVocabulary

PREVIOUS = "岳阳片区谁牵头企业开办一网通办？"


@pytest.fixture(scope="module")
def vocab() -> QuestionVocabulary:
    places = {"岳阳": frozenset({"b.txt"}), "湖北": frozenset({"c.txt"}), "钦州": frozenset({"d.txt"})}
    return QuestionVocabulary(units=("市市场监管局", "市发改委", "省税务局", "市住建委"), places=places)


@pytest.mark.parametrize(
    ("question", "mode"),
    [
        ("那什么时候完成？", "clause"),
        ("还有哪些部门参与？", "clause"),
        ("完成时限呢？", "clause"),
        ("谁负责？", "clause"),
        ("什么时候上线？", "clause"),
        ("第二条什么时候完成？", "reference"),
        ("上面这些里哪些已经到期？", "subset"),
        ("湖北省的呢？", "swap"),
        ("钦州呢？", "swap"),
        ("市发改委牵头的呢？", "swap"),
        ("2021年底前的呢？", "swap"),
        ("那跨境电商呢？", "topic"),
        ("湖北省跨境电商进口商品集中审图谁负责？", "new"),
        ("跨境电商海外仓建设谁牵头？", "new"),
    ],
)
def test_modes(vocab: QuestionVocabulary, question: str, mode: str) -> None:
    assert read_turn(question, PREVIOUS, vocab).mode == mode


def test_first_turn_is_always_new(vocab: QuestionVocabulary) -> None:
    assert read_turn("那什么时候完成？", None, vocab).mode == "new"


def test_swap_replaces_the_place_or_unit_or_adds_the_time(vocab: QuestionVocabulary) -> None:
    assert read_turn("湖北省的呢？", PREVIOUS, vocab).question == "湖北省谁牵头企业开办一网通办"
    assert swap("市场监管局牵头的任务有哪些？", parts("市发改委牵头的呢？", vocab), vocab) == "市发改委牵头的任务有哪些"
    assert swap(PREVIOUS, parts("市发改委牵头的呢？", vocab), vocab) == "岳阳片区市发改委牵头企业开办一网通办"
    assert swap(PREVIOUS, parts("2021年底前的呢？", vocab), vocab).endswith("2021年底前")


def test_swap_keeps_a_new_ask(vocab: QuestionVocabulary) -> None:
    reading = read_turn("湖北省什么时候完成？", PREVIOUS, vocab)
    assert reading.mode == "swap" and reading.kind_hint == "when"
    assert reading.question.startswith("湖北省谁牵头企业开办一网通办") and "什么时候" in reading.question


def test_topic_borrows_the_place_and_the_kind(vocab: QuestionVocabulary) -> None:
    assert read_turn("那跨境电商呢？", PREVIOUS, vocab).question == "岳阳片区跨境电商谁牵头"


@pytest.mark.parametrize(
    ("text", "number"), [("第二条", 1), ("第3项呢", 2), ("第十个", 9), ("第十二条", 11), ("第二十条", 19)]
)
def test_ordinal(text: str, number: int) -> None:
    assert ordinal(text) == number


def test_markers() -> None:
    assert is_marked("那什么时候完成") and is_marked("湖北省的呢？") and is_marked("上面这些里哪些到期")
    assert not is_marked("谁牵头企业开办？")


def test_topic_label(vocab: QuestionVocabulary) -> None:
    assert topic_label(PREVIOUS, vocab) == "岳阳片区 企业开办一网通办"
    assert topic_label("岳阳片区中非易货贸易谁牵头？", vocab) == "岳阳片区 中非易货贸易"


def test_complete_list_question_stands_alone(vocab: QuestionVocabulary) -> None:
    assert read_turn("省税务局牵头的任务有哪些？", PREVIOUS, vocab).mode == "new"
    assert read_turn("市发改委牵头的任务呢？", "省税务局牵头的任务有哪些？", vocab).mode == "swap"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=60)))
def test_any_text_reads_without_error(vocab: QuestionVocabulary, question: str, previous: str | None) -> None:
    reading = read_turn(question, previous, vocab)
    assert reading.mode in ("new", "clause", "reference", "subset", "swap", "topic")
    assert previous is not None or reading.mode == "new"
