"""List questions: the ledger filter read from any word order, ordered by the words the filter does not say."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.aliases import canonical_unit
from corpus.ledger import TaskFilter
from index.hybrid import HybridIndex
from qa.answer import Answerer


@pytest.fixture(scope="module")
def answerer(built_index: Path) -> Answerer:
    return Answerer(HybridIndex.load(built_index))


def _filtered(answerer: Answerer, flt: TaskFilter) -> list[str]:
    return [c.id for c in answerer.index.clauses if c.is_task and flt.matches(c)]


@pytest.mark.parametrize(
    "question",
    ["省税务局牵头的任务有哪些？", "哪些任务是省税务局牵头的", "省税务局牵头负责哪些工作"],
)
def test_a_list_without_a_topic_keeps_the_documents_order(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert answer.intent.kind == "list" and answer.intent.lead_only and len(answer.results) > 5
    position = {c.id: i for i, c in enumerate(answerer.index.clauses)}
    order = [position[r.clause.id] for r in answer.results]
    assert order == sorted(order)
    assert all(any("税务局" in u for u in r.clause.lead_units) for r in answer.results)


def test_a_lead_and_a_deadline_in_either_order_filter_alike(answerer: Answerer) -> None:
    one = answerer.ask("2020年底前省商务厅(口岸办)牵头要完成哪些事？")
    other = answerer.ask("省商务厅(口岸办)牵头、2020年底前要完成的任务有哪些")
    expected = _filtered(answerer, TaskFilter(unit="省商务厅(口岸办)", lead_only=True, due_before="2020-12-31"))
    assert sorted(r.clause.id for r in one.results) == sorted(expected)
    assert [r.clause.id for r in one.results] == [r.clause.id for r in other.results]


def test_a_topic_ranks_the_list_and_keeps_every_task(answerer: Answerer) -> None:
    plain = [r.clause.id for r in answerer.ask("武汉海关牵头的任务有哪些").results]
    topical = [r.clause.id for r in answerer.ask("武汉海关牵头的跨境贸易便利化任务有哪些").results]
    assert sorted(topical) == sorted(plain) and topical != plain


def test_a_unit_asked_with_its_level_lists_the_tasks_naming_it_so_first(answerer: Answerer) -> None:
    # 「省市场监管局」 also answers to a city plan's bare 「市场监管局」; those tasks stay in the list, after.
    answer = answerer.ask("省市场监管局要参与的任务有哪些")
    asked = canonical_unit("省市场监管局")
    named = [asked in map(canonical_unit, (*r.clause.lead_units, *r.clause.units)) for r in answer.results]
    assert named[0] and False in named  # both kinds are listed
    assert named == sorted(named, reverse=True)
