"""A question that says a measure's name almost verbatim is answered by that measure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.hybrid import HybridIndex
from qa.answer import Answerer, RankingParams
from qa.names import measure_name, name_coverage


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("提升海事服务便利化水平。在自贸试验区设立海事政务服务办事机构。", "提升海事服务便利化水平"),
        ("（三）推进知识产权保护中心建设。积极争取建设…", "推进知识产权保护中心建设"),
        ("准备工作阶段(2020年3 月 31日前)。各金融机构成立活动专班。", "准备工作阶段"),
        ("1.(4)企业开办：推行“一网通办”", "企业开办"),
        ("支持跨境电商企业在重点国别、重点市场建设海外仓。", "支持跨境电商企业在重点国别、重点市场建设海外仓"),
        # a first sentence too long to be a name: its first phrase
        (
            "完善外商投资信息报告制度,推进部门数据共享,实行市场监管、商务、外汇年报“多报合一”。",
            "完善外商投资信息报告制度",
        ),
    ],
)
def test_the_name_is_the_opening_words_without_numbering_or_notes(text: str, name: str) -> None:
    assert measure_name(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "目标。",  # too short to name a measure
        "按照国家统一部署和全省工作安排要求扎实推进相关改革任务落地见效并及时总结经验做法形成制度成果,加强宣传。",
    ],
)
def test_no_name_when_too_short_or_a_whole_sentence(text: str) -> None:
    assert measure_name(text) is None


def test_coverage_counts_shared_two_character_stretches() -> None:
    assert name_coverage("推进知识产权保护中心建设有完成时限吗", "推进知识产权保护中心建设") == 1.0
    assert name_coverage("知识产权", "优化知识产权服务") == 0.5
    assert name_coverage("开公司能不能网上办", "企业开办") == 0.0  # single shared characters do not count
    assert name_coverage("任何问题", "，、") == 0.0


@pytest.fixture(scope="module")
def index(built_index: Path) -> HybridIndex:
    return HybridIndex.load(built_index)


@pytest.mark.parametrize(
    "question",
    ["鼓励融资租赁企业在区内设立项目子公司的落实时间", "省知识产权局推进知识产权保护中心建设有完成时限吗"],
)
def test_the_named_measure_comes_first(index: HybridIndex, question: str) -> None:
    best = Answerer(index).ask(question).results[0].clause
    name = measure_name(best.text)
    assert name is not None and name in question


def test_the_boost_applies_to_the_clauses_the_question_names_only(index: HybridIndex) -> None:
    question = "岳阳片区提升海事服务便利化水平谁牵头"
    boosted, plain = Answerer(index), Answerer(index, replace(RankingParams(), name_boost=1.0))
    intent = boosted.ask(question).intent
    hits = index.search(question, mode="hybrid", top_k=20, fusion="weighted", weights=(0.3, 0.7), norm="zscore")
    ratios = {h.clause.text[:11]: boosted._adjusted(intent, h) / plain._adjusted(intent, h) for h in hits}
    assert ratios.pop("提升海事服务便利化水平") == pytest.approx(1.3)
    assert set(map(round, ratios.values())) == {1}  # 「增强港航服务能力」, 「提升港航便利化水平」…: not named
