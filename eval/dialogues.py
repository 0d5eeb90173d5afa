"""Judged dialogues: follow-up hit@1 and field accuracy of conversation turns.

A set is one JSON object per line, 2–4 turns each; a judged turn names its expected clause
(document + text prefix, as in :mod:`eval.judged`) and fields, or the previous answer's result it
must cite (``expect_ref``, 1-based, for 「第二条…」), and how the turn should be read (``expect_mode``):
    {"did": "d001", "turns": [
        {"question": "岳阳片区谁牵头企业开办一网通办？",
         "relevant": [{"source": "003_….txt", "prefix": "向省市场监管局申请湖南省企业", "grade": 2}],
         "expect": {"lead_units": ["市市场监管局"], "units": [...], "deadline": "2023年8月底前"}},
        {"question": "那什么时候完成？", "relevant": [...], "expect": {...}, "expect_mode": "clause"}]}

Example:
    >>> dialogues = load_dialogues(DEFAULT_DIALOGUES)
    >>> scores = score_dialogues(dialogues, run_dialogues(Dialogue(answerer), dialogues), clauses)
    >>> round(scores["followup_hit@1"], 2)   # doctest: +SKIP
    0.9
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import EvalSetError
from corpus.model import Clause
from eval.judged import Judgement, read_objects
from qa.dialogue import Dialogue
from qa.records import TurnRecord

DEFAULT_DIALOGUES = Path(__file__).parent / "data" / "dialogues.jsonl"
FIELDS = ("lead_units", "units", "deadline")


@dataclass(frozen=True, slots=True)
class JudgedTurn:
    """One turn: the question, its relevant clauses and expected fields, or the result it must cite."""

    question: str
    relevant: tuple[Judgement, ...] = ()
    expect: dict[str, Any] = field(default_factory=dict)
    expect_ref: int | None = None
    expect_mode: str | None = None


@dataclass(frozen=True, slots=True)
class JudgedDialogue:
    """A dialogue of 2–4 turns; ``line`` is its line in the file (for error messages)."""

    did: str
    turns: tuple[JudgedTurn, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class TurnOutput:
    """What a system returned for one turn: cited clause records (best first) and how it read the turn."""

    results: list[dict[str, Any]]
    mode: str


#: How a turn may be read (qa.followup.Mode).
MODES = ("new", "clause", "reference", "subset", "swap", "topic")


def load_dialogues(path: Path) -> list[JudgedDialogue]:
    """Read a judged dialogue set.

    Raises:
        EvalSetError: a missing file, invalid JSON, a dialogue of fewer than 2 or more than 4
            turns, or a turn without a question; the message names the file and line.
    """
    dialogues: list[JudgedDialogue] = []
    for number, where, raw in read_objects(path, "dialogue set"):
        turns = raw.get("turns")
        if not isinstance(raw.get("did"), str) or not isinstance(turns, list):
            raise EvalSetError(f"{where}: expected an object with 'did' (string) and 'turns' (list)")
        if not 2 <= len(turns) <= 4:
            raise EvalSetError(f"{where}: a dialogue has 2 to 4 turns; got {len(turns)}")
        dialogues.append(JudgedDialogue(raw["did"], tuple(_turn(t, where) for t in turns), number))
    if not dialogues:
        raise EvalSetError(f"{path}: no dialogues")
    return dialogues


def _turn(raw: Any, where: str) -> JudgedTurn:
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str) or not raw["question"].strip():
        raise EvalSetError(f"{where}: each turn needs a non-empty 'question'")
    relevant = []
    for item in raw.get("relevant", []):
        if not (isinstance(item, dict) and isinstance(item.get("source"), str) and isinstance(item.get("prefix"), str)):
            raise EvalSetError(f"{where}: each relevant item needs 'source' and 'prefix'")
        relevant.append(Judgement(item["source"], item["prefix"], int(item.get("grade", 1))))
    ref = raw.get("expect_ref")
    if ref is not None and (not isinstance(ref, int) or ref < 1):
        raise EvalSetError(f"{where}: expect_ref must be a result number ≥ 1; got {ref!r}")
    mode = raw.get("expect_mode")
    if mode is not None and mode not in MODES:
        raise EvalSetError(f"{where}: expect_mode {mode!r} is not one of {', '.join(MODES)}")
    return JudgedTurn(raw["question"], tuple(relevant), dict(raw.get("expect") or {}), ref, mode)


def resolve(dialogues: Sequence[JudgedDialogue], clauses: Sequence[Clause]) -> dict[tuple[str, int], set[str]]:
    """Relevant clause ids per (dialogue id, turn number).

    Raises:
        EvalSetError: a judged prefix matches no clause of its document.
    """
    by_source: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_source.setdefault(clause.source, []).append(clause)
    relevant: dict[tuple[str, int], set[str]] = {}
    for d in dialogues:
        for i, turn in enumerate(d.turns):
            ids = set()
            for j in turn.relevant:
                match = next((c for c in by_source.get(j.source, []) if c.text.startswith(j.prefix)), None)
                if match is None:
                    raise EvalSetError(f"line {d.line} ({d.did}): no clause of {j.source} starts with {j.prefix!r}")
                ids.add(match.id)
            relevant[(d.did, i)] = ids
    return relevant


def run_dialogues(
    dialogue: Dialogue, dialogues: Sequence[JudgedDialogue], top_k: int = 5
) -> dict[str, list[TurnOutput]]:
    """Every turn of every dialogue, each asked with the turns before it as its context."""
    return run_with(
        lambda turns: TurnRecord.of_turn(dialogue.ask(turns, top_k=top_k)).model_dump(mode="json"), dialogues
    )


def run_with(
    ask: Callable[[list[str]], dict[str, Any]], dialogues: Sequence[JudgedDialogue]
) -> dict[str, list[TurnOutput]]:
    """Run the dialogues through ``ask`` (questions so far -> answer record): in process or over HTTP."""
    outputs: dict[str, list[TurnOutput]] = {}
    for d in dialogues:
        questions = [t.question for t in d.turns]
        outputs[d.did] = [_output(ask(questions[: i + 1])) for i in range(len(questions))]
    return outputs


def _output(record: dict[str, Any]) -> TurnOutput:
    followup = record.get("followup") or {}
    return TurnOutput(list(record.get("results") or []), str(followup.get("mode", "new")))


def score_dialogues(
    dialogues: Sequence[JudgedDialogue], outputs: dict[str, list[TurnOutput]], clauses: Sequence[Clause]
) -> dict[str, float]:
    """Follow-up hit@1 and per-field accuracy of the top result (follow-up turns: all but the first).

    Returns:
        ``followup_hit@1``, ``lead_acc``, ``units_acc``, ``deadline_acc``, ``fields_acc`` (all three
        right); ``followup_hit@1_after_hit`` (follow-ups whose previous turn was right: the
        conversation logic apart from retrieval), ``mode_acc`` (turns read the judged way: new,
        clause, reference, subset, swap or topic), ``first_hit@1`` (the opening questions, for
        comparison) and the counts ``followups`` and ``field_turns``.
    """
    relevant = resolve(dialogues, clauses)
    hits = firsts = first_hits = followups = field_turns = after_hit = after_hit_hits = moded = right_mode = 0
    right = dict.fromkeys((*FIELDS, "all"), 0)
    for d in dialogues:
        results = [o.results for o in outputs[d.did]]
        previous_hit: bool | None = None  # None: the previous turn is not judged
        for i, turn in enumerate(d.turns):
            if i and turn.expect_mode:
                moded, right_mode = moded + 1, right_mode + (outputs[d.did][i].mode == turn.expect_mode)
            top = results[i][0] if results[i] else None
            if turn.expect_ref is not None:
                before = results[i - 1] if i else []
                wanted = {before[turn.expect_ref - 1]["id"]} if len(before) >= turn.expect_ref else set()
            else:
                wanted = relevant[(d.did, i)]
            if not wanted and turn.expect_ref is None:
                previous_hit = None
                continue  # an opening question only giving context
            hit = top is not None and top["id"] in wanted
            if i == 0:
                firsts, first_hits, previous_hit = firsts + 1, first_hits + hit, hit
                continue
            followups, hits = followups + 1, hits + hit
            if previous_hit:
                after_hit, after_hit_hits = after_hit + 1, after_hit_hits + hit
            previous_hit = hit
            if turn.expect:
                field_turns += 1
                ok = {name: top is not None and top.get(name) == turn.expect.get(name) for name in FIELDS}
                for name in FIELDS:
                    right[name] += ok[name]
                right["all"] += all(ok.values())
    per = field_turns or 1
    return {
        "followup_hit@1": hits / (followups or 1),
        "lead_acc": right["lead_units"] / per,
        "units_acc": right["units"] / per,
        "deadline_acc": right["deadline"] / per,
        "fields_acc": right["all"] / per,
        "followup_hit@1_after_hit": after_hit_hits / (after_hit or 1),
        "mode_acc": right_mode / (moded or 1),
        "first_hit@1": first_hits / (firsts or 1),
        "followups": float(followups),
        "field_turns": float(field_turns),
    }
