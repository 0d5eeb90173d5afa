"""The judged dialogue set: follow-ups stay at or above the measured figures (minus a margin).

Measured with `policyqa eval --dialogues` on the bundled corpus (docs/evaluation.md), 68 dialogues,
84 follow-ups: hit@1 0.607, after a right previous turn 0.915, turns read the judged way 1.000,
fields 0.886 (lead 0.962, units 0.886, deadline 0.987); each follow-up asked alone, as before
conversations were read: hit@1 0.107, fields 0.177.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import EvalSetError
from eval.dialogues import DEFAULT_DIALOGUES, load_dialogues, run_dialogues, score_dialogues
from index.hybrid import HybridIndex
from qa.answer import Answerer
from qa.dialogue import Dialogue
from qa.library import read_clauses

FLOORS = {
    "followup_hit@1": 0.57,
    "followup_hit@1_after_hit": 0.88,
    "mode_acc": 0.95,
    "lead_acc": 0.93,
    "units_acc": 0.85,
    "deadline_acc": 0.95,
    "fields_acc": 0.85,
}


def test_set_is_large_enough() -> None:
    dialogues = load_dialogues(DEFAULT_DIALOGUES)
    assert len(dialogues) >= 60
    assert all(2 <= len(d.turns) <= 4 for d in dialogues)


def test_dialogues_meet_the_recorded_figures(built_index: Path) -> None:
    dialogues = load_dialogues(DEFAULT_DIALOGUES)
    outputs = run_dialogues(Dialogue(Answerer(HybridIndex.load(built_index))), dialogues)
    scores = score_dialogues(dialogues, outputs, read_clauses([BUNDLED_CORPUS_DIR]))
    below = {name: round(scores[name], 3) for name, floor in FLOORS.items() if scores[name] < floor}
    assert not below, f"below the floors {FLOORS}: {below}"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        (json.dumps({"did": "d1", "turns": [{"question": "问"}]}), "2 to 4 turns"),
        (json.dumps({"did": "d1", "turns": [{"question": "问"}, {"question": " "}]}), "non-empty 'question'"),
        (
            json.dumps({"did": "d1", "turns": [{"question": "问"}, {"question": "第二条", "expect_ref": 0}]}),
            "expect_ref",
        ),
        (json.dumps({"turns": []}), "'did'"),
        (
            json.dumps({"did": "d1", "turns": [{"question": "问"}, {"question": "呢", "expect_mode": "guess"}]}),
            "expect_mode",
        ),
    ],
)
def test_malformed_set_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match=message) as info:
        load_dialogues(path)
    assert "line 1" in str(info.value)


def test_judged_questions_start_afresh_after_another_question(built_index: Path) -> None:
    """Each of the 199 single questions (own topic, or a complete list ask) is not taken for a follow-up."""
    from eval.judged import DEFAULT_SET, load_questions
    from qa.followup import read_turn

    vocab = Answerer(HybridIndex.load(built_index)).vocab
    followups = [
        q.question
        for q in load_questions(DEFAULT_SET)
        if read_turn(q.question, "岳阳片区谁牵头企业开办一网通办？", vocab).mode != "new"
    ]
    assert followups == []
