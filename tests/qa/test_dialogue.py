"""Conversations on the bundled corpus: follow-ups read against replayed turns, with the note in front."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corpus.errors import InvalidQueryError
from index.hybrid import HybridIndex
from qa.answer import Answerer
from qa.dialogue import Dialogue
from qa.records import TurnRecord

FIRST = "岳阳片区谁牵头企业开办一网通办？"


@pytest.fixture(scope="module")
def dialogue(built_index: Path) -> Dialogue:
    return Dialogue(Answerer(HybridIndex.load(built_index), today=date(2021, 12, 31)))


def test_clause_follow_up_cites_the_previous_top_clause(dialogue: Dialogue) -> None:
    first = dialogue.ask([FIRST]).answer.results[0]
    turn = dialogue.ask([FIRST, "完成时限呢？"])
    assert turn.reading.mode == "clause"
    assert turn.answer.results == (first,)
    note = "（接上一问：岳阳片区 企业开办一网通办）"
    assert turn.answer.answer.startswith(note + "完成时限：2023年8月底前。由市市场监管局牵头。（《")


def test_reference_takes_the_nth_result_and_says_when_there_is_none(dialogue: Dialogue) -> None:
    first = dialogue.ask([FIRST], top_k=5).answer.results
    turn = dialogue.ask([FIRST, "第三条谁负责？"])
    assert turn.answer.results == (first[2],)
    missing = dialogue.ask([FIRST, "第九条谁负责？"])
    assert missing.answer.no_answer and "没有第9条" in missing.answer.answer


def test_subset_filters_the_previous_results_by_due_date(dialogue: Dialogue) -> None:
    first = dialogue.ask([FIRST]).answer.results
    turn = dialogue.ask([FIRST, "上面这些里哪些已经到期？"])
    due = [r for r in first if r.clause.deadline and r.clause.deadline.date and r.clause.deadline.date <= "2021-12-31"]
    assert turn.reading.mode == "subset"
    assert list(turn.answer.results) == due
    assert f"上一问的{len(first)}条结果中" in turn.answer.answer


def test_chain_swaps_the_place_of_the_question_the_clause_follow_up_leaned_on(dialogue: Dialogue) -> None:
    turn = dialogue.ask([FIRST, "那什么时候完成？", "湖北省的呢？"])
    record = TurnRecord.of_turn(turn).model_dump(mode="json")
    assert record["followup"] == {
        "mode": "swap",
        "understood": "湖北省 企业开办一网通办",
        "question": "湖北省谁牵头企业开办一网通办",
    }
    assert record["results"][0]["lead_units"] == ["省市场监管局"]


def test_new_question_needs_no_replay_and_has_no_note(dialogue: Dialogue) -> None:
    turn = dialogue.ask(["完全无关的上一句", "咸宁“退更免”业务全程电子化谁牵头？"])
    assert turn.reading.mode == "new" and not turn.answer.answer.startswith("（接上一问")
    assert TurnRecord.of_turn(turn).followup is None


def test_invalid_earlier_turn_ends_the_context(dialogue: Dialogue) -> None:
    turn = dialogue.ask([FIRST, "问" * 600, "那什么时候完成？"])
    assert turn.reading.mode == "new"


@pytest.mark.parametrize(("turns", "top_k"), [([], 5), (["  "], 5), ([FIRST], 0)])
def test_bad_input_is_refused(dialogue: Dialogue, turns: list[str], top_k: int) -> None:
    with pytest.raises(InvalidQueryError):
        dialogue.ask(turns, top_k=top_k)


def test_subset_by_lead_unit(dialogue: Dialogue) -> None:
    first = dialogue.ask(["岳阳片区跨境电商有哪些措施？"]).answer.results
    turn = dialogue.ask(["岳阳片区跨境电商有哪些措施？", "其中岳阳海关牵头的？"])
    assert list(turn.answer.results) == [r for r in first if "岳阳海关" in r.clause.lead_units]
    assert "岳阳海关牵头的有" in turn.answer.answer


def test_swap_to_a_place_without_the_measure_says_so(dialogue: Dialogue) -> None:
    turn = dialogue.ask([FIRST, "钦州呢？"])
    assert turn.reading.mode == "swap"
    assert "钦州的文件中未找到相关条款，以下是其他文件中最接近的：" in turn.answer.answer
    assert "钦州" not in turn.answer.results[0].clause.title
    assert "未找到" not in dialogue.ask([FIRST, "湖北省的呢？"]).answer.answer


def test_reset_word_in_the_history_ends_the_context(dialogue: Dialogue) -> None:
    assert dialogue.ask([FIRST, "新问题", "那什么时候完成？"]).reading.mode == "new"
