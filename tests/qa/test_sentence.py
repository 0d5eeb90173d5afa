"""The answer sentence uses only the clause's fields and words."""

from __future__ import annotations

from corpus.model import Clause, ClauseKind, Deadline, DeadlineKind
from qa.sentence import NO_ANSWER, answer_sentence, fields_sentence, list_sentence

CLAUSE = Clause(
    id="x",
    source="003.txt",
    title="岳阳片区实施方案",
    path="四、(一) 1.(1)",
    headings=("主要任务和措施",),
    text="向省市场监管局申请湖南省企业开办“一网通办”系统试点。",
    start=0,
    end=10,
    kind=ClauseKind.ITEM,
    lead_units=("市市场监管局",),
    units=("市行政审批局", "市政务服务中心", "市发改委", "市公安局"),
    deadline=Deadline("2023年8月底前", "2023-08-31", DeadlineKind.BY_DATE),
)


def test_who_sentence() -> None:
    assert answer_sentence(CLAUSE, "who") == (
        "由市市场监管局牵头，市行政审批局、市政务服务中心、市发改委等配合，完成时限：2023年8月底前。"
        "（《岳阳片区实施方案》四、(一) 1.(1)）"
    )


def test_when_sentence_leads_with_deadline() -> None:
    assert answer_sentence(CLAUSE, "when").startswith("完成时限：2023年8月底前。由市市场监管局牵头。")


def test_what_sentence_quotes_the_clause() -> None:
    sentence = answer_sentence(CLAUSE, "what")
    assert sentence.startswith("见《岳阳片区实施方案》四、(一) 1.(1)：向省市场监管局申请")


def test_units_without_lead() -> None:
    clause = Clause(
        id="y",
        source="002.txt",
        title="钦州",
        path="三、 1.",
        headings=(),
        text="强港航。",
        start=0,
        end=1,
        kind=ClauseKind.ITEM,
        units=("市发展改革委", "钦州港片区管委"),
    )
    assert fields_sentence(clause) == "责任单位：市发展改革委、钦州港片区管委。"


def test_every_word_comes_from_the_fields() -> None:
    sentence = fields_sentence(CLAUSE)
    for unit in (*CLAUSE.lead_units, *CLAUSE.units[:3]):
        assert unit in sentence
    assert CLAUSE.deadline is not None and CLAUSE.deadline.text in sentence
    assert list_sentence(0, "") == NO_ANSWER
